"""Word normalisation and word/VAD alignment shared by the analyzers."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from voicecoach.asr.base import Word, norm
from voicecoach.audio.vad import Span

__all__ = ["norm", "snap_to_speech"]


def snap_to_speech(words: list[Word], regions: list[Span]) -> list[Word]:
    """Move word edges that Whisper stretched into silence back onto voiced audio.

    Whisper's word times absorb neighbouring pauses; the VAD knows where the voice
    actually starts and stops. A word overlapping no voiced region is left alone.
    """
    if not regions:
        return list(words)
    # Regions are in time order and apart: those overlapping a word are a run found by
    # bisection (a 10 min answer has ~1800 words and hundreds of regions).
    ends = [r.end for r in regions]
    starts = [r.start for r in regions]
    snapped = []
    for w in words:
        overlapping = regions[bisect_right(ends, w.start):bisect_left(starts, w.end)]
        if not overlapping:
            snapped.append(w)
            continue
        start = max(w.start, overlapping[0].start)
        end = min(w.end, overlapping[-1].end)
        if end <= start:
            snapped.append(w)
            continue
        snapped.append(Word(w.text, start, end, w.probability))
    return snapped
