"""Play a take: play/pause, seek, and a position the transcript can follow.

    Player (samples, position)  <--render(out)--  Output (PortAudio callback / a test pull)

The position is where playback started plus the frames the output says it has played
(`Output.heard_frames`, from PortAudio's DAC time), so what the UI highlights is what
comes out of the speaker, never a wall-clock guess. An `Output` calls `render(buffer)`
whenever it wants more samples: `SoundDeviceOutput` from PortAudio's callback thread,
`PullOutput` when a test calls `pull(n)`, standing in for a device.

Continuity: the device holds two seconds of audio (`BUFFER_S`), so a callback that
runs late (other programs busy on both cores, the UI thread holding the GIL through a
garbage collection) is absorbed instead of heard as a gap. A large buffer would make
pause and seek lag behind the key; they do not, because both stop the stream at once
(`halt`, dropping what it held) and the position is rewound to what was heard.

Idle means idle: while paused, or once the take has played out, the stream is stopped
and no callback runs.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.errors import DeviceError, first_line

# Fills a 1-D float32 buffer in place; returns how many frames of it are the take's
# (the rest is silence: paused, or past the end).
Render = Callable[[np.ndarray], int]
SEEK_STEP_S = 5.0
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


class Player:
    """Plays `samples` (mono float32 at `rate`) through `output`.

    Thread-safe: play/pause/seek come from the UI thread, `_render` from the output's
    thread; a lock guards the position and state, held only to copy one block (never
    while the output is started or stopped: stopping waits for the callback).

    `open()` gets the device ready and may take a while (PortAudio, resampling): call it
    from a worker; `play()` opens it on first use otherwise.
    """

    def __init__(self, samples: np.ndarray, rate: int = SAMPLE_RATE,
                 output: Output | None = None) -> None:
        self._source = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        self._source_rate = rate
        self._samples = self._source
        self.rate = rate
        self.output: Output = output if output is not None else SoundDeviceOutput()
        self._lock = threading.Lock()
        self._frame = 0  # next frame to hand to the output
        self._floor = 0  # where the current run started: what is heard is counted from here
        self._playing = False  # the user's intent: play until paused or the end is heard
        self._exhausted = False  # every frame handed over; the device may still play some
        self._ended = False  # ...and played out
        self._drained_at: float | None = None  # when the output said it had played it all
        self._opened = False

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
        """Seconds of the take handed to the output (some may still be in its buffer)."""
        with self._lock:
            return self._frame / self.rate

    @property
    def audible_s(self) -> float:
        """What is coming out of the speaker now: where this run started plus what the
        output has played of it."""
        return self._heard_frame() / self.rate

    def _heard_frame(self) -> int:
        heard = self.output.heard_frames() if self._playing else None
        with self._lock:
            frame, floor = self._frame, self._floor
        return frame if heard is None else min(frame, floor + heard)

    @property
    def playing(self) -> bool:
        self._check_end()
        return self._playing

    @property
    def ended(self) -> bool:
        """The last sample has been heard (not just handed over) since the last play()."""
        self._check_end()
        return self._ended

    def _check_end(self) -> None:
        """Handed-over-everything becomes ended once the device has played it out; the
        stream stops then, so an ended take costs no CPU."""
        if not (self._exhausted and self._playing) or self.output.pending_frames() > 0:
            return
        now = time.monotonic()
        if self._drained_at is None:
            self._drained_at = now
        if now - self._drained_at >= self.output.slack_s:
            self.output.halt()
            with self._lock:
                self._playing = False
                self._ended = True

    # --- control ----------------------------------------------------------------------------
    def open(self) -> None:
        """Ready the output (idempotent); raises DeviceError if it cannot be opened."""
        if self._opened:
            return
        self.output.open(self._source_rate, self._render)
        if self.output.rate != self._source_rate:
            samples = resample(self._source, self._source_rate, self.output.rate)
            with self._lock:
                position = self._frame / self.rate
                self._samples, self.rate = samples, self.output.rate
                self._frame = min(int(round(position * self.rate)), len(self._samples))
        self._opened = True

    def play(self) -> None:
        self.open()
        with self._lock:
            if self._frame >= len(self._samples):
                self._frame = 0  # play after the end starts over
            self._floor = self._frame
            self._exhausted = self._ended = False
            self._drained_at = None
            self._playing = True
        try:
            self.output.resume()
        except Exception:
            with self._lock:
                self._playing = False
            raise

    def pause(self) -> None:
        self._halt()

    def _halt(self) -> bool:
        """Stop the output now; the position goes back to what was heard (and the
        output's slack before it). Returns whether it was playing."""
        if not self._playing:
            return False
        if self._opened:
            self.output.halt()
        heard = self.output.heard_frames()
        slack = int(round(self.output.slack_s * self.rate))
        with self._lock:
            self._frame = max(self._floor, min(self._frame, self._floor + heard - slack))
            self._exhausted = self._frame >= len(self._samples)
            self._playing = False
        return True

    def toggle(self) -> bool:
        """Play or pause; returns whether it is now playing."""
        if self.playing:
            self.pause()
        else:
            self.play()
        return self._playing

    def seek(self, seconds: float) -> float:
        """Jump to `seconds` (clamped to the take); returns the new position. While
        playing, what the device still held of the old position is dropped."""
        resume = self._halt()
        with self._lock:
            frame = int(round(max(0.0, seconds) * self.rate))
            self._frame = self._floor = min(frame, len(self._samples))
            self._ended = self._exhausted = False
            position = self._frame / self.rate
        if resume and position < self.duration_s:
            self.play()
        return position

    def skip(self, delta_s: float = SEEK_STEP_S) -> float:
        return self.seek(self.audible_s + delta_s)

    def close(self) -> None:
        with self._lock:
            self._playing = False
        self.output.close()
        self._opened = False

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the output's side --------------------------------------------------------------------
    def _render(self, out: np.ndarray) -> int:
        with self._lock:
            if not self._playing or self._exhausted:
                out.fill(0)
                return 0
            start = self._frame
            n = min(len(out), len(self._samples) - start)
            if n > 0:
                out[:n] = self._samples[start:start + n]
            out[max(n, 0):] = 0
            self._frame = start + max(n, 0)
            if self._frame >= len(self._samples):
                self._exhausted = True  # the device still plays what it holds
            return max(n, 0)


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
