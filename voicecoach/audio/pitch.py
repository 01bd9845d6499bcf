"""Pitch (F0) and level of a recording, frame by frame, on one fixed time grid.

Pitch comes from Praat's autocorrelation tracker (Boersma 1993) through
praat-parselmouth, the field's standard tool. Frame k is centred at (k + 0.5) * STEP_S
whatever block of audio it was computed from, so a take tracked in blocks while it is
recorded (`PitchFollower`) gives the same frames as one pass over the saved file.

Cost (docs/performance.md): Praat on 5 minutes at 16 kHz takes 0.4-0.9 s on this
machine, too long for the stop key; tracked in BLOCK_S blocks as audio arrives, the
stop pays for the last block only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voicecoach.model import SAMPLE_RATE

STEP_S = 0.02  # 50 frames a second: plenty for 10 s windows, half Praat's default cost
FLOOR_HZ, CEILING_HZ = 75.0, 500.0  # Praat's standard range for speech
BLOCK_S = 5.0  # audio tracked at a time while recording: the stop tracks at most this
MARGIN_S = 0.3  # context on each side of a block, so its edge frames see whole windows
SILENCE_DB = -100.0  # level of digital silence

STEP = int(STEP_S * SAMPLE_RATE)


@dataclass
class PitchTrack:
    """Frames k = 0..n-1 centred at (k + 0.5) * STEP_S seconds."""

    f0: np.ndarray  # Hz; NaN where Praat found no voicing
    db: np.ndarray  # RMS level of the frame, dB re full scale

    @property
    def times(self) -> np.ndarray:
        return (np.arange(len(self.f0)) + 0.5) * STEP_S

    @property
    def voiced(self) -> np.ndarray:
        return np.isfinite(self.f0)


def track_pitch(samples: np.ndarray) -> PitchTrack:
    """The whole recording in one pass (files, the batch pipeline)."""
    follower = PitchFollower()
    return follower.finish(lambda lo, hi: samples[lo:hi], len(samples))


def _frames(read: Callable[[int, int], np.ndarray], first: int, last: int, total: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """F0 and level of frames first..last-1, from the audio around them."""
    import parselmouth  # a native library: loaded only when a take is analysed

    lo = max(first * STEP - int(MARGIN_S * SAMPLE_RATE), 0)
    hi = min(last * STEP + int(MARGIN_S * SAMPLE_RATE), total)
    x = np.asarray(read(lo, hi), dtype=np.float64)
    times = (np.arange(first, last) + 0.5) * STEP_S
    f0 = np.full(last - first, np.nan)
    if len(x) >= int(3 / FLOOR_HZ * SAMPLE_RATE) + 1 and np.any(x):
        pitch = parselmouth.Sound(x, sampling_frequency=SAMPLE_RATE, start_time=lo / SAMPLE_RATE
                                  ).to_pitch_ac(time_step=STEP_S, pitch_floor=FLOOR_HZ,
                                                pitch_ceiling=CEILING_HZ)
        values = pitch.selected_array["frequency"]
        if len(values):
            idx = np.clip(np.round((times - pitch.x1) / pitch.dx).astype(int), 0,
                          len(values) - 1)
            near = np.abs(pitch.x1 + idx * pitch.dx - times) <= pitch.dx / 2 + 1e-9
            got = values[idx]
            f0 = np.where(near & (got > 0), got, np.nan)
    # Level: the RMS of each frame's own 20 ms (frames tile the audio).
    own = x[first * STEP - lo:][: (last - first) * STEP]
    own = np.pad(own, (0, (last - first) * STEP - len(own)))
    rms = np.sqrt(np.mean(own.reshape(-1, STEP) ** 2, axis=1))
    db = np.where(rms > 0, 20 * np.log10(np.maximum(rms, 1e-12)), SILENCE_DB)
    return f0, db


class PitchFollower:
    """Tracks pitch block by block as a recording grows.

    `advance` is called by the one thread that appends audio (the streaming
    transcriber's feed); `finish` tracks what is left. Blocks are BLOCK_S long and
    wait for MARGIN_S of audio past their end, so no frame is computed twice.
    """

    def __init__(self) -> None:
        self._f0: list[np.ndarray] = []
        self._db: list[np.ndarray] = []
        self.frames = 0  # frames tracked so far
        self.busy_s = 0.0  # time spent in Praat (the benchmark reads it)

    def advance(self, read: Callable[[int, int], np.ndarray], total: int) -> None:
        """Track every whole block whose right margin has arrived."""
        block = int(BLOCK_S / STEP_S)
        while (self.frames + block) * STEP + int(MARGIN_S * SAMPLE_RATE) <= total:
            self._track(read, self.frames + block, total)

    def finish(self, read: Callable[[int, int], np.ndarray], total: int) -> PitchTrack:
        """The rest of the recording; the whole track."""
        self.advance(read, total)
        last = total // STEP
        if last > self.frames:
            self._track(read, last, total)
        if not self._f0:
            return PitchTrack(np.empty(0), np.empty(0))
        return PitchTrack(np.concatenate(self._f0), np.concatenate(self._db))

    def _track(self, read: Callable[[int, int], np.ndarray], last: int, total: int) -> None:
        started = time.perf_counter()
        f0, db = _frames(read, self.frames, last, total)
        self.busy_s += time.perf_counter() - started
        self._f0.append(f0)
        self._db.append(db)
        self.frames = last
