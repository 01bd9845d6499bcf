"""Lexical filler detection: filled pauses Whisper kept in the transcript."""

from __future__ import annotations

from voicecoach.analysis.words import norm
from voicecoach.asr.base import Word
from voicecoach.report import Filler

FILLED_PAUSES = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh",
                           "hmm", "hm", "mm", "mmm"})


def find_filled_pauses(words: list[Word], vocabulary: frozenset[str] = FILLED_PAUSES
                       ) -> list[Filler]:
    return [
        Filler(text=w.text, start=w.start, end=w.end, kind="filled_pause")
        for w in words
        if norm(w.text) in vocabulary
    ]
