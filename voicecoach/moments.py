"""Hear one moment of a take: the few seconds around a finding, without Replay.

    span = moment_span(finding.start, finding.end, take_duration)
    player = moment_player(audio_path, span, output)   # a Player over just that span

The span starts a little before the moment (so the lead-in is heard) and ends a little
after it, never shorter than MIN_S (a one-word finding still needs its context) nor
longer than MAX_S (a whole-answer stretch is for Replay).
"""

from __future__ import annotations

from pathlib import Path

from voicecoach.audio.output import Output
from voicecoach.model import SAMPLE_RATE
from voicecoach.playback import Player

BEFORE_S = 1.5
AFTER_S = 1.5
MIN_S = 4.0
MAX_S = 9.0


def moment_span(start: float, end: float | None, duration: float) -> tuple[float, float]:
    """(from, to) in seconds of the take: the moment with a little air around it."""
    a = max(0.0, start - BEFORE_S)
    b = (start if end is None else max(start, end)) + AFTER_S
    b = min(max(b, a + MIN_S), a + MAX_S)
    if duration > 0:
        b = min(b, duration)
        a = max(0.0, min(a, b - MIN_S))
    return a, b


def moment_player(path: str | Path, span: tuple[float, float],
                  output: Output | None = None) -> Player:
    """A Player over just `span` of the take at `path` (reading a file: a worker's job)."""
    from voicecoach.audio.io import load_span

    return Player(load_span(path, *span), SAMPLE_RATE, output)
