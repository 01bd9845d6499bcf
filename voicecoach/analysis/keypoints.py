"""Does an answer make a key point? Phrase matching, today's baseline."""

from __future__ import annotations

from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.text import Transcript
from voicecoach.prompts import KeyPoint


def find_key_point(tr: Transcript, kp: KeyPoint) -> Match | None:
    hits = lexicon(tuple(kp.phrases)).find(tr.texts)
    return hits[0] if hits else None
