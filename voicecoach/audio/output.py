"""Where played samples go: PortAudio (`SoundDeviceOutput`) or a test's pull (`PullOutput`).

An output calls `render(buffer)` whenever it wants more samples and says how many
frames it has played (`heard_frames`, from PortAudio's DAC time), so the player
(voicecoach.playback) follows what comes out of the speaker.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from voicecoach.errors import DeviceError, first_line
from voicecoach.model import SAMPLE_RATE

# Fills a 1-D float32 buffer in place; returns how many frames of it are the take's
# (the rest is silence: paused, or past the end).
Render = Callable[[np.ndarray], int]
# Measured on this 2-core machine while other work kept it busy (CPU pressure 97%):
# with 0.1 s of buffer the callback underran 9 times in 12 s (gaps of 0.08-0.23 s in
# the sink's recording); with 0.5 s a single 1.5 s stall of the callback thread still
# left a 1.04 s gap. Two seconds absorb stalls like that one.
BUFFER_S = 2.0
# Silence handed over first after each start: through ALSA -> PulseAudio the first
# ~18 ms after a stream starts never reached the sink (measured on a null sink's
# monitor), which clipped the onset of a word when resuming mid-sentence.
PREROLL_S = 0.05
# What the device's own clock (PortAudio's DAC time) does not see: the sound server can
# hold up to ~45 ms more (measured). The end waits this long before stopping the
# stream, and a pause rewinds this much further, so nothing is cut.
SLACK_S = 0.1


class Output(Protocol):
    """Where the player's samples go.

    Between `resume()` and `halt()` the output calls `render` for samples and counts the
    take's frames it has played (`heard_frames`); the player adds them to where the run
    started to know what is coming out of the speaker.
    """

    rate: int  # the rate the output runs at, set by open()
    slack_s: float  # sound the device may still hold beyond what heard_frames() says

    def open(self, rate: int, render: Render) -> None:
        """Get the device ready (no sound yet); `self.rate` says the rate actually used."""

    def resume(self) -> None:
        """Start calling `render`; the count of heard frames starts again at 0."""

    def halt(self) -> None:
        """Stop calling `render` now, dropping whatever the device holds unplayed."""

    def heard_frames(self) -> int:
        """Frames of the take played since `resume()` (frozen by `halt()`)."""

    def pending_frames(self) -> int:
        """Frames of the take handed over since `resume()` and not played yet."""

    def close(self) -> None: ...


class PullOutput:
    """A device that consumes samples only when asked: deterministic tests, no sound card.

    `pull(frames)` takes `frames` samples from the player, as one PortAudio callback
    would, and keeps them in `received`. What it takes counts as heard at once.
    """

    def __init__(self, rate: int | None = None, keep: bool = True) -> None:
        self.device_rate = rate  # None: whatever rate the player asks for
        self.rate = rate or SAMPLE_RATE
        self.slack_s = 0.0
        self.keep = keep
        self.received: list[np.ndarray] = []
        self._render: Render | None = None
        self.running = False  # between resume() and halt(): a device's callbacks would run
        self.closed = False
        self.error: str | None = None
        self._heard = 0

    def open(self, rate: int, render: Render) -> None:
        self.rate, self._render = self.device_rate or rate, render

    def resume(self) -> None:
        self.running, self._heard = True, 0

    def halt(self) -> None:
        self.running = False

    def heard_frames(self) -> int:
        return self._heard

    def pending_frames(self) -> int:
        return 0

    def pull(self, frames: int) -> np.ndarray:
        if self._render is None or self.closed:
            raise RuntimeError("output not open")
        block = np.zeros(frames, dtype=np.float32)
        if self.running:  # a stopped device asks for nothing: it plays silence
            self._heard += self._render(block)
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
        self.running = False
        self.closed = True


class SoundDeviceOutput:
    """A PortAudio output stream (sounddevice), mono float32.

    Opens at the take's rate when the device accepts it, else at the device's own rate
    (the player resamples once). The callback only copies samples and notes the time
    the last of them will be heard (PortAudio's DAC time): no allocation beyond the
    player's slice, no locks held for long, no exceptions into PortAudio.
    """

    def __init__(self, device: int | str | None = None, latency: float = BUFFER_S,
                 blocksize: int = 0) -> None:
        self.device = device
        self.latency = latency
        self.blocksize = blocksize
        self.rate = SAMPLE_RATE
        self.slack_s = SLACK_S
        self.latency_s = 0.0  # what PortAudio granted
        self.error: str | None = None
        self.underflows = 0  # callbacks PortAudio reported late: audible gaps
        self.device_name = "default"
        self._stream: Any = None
        self._stopping = True  # we stop the stream ourselves (halt, close): not an error
        self._preroll = 0  # frames of silence still to hand over before the take
        # Since resume(): (monotonic time of the last callback that took frames of the
        # take, seconds until the last of them is played, frames of the take taken).
        # One tuple, replaced whole, so a reader on another thread sees a consistent note.
        self._note: tuple[float, float, int] | None = None
        self._given = 0
        self._frozen: int | None = None  # heard frames when halted

    def open(self, rate: int, render: Render) -> None:
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
                skip = min(self._preroll, frames)
                if skip:
                    outdata[:skip].fill(0)
                    self._preroll -= skip
                taken = render(outdata[skip:, 0]) if skip < frames else 0
                if taken:
                    self._noted(time_info, skip + taken, taken)
            except Exception as err:  # noqa: BLE001 - never raise into PortAudio
                outdata.fill(0)
                self.error = f"playback failed: {err}"

        def finished() -> None:  # PortAudio calls this after our own abort() too
            if not self._stopping and self.error is None:
                self.error = (f"output device {self.device_name!r} stopped (unplugged, or "
                              "taken by another program)")

        try:
            with quiet_stderr():
                stream = sd.OutputStream(device=index, samplerate=self.rate, channels=1,
                                         dtype="float32", latency=self.latency,
                                         blocksize=self.blocksize, callback=callback,
                                         finished_callback=finished)
        except (sd.PortAudioError, ValueError) as err:
            raise DeviceError(f"cannot play on {self.device_name!r}: {first_line(err)}"
                              ) from None
        self._stream = stream
        self.latency_s = float(stream.latency or 0.0)

    def _noted(self, time_info: Any, end: int, taken: int) -> None:
        """The block's first `end` frames end with `taken` frames of the take."""
        dac, now = time_info.outputBufferDacTime, time_info.currentTime
        # Some host APIs leave the times at 0: assume the whole buffer is queued then.
        ahead = dac - now + end / self.rate if dac and now else self.latency_s
        self._given += taken
        self._note = (time.monotonic(), max(0.0, ahead), self._given)

    def heard_frames(self) -> int:
        if self._frozen is not None:
            return self._frozen
        note = self._note
        if note is None:
            return 0
        at, ahead, given = note
        unplayed = max(0.0, ahead - (time.monotonic() - at))
        return max(0, given - int(round(unplayed * self.rate)))

    def pending_frames(self) -> int:
        note = self._note
        return 0 if note is None else max(0, note[2] - self.heard_frames())

    def resume(self) -> None:
        stream = self._stream
        if stream is None or stream.active:
            return
        from voicecoach.audio.devices import quiet_stderr, sounddevice

        sd = sounddevice()
        self._note, self._given, self._frozen = None, 0, None
        self._stopping = False
        self._preroll = int(PREROLL_S * self.rate)
        try:
            with quiet_stderr():
                stream.start()
        except sd.PortAudioError as err:
            self._stopping = True
            raise DeviceError(f"cannot play on {self.device_name!r}: {first_line(err)}"
                              ) from None

    def halt(self) -> None:
        stream = self._stream
        if stream is None or stream.stopped:
            return
        from voicecoach.audio.devices import quiet_stderr, sounddevice

        sd = sounddevice()
        self._stopping = True
        # abort, not stop: stop() would wait for the buffer to play out.
        with quiet_stderr(), contextlib.suppress(sd.PortAudioError):
            stream.abort()
        self._frozen = self.heard_frames()  # no callback runs now: this is final
        self._note = None

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
        self._stopping = True
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
