"""Play a take: play/pause, seek, and a position the transcript can follow.

    Player (samples, position)  <--render(out)--  Output (PortAudio callback / a test pull)

The position is the number of frames the output has actually taken from the player,
so what the UI highlights is what went to the device, never a wall-clock guess. An
`Output` only has to call `render(buffer)` whenever it wants more samples:
`SoundDeviceOutput` does so from PortAudio's callback thread; `PullOutput` does so when
a test calls `pull(n)`, standing in for a device that consumes samples.

The stream stays open (writing silence) while paused, so pause and resume are
immediate and never drop or repeat samples; `close()` releases the device.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.errors import DeviceError, first_line

Render = Callable[[np.ndarray], None]  # fills a 1-D float32 buffer in place
SEEK_STEP_S = 5.0


class Output(Protocol):
    """Where the player's samples go."""

    rate: int  # the rate the output runs at, set by start()
    latency_s: float  # time from render() to the speaker

    def start(self, rate: int, render: Render) -> None:
        """Begin calling `render`; `self.rate` says the rate actually used."""

    def close(self) -> None: ...


class PullOutput:
    """A device that consumes samples only when asked: deterministic tests, no sound card.

    `pull(frames)` takes `frames` samples from the player, as one PortAudio callback
    would, and keeps them in `received`.
    """

    def __init__(self, rate: int | None = None, keep: bool = True) -> None:
        self.device_rate = rate  # None: whatever rate the player asks for
        self.rate = rate or SAMPLE_RATE
        self.latency_s = 0.0
        self.keep = keep
        self.received: list[np.ndarray] = []
        self._render: Render | None = None
        self.closed = False

    def start(self, rate: int, render: Render) -> None:
        self.rate, self._render = self.device_rate or rate, render

    def pull(self, frames: int) -> np.ndarray:
        if self._render is None or self.closed:
            raise RuntimeError("output not started")
        block = np.zeros(frames, dtype=np.float32)
        self._render(block)
        if self.keep:
            self.received.append(block)
        return block

    def pull_seconds(self, seconds: float, block: int = 512) -> None:
        """Consume `seconds` of audio in callback-sized blocks."""
        total = int(round(seconds * self.rate))
        while total > 0:
            n = min(block, total)
            self.pull(n)
            total -= n

    def samples(self) -> np.ndarray:
        return np.concatenate(self.received) if self.received else np.zeros(0, np.float32)

    def close(self) -> None:
        self.closed = True


class SoundDeviceOutput:
    """A PortAudio output stream (sounddevice), mono float32.

    Opens at the take's rate when the device accepts it, else at the device's own rate
    (the player resamples once). The callback only copies samples: no allocation beyond
    the player's slice, no locks held for long, no exceptions into PortAudio.
    """

    # 100 ms of buffer: "low" latency underran on a busy 2-core machine, and an underrun
    # is an audible gap; the highlight subtracts the latency instead (`audible_s`).
    def __init__(self, device: int | str | None = None, latency: str | float = 0.1,
                 blocksize: int = 0) -> None:
        self.device = device
        self.latency = latency
        self.blocksize = blocksize
        self.rate = SAMPLE_RATE
        self.latency_s = 0.0
        self.error: str | None = None
        self.underflows = 0  # callbacks PortAudio reported late: audible gaps
        self.device_name = "default"
        self._stream: Any = None
        self._closing = False

    def start(self, rate: int, render: Render) -> None:
        from voicecoach.audio.devices import (
            describe_device,
            quiet_stderr,
            resolve_output_device,
            sounddevice,
        )

        sd = sounddevice()
        index = self.device if isinstance(self.device, int) else resolve_output_device(
            self.device or "")
        self.device_name = describe_device(index) if index is not None else "default"
        self.rate = self._choose_rate(sd, index, rate)

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            try:
                if status.output_underflow:
                    self.underflows += 1
                render(outdata[:, 0])
            except Exception as err:  # noqa: BLE001 - never raise into PortAudio
                outdata.fill(0)
                self.error = f"playback failed: {err}"

        def finished() -> None:
            if self._stream is not None and not self._closing:
                self.error = (f"output device {self.device_name!r} stopped (unplugged, or "
                              "taken by another program)")

        self._closing = False
        try:
            with quiet_stderr():
                stream = sd.OutputStream(device=index, samplerate=self.rate, channels=1,
                                         dtype="float32", latency=self.latency,
                                         blocksize=self.blocksize, callback=callback,
                                         finished_callback=finished)
                stream.start()
        except (sd.PortAudioError, ValueError) as err:
            raise DeviceError(f"cannot play on {self.device_name!r}: {first_line(err)}"
                              ) from None
        self._stream = stream
        self.latency_s = float(stream.latency or 0.0)

    @staticmethod
    def _choose_rate(sd: Any, index: int | None, rate: int) -> int:
        from voicecoach.audio.devices import quiet_stderr

        with quiet_stderr():
            try:
                sd.check_output_settings(device=index, channels=1, dtype="float32",
                                         samplerate=rate)
                return rate
            except (sd.PortAudioError, ValueError):
                info = sd.query_devices(index, "output")
        return int(info.get("default_samplerate") or 48000)

    def close(self) -> None:
        self._closing = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        from voicecoach.audio.devices import quiet_stderr, sounddevice

        sd = sounddevice()
        with quiet_stderr():
            with contextlib.suppress(sd.PortAudioError):
                stream.abort()
            with contextlib.suppress(sd.PortAudioError):
                stream.close()


class Player:
    """Plays `samples` (mono float32 at `rate`) through `output`.

    Thread-safe: play/pause/seek come from the UI thread, `_render` from the output's
    thread; a lock guards the position and state, held only to copy one block.
    """

    def __init__(self, samples: np.ndarray, rate: int = SAMPLE_RATE,
                 output: Output | None = None) -> None:
        self._source = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        self._source_rate = rate
        self._samples = self._source
        self.rate = rate
        self.output: Output = output if output is not None else SoundDeviceOutput()
        self._lock = threading.Lock()
        self._frame = 0
        self._playing = False
        self._started = False
        self.ended = False  # reached the end since the last play()

    @classmethod
    def from_file(cls, path: str | Path, output: Output | None = None) -> Player:
        from voicecoach.audio.io import load_audio

        return cls(load_audio(path).samples, SAMPLE_RATE, output)

    # --- state ------------------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        return len(self._source) / self._source_rate

    @property
    def position_s(self) -> float:
        """Seconds of the take the output has consumed."""
        with self._lock:
            return self._frame / self.rate

    @property
    def audible_s(self) -> float:
        """The position minus the output's latency: what is coming out of the speaker."""
        with self._lock:
            frame, playing = self._frame, self._playing
        if not playing:
            return frame / self.rate
        return max(0.0, frame / self.rate - self.output.latency_s)

    @property
    def playing(self) -> bool:
        return self._playing

    # --- control ----------------------------------------------------------------------------
    def play(self) -> None:
        self._ensure_started()
        with self._lock:
            if self._frame >= len(self._samples):
                self._frame = 0  # play after the end starts over
            self.ended = False
            self._playing = True

    def pause(self) -> None:
        with self._lock:
            self._playing = False

    def toggle(self) -> bool:
        """Play or pause; returns whether it is now playing."""
        if self._playing:
            self.pause()
        else:
            self.play()
        return self._playing

    def seek(self, seconds: float) -> float:
        """Jump to `seconds` (clamped to the take); returns the new position."""
        with self._lock:
            frame = int(round(max(0.0, seconds) * self.rate))
            self._frame = min(frame, len(self._samples))
            if self._frame < len(self._samples):
                self.ended = False
            return self._frame / self.rate

    def skip(self, delta_s: float = SEEK_STEP_S) -> float:
        return self.seek(self.position_s + delta_s)

    def close(self) -> None:
        with self._lock:
            self._playing = False
        self.output.close()
        self._started = False

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the output's side --------------------------------------------------------------------
    def _ensure_started(self) -> None:
        if self._started:
            return
        self.output.start(self._source_rate, self._render)
        if self.output.rate != self._source_rate:
            with self._lock:
                position = self._frame / self.rate
                self._samples = resample(self._source, self._source_rate, self.output.rate)
                self.rate = self.output.rate
                self._frame = min(int(round(position * self.rate)), len(self._samples))
        self._started = True

    def _render(self, out: np.ndarray) -> None:
        with self._lock:
            if not self._playing:
                out.fill(0)
                return
            start = self._frame
            n = min(len(out), len(self._samples) - start)
            if n > 0:
                out[:n] = self._samples[start:start + n]
            out[max(n, 0):] = 0
            self._frame = start + max(n, 0)
            if self._frame >= len(self._samples):
                self._playing = False
                self.ended = True


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Mono float32 from `src` Hz to `dst` Hz (libswresample via PyAV)."""
    if src == dst or samples.size == 0:
        return samples
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples).reshape(1, -1),
                                       format="flt", layout="mono")
    frame.sample_rate = src
    frame.pts = 0
    parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.float32) if parts else samples[:0]


def word_at(starts: Sequence[float], seconds: float) -> int | None:
    """Index of the word being spoken at `seconds`, given the words' start times.

    The last word started by then: between two words the previous one stays lit (a
    reader's eye rests there); before the first word nothing is lit.
    """
    i = bisect.bisect_right(starts, seconds + 1e-6) - 1
    return i if i >= 0 else None


def word_starts(words: Sequence[Word]) -> list[float]:
    return [w.start for w in words]

