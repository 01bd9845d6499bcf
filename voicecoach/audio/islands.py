"""Syllable-sized stretches of voice set off by silence, and how periodic they are.

The speech regions (vad.py) bridge gaps under 0.15 s, so a short "uh" said between two
words disappears into the utterance. A finer pass — 10 ms webrtcvad frames at its
strictest, gaps of 60 ms kept — finds the islands such a filler leaves. Periodicity (a
clear pitch in most frames) then tells a held vowel or hum, which is what a filled
pause is, from a consonant fragment such as the "st" of a word split at its closure.
Measured on the corpus in docs/scoring.md ("Acoustic fillers").
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from voicecoach.audio.segment import Segmenter
from voicecoach.audio.vad import VadSettings, speech_regions
from voicecoach.model import SAMPLE_RATE, Island, Span

ISLAND_VAD = VadSettings(aggressiveness=3, frame_ms=10, smooth_frames=3,
                         min_speech_s=0.04, bridge_gap_s=0.06)
# A filled pause lasts from a clipped "uh" (~0.1 s) to a held "umm"; longer islands
# are words or phrases, shorter ones clicks.
MIN_ISLAND_S = 0.08
MAX_ISLAND_S = 0.45
PITCH_HZ = (60.0, 400.0)  # the range of speaking voices
FRAME_S, HOP_S = 0.04, 0.01  # a 40 ms frame holds two periods of a 60 Hz voice
VOICED_CORRELATION = 0.5  # normalised autocorrelation at the pitch lag


def voice_islands(samples: np.ndarray) -> list[Island]:
    """Short stretches of voice with silence (>= 60 ms) on both sides."""
    return _islands(speech_regions(samples, ISLAND_VAD), lambda lo, hi: samples[lo:hi])


def _islands(regions: list[Span], read: Callable[[int, int], np.ndarray]) -> list[Island]:
    """The regions of island length, with their periodicity."""
    return [Island(s.start, s.end, periodicity(read(*s.samples)))
            for s in regions if MIN_ISLAND_S <= s.duration <= MAX_ISLAND_S]


class IslandFollower:
    """`voice_islands` as a recording grows: the stop finds only the last ones.

    The frames go through the streaming segmenter, whose regions equal the batch
    VAD's (tests/test_streaming.py), so a take followed while it is recorded gets the
    islands of one pass over its file. On a 5 min take the pass costs 0.4-0.5 s, too
    much to pay after the stop key. `advance` is called by the one thread that
    appends audio.
    """

    def __init__(self) -> None:
        self._seg = Segmenter(ISLAND_VAD, max_region_s=math.inf)
        self._islands: list[Island] = []
        self._seen = 0  # final regions looked at so far

    def advance(self, read: Callable[[int, int], np.ndarray], total: int) -> None:
        self._seg.push(read(self._seg.samples_seen, total))
        self._collect(read)

    def finish(self, read: Callable[[int, int], np.ndarray], total: int) -> list[Island]:
        self.advance(read, total)
        self._seg.flush()
        self._collect(read)
        return list(self._islands)

    def _collect(self, read: Callable[[int, int], np.ndarray]) -> None:
        final = self._seg.regions.final
        self._islands += _islands(final[self._seen:], read)
        self._seen = len(final)


def periodicity(x: np.ndarray) -> float:
    """Share of frames whose autocorrelation has a clear peak at a voice's pitch.

    The frame's autocorrelation is divided by the window's own (Boersma 1993), or a
    low voice's peak, which sits far along the lag axis, would look weak.
    """
    n, hop = int(FRAME_S * SAMPLE_RATE), int(HOP_S * SAMPLE_RATE)
    if len(x) < n:
        return 0.0
    window = np.hanning(n)
    win_ac = np.correlate(window, window, "full")[n - 1:]
    win_ac = np.maximum(win_ac / win_ac[0], 1e-3)
    lo, hi = int(SAMPLE_RATE / PITCH_HZ[1]), int(SAMPLE_RATE / PITCH_HZ[0])
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), n)[::hop]
    voiced = 0
    for frame in frames:
        f = (frame - frame.mean()) * window
        energy = float(np.dot(f, f))
        if energy < 1e-8:
            continue
        spectrum = np.fft.rfft(f, 2 * n)  # autocorrelation via FFT, no wrap-around
        ac = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
        voiced += float(np.max(ac[lo:hi] / ac[0] / win_ac[lo:hi])) >= VOICED_CORRELATION
    return voiced / len(frames)
