"""Delivery metrics from word timings and VAD regions (definitions in docs/scoring.md)."""

from __future__ import annotations

from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span, silent_gaps, voiced_seconds
from voicecoach.report import Filler, Metrics

LONG_PAUSE_S = 1.0  # a pause this long counts in pause_count


def speaking_span(words: list[Word]) -> Span | None:
    if not words:
        return None
    return Span(words[0].start, words[-1].end)


def pauses_between_words(
    regions: list[Span], words: list[Word], min_pause_s: float
) -> list[Span]:
    """Silent gaps from the VAD, only those between the first and the last word."""
    span = speaking_span(words)
    if span is None:
        return []
    return silent_gaps(regions, min_pause_s, within=span)


def compute_metrics(
    words: list[Word],
    regions: list[Span],
    pauses: list[Span],
    fillers: list[Filler],
    long_pause_s: float = LONG_PAUSE_S,
) -> Metrics:
    span = speaking_span(words)
    span_s = span.duration if span else 0.0
    speech_s = voiced_seconds(regions, span) if span else 0.0
    count = len(words)
    return Metrics(
        word_count=count,
        speaking_span_s=span_s,
        speech_s=speech_s,
        wpm=_per_minute(count, span_s),
        articulation_wpm=_per_minute(count, speech_s),
        pause_count=sum(1 for p in pauses if p.duration >= long_pause_s),
        longest_pause_s=max((p.duration for p in pauses), default=0.0),
        think_time_s=span.start if span else 0.0,
        filler_count=len(fillers),
        fillers_per_min=_per_minute(len(fillers), span_s),
    )


def _per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60 if seconds > 0 else 0.0
