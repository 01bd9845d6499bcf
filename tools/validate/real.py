"""Real recorded speech and its labels (tests/corpus/real.toml, tests/corpus/real/).

Labels come from each clip's person-written transcript: its filled pauses are the
tokens in FILLED_PAUSES, timed from the forced-alignment TextGrid where it has the
same word at that place (approximate, 10 ms grid), else untimed (matched by count
within the clip). Pauses of 1 s or more are the TextGrid's empty intervals between
words. A transcript marked `verbatim = false` leaves fillers out: its fillers are
neither labels nor errors, only its words count (WER, invented phrases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from tools.validate.align import is_filler
from tools.validate.corpus import (
    CORPUS_DIR,
    Label,
    LabeledClip,
    load_toml,
)
from voicecoach.asr.base import norm

# Discourse fillers a transcript marks as such by its spelling ("we're just yknow
# there's ..."); elsewhere "you know" may be words, so a discourse flag is not judged.
DISCOURSE = frozenset({"yknow"})
_FIELD = re.compile(r'"((?:[^"]|"")*)"|(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)')


@dataclass(frozen=True)
class Interval:
    start: float
    end: float
    text: str


def read_textgrid(path: Path, tier: str = "words") -> list[Interval]:
    """The intervals of one tier of a Praat TextGrid in the short text format."""
    text = path.read_text(encoding="utf-8")
    if 'Object class = "TextGrid"' not in text or "intervals [" in text:
        raise ValueError(f"{path}: not a TextGrid in Praat's short text format")
    fields = [q.replace('""', '"') if q or not n else float(n)
              for q, n in _FIELD.findall(text.split("<exists>", 1)[1])]
    i = 1  # fields[0] is the tier count
    while i < len(fields):
        kind, name, _, _, count = fields[i:i + 5]
        body = fields[i + 5:i + 5 + 3 * int(count)]
        if kind == "IntervalTier" and name == tier:
            return [Interval(body[k], body[k + 1], body[k + 2].strip())
                    for k in range(0, len(body), 3)]
        i += 5 + (3 if kind == "IntervalTier" else 2) * int(count)
    raise ValueError(f"{path}: no interval tier {tier!r}")


def transcript_tokens(text: str) -> list[str]:
    """Lower-cased tokens, edge punctuation off (marks like <cutoff-x> kept whole)."""
    out = []
    for raw in text.lower().split():
        out.append(raw if raw[:1] in "<[" else norm(raw))
    return [t for t in out if t]


def timed_tokens(tokens: list[str], grid: list[Interval]) -> list[Interval | None]:
    """Each transcript token's TextGrid interval, where the aligner has that word there."""
    words = [iv for iv in grid if iv.text]
    out: list[Interval | None] = [None] * len(tokens)
    matcher = SequenceMatcher(None, tokens, [norm(w.text) for w in words], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            out[block.a + k] = words[block.b + k]
    return out


def grid_pauses(grid: list[Interval]) -> list[Label]:
    """Empty intervals between two words. Those of TARGET_PAUSE_S or more must be
    found; a shorter one still excuses a reported pause over it (the TextGrid's edges
    are approximate)."""
    return [Label("pause", "", iv.start, iv.end)
            for k, iv in enumerate(grid) if not iv.text and 0 < k < len(grid) - 1]


def labeled_clip(spec: dict, base: Path = CORPUS_DIR) -> LabeledClip:
    path = (base / spec["path"]).resolve()
    if "transcript" in spec:
        said = (base / spec["transcript"]).read_text(encoding="utf-8").strip()
    else:
        said = spec["text"]
    tokens = transcript_tokens(said)
    verbatim = spec.get("verbatim", True)
    grid = read_textgrid(base / spec["textgrid"]) if "textgrid" in spec else None
    times = timed_tokens(tokens, grid) if grid else [None] * len(tokens)
    labels: list[Label] = []
    untimed = 0
    for token, iv in zip(tokens, times):
        if verbatim and token in DISCOURSE and iv is not None:
            labels.append(Label("discourse", token, iv.start, iv.end))
        if not verbatim or not is_filler(token):
            continue
        if iv is None:
            untimed += 1
        else:
            labels.append(Label("filled_pause", token, iv.start, iv.end))
    if grid:
        labels += grid_pauses(grid)
        spoken = [iv for iv in grid if iv.text]
        start, end = spoken[0].start, spoken[-1].end
    else:
        start, end = spec.get("speech_start", 0.0), spec.get("speech_end", 0.0)
    text = " ".join(_wer_word(t) for t in tokens if not is_filler(t) and _wer_word(t))
    return LabeledClip(spec["id"], "real", path, text, labels, start, end,
                       said=said, untimed_filled=untimed, judge_fillers=verbatim,
                       pauses_known=grid is not None or "speech_start" in spec,
                       quick=bool(spec.get("quick")))


def _wer_word(token: str) -> str:
    """A transcript token as a reference word: "<hes-forced>" is "forced"; cut-offs,
    laughter and unknown words are not words to get right."""
    if token[:1] in "<[":
        return token[5:-1] if token.startswith("<hes-") else ""
    return token


def real_clips(quick: bool = False) -> list[LabeledClip]:
    spec = load_toml("real.toml")
    clips = [labeled_clip(c) for c in spec["clip"]]
    for group in spec.get("clips", []):
        chosen = set(group.get("quick", []))
        for wav in sorted(CORPUS_DIR.glob(group["glob"])):
            clips.append(labeled_clip(
                {"id": wav.stem, "path": str(wav.relative_to(CORPUS_DIR)),
                 "transcript": str(wav.with_suffix(".txt").relative_to(CORPUS_DIR)),
                 "quick": wav.stem in chosen}))
    return [c for c in clips if c.quick or not quick]
