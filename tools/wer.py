"""Word error rate between two transcripts, for comparing engines and modes.

Both texts are normalised the same way first (case, punctuation, apostrophes), so
"Ask not," and "ask not" count as equal: a transcript comparison should measure
words, not Whisper's punctuation habits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Keep letters, digits and in-word apostrophes ("don't"); everything else splits words.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def normalize_words(text: str) -> list[str]:
    """Lower-cased word tokens with punctuation removed."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance over tokens (substitutions, insertions, deletions)."""
    if not reference:
        return len(hypothesis)
    # One row at a time: O(len(hypothesis)) memory, fine for a 5-minute answer.
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, start=1):
            current[j] = min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (ref != hyp),  # substitution or match
            )
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edits needed to turn `reference` into `hypothesis`, per reference word.

    0.0 means identical after normalisation; 0.02 is "2 points". An empty reference
    gives 0.0 against an empty hypothesis and 1.0 against anything else.
    """
    ref = normalize_words(reference)
    hyp = normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
