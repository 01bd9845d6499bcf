"""Voice activity from the audio itself (webrtcvad), smoothed into speech regions.

Whisper's word timestamps stretch across pauses, so every pause and speech-time
number in a report comes from here instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecoach.model import SAMPLE_RATE, Span


@dataclass(frozen=True)
class VadSettings:
    aggressiveness: int = 2  # webrtcvad 0 (lenient) .. 3 (strict)
    frame_ms: int = 30  # webrtcvad accepts 10, 20 or 30
    smooth_frames: int = 5  # median filter width: removes one-frame blips and dropouts
    min_speech_s: float = 0.12  # shorter voiced blips are clicks or breaths
    bridge_gap_s: float = 0.15  # gaps shorter than this are inside a word
    min_pause_s: float = 0.5  # shortest silence reported as a pause

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError("VAD frame_ms must be 10, 20 or 30")
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("VAD aggressiveness must be 0..3")


BLOCK_S = 30  # frames are judged this many seconds at a time: memory stays flat


def frame_decisions(samples: np.ndarray, settings: VadSettings = VadSettings()) -> np.ndarray:
    """One bool per frame: does webrtcvad hear speech in it?"""
    import webrtcvad

    vad = webrtcvad.Vad(settings.aggressiveness)
    n = SAMPLE_RATE * settings.frame_ms // 1000
    count = len(samples) // n
    if count == 0:
        return np.zeros(0, dtype=bool)
    raw = np.zeros(count, dtype=bool)
    per_block = BLOCK_S * 1000 // settings.frame_ms
    for first in range(0, count, per_block):
        last = min(first + per_block, count)
        block = samples[first * n: last * n]
        pcm = (np.clip(np.nan_to_num(block), -1.0, 1.0) * 32767).astype("<i2")
        frames = pcm.reshape(last - first, n)
        # webrtcvad calls all-zero frames speech on some builds; true silence is never speech.
        peaks = np.abs(frames).max(axis=1)
        raw[first:last] = [peak > 0 and vad.is_speech(f.tobytes(), SAMPLE_RATE)
                           for f, peak in zip(frames, peaks)]
    return _median_filter(raw, settings.smooth_frames)


def _median_filter(flags: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or flags.size == 0:
        return flags
    half = width // 2
    padded = np.pad(flags.astype(np.int8), half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return windows.sum(axis=1) > half


def speech_regions(samples: np.ndarray, settings: VadSettings = VadSettings()) -> list[Span]:
    """Voiced stretches, with sub-word gaps bridged and blips dropped."""
    flags = frame_decisions(samples, settings)
    step = settings.frame_ms / 1000
    regions: list[Span] = []
    start = None
    for i, voiced in enumerate(flags):
        if voiced and start is None:
            start = i
        elif not voiced and start is not None:
            regions.append(Span(start * step, i * step))
            start = None
    if start is not None:
        regions.append(Span(start * step, len(flags) * step))

    merged: list[Span] = []
    for region in regions:
        if merged and region.start - merged[-1].end < settings.bridge_gap_s:
            merged[-1] = Span(merged[-1].start, region.end)
        else:
            merged.append(region)
    return [r for r in merged if r.duration >= settings.min_speech_s]


def silent_gaps(regions: list[Span], min_gap_s: float, within: Span | None = None) -> list[Span]:
    """Silences of at least `min_gap_s` between speech regions, clipped to `within`."""
    gaps = []
    for before, after in zip(regions, regions[1:]):
        gap = Span(before.end, after.start)
        if within is not None:
            gap = Span(max(gap.start, within.start), min(gap.end, within.end))
        if gap.duration >= min_gap_s:
            gaps.append(gap)
    return gaps


def voiced_seconds(regions: list[Span], within: Span) -> float:
    """Total voiced time inside `within`."""
    return sum(
        max(0.0, min(r.end, within.end) - max(r.start, within.start)) for r in regions
    )
