"""Play a take: play/pause, seek, and a position the transcript can follow.

    Player (samples, position)  <--render(out)--  Output (PortAudio callback / a test pull)

The position is where playback started plus the frames the output says it has played
(`Output.heard_frames`, from PortAudio's DAC time), so what the UI highlights is what
comes out of the speaker, never a wall-clock guess. An `Output` calls `render(buffer)`
whenever it wants more samples: `SoundDeviceOutput` from PortAudio's callback thread,
`PullOutput` when a test calls `pull(n)`, standing in for a device (both in
voicecoach.audio.output).

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
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voicecoach.audio.output import Output, SoundDeviceOutput, resample
from voicecoach.model import SAMPLE_RATE, Word

SEEK_STEP_S = 5.0


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


def word_at(starts: Sequence[float], seconds: float) -> int | None:
    """Index of the word being spoken at `seconds`, given the words' start times.

    The last word started by then: between two words the previous one stays lit (a
    reader's eye rests there); before the first word nothing is lit.
    """
    i = bisect.bisect_right(starts, seconds + 1e-6) - 1
    return i if i >= 0 else None


def word_starts(words: Sequence[Word]) -> list[float]:
    return [w.start for w in words]
