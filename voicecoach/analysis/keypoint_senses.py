"""Other ways of saying a key point: cues beyond the prompt's phrase list.

A prompt's phrases (prompts/*.toml) are the few words a person would search the bank
by; a candidate makes the point in many other words ("a few percent of traffic first,
then widen it" is a canary rollout). The senses are data, `analysis/senses/*.toml`,
one file per prompt file: a table per prompt id, a list of cues per key point id, in
the phrase syntax of analysis/phrases.py. Each cue is weighed like a phrase
(analysis/keypoints.py). Written from what each key point means and checked on the
labeled sentences of tests/corpus/keypoints*.toml; a prompt not listed (a user's own)
is matched on its phrases, its key points' own `senses` and its labels.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import tomllib


@cache  # ~0.09 s to read; first needed by the app's warm-up, off the start path
def senses() -> dict[tuple[str, str], tuple[str, ...]]:
    """(prompt id, key point id) -> cues."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    folder = resources.files("voicecoach.analysis") / "senses"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        for prompt_id, points in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            for point_id, cues in points.items():
                out[(prompt_id, point_id)] = tuple(cues)
    return out
