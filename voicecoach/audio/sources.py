"""Where a recording's audio comes from: a numpy array, a file played in real time, or a
microphone through PortAudio (opened ahead, with a pre-roll, so `r` records at once).

A source calls `callback(block)` from a thread of its own with fresh 16 kHz mono
float32 blocks; the recorder (voicecoach.audio.recorder) writes them and feeds the
transcriber.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voicecoach.audio.devices import (
    describe_device,
    quiet_stderr,
    resolve_input_device,
    sounddevice,
)
from voicecoach.errors import DeviceError, first_line
from voicecoach.model import SAMPLE_RATE

FIRST_BLOCK_GRACE_S = 6.0
CLOSE_TIMEOUT_S = 5.0  # a microphone may take this long to deliver its first block
# Kept from just before `start()` on a stream opened ahead: a word begun with the key
# (measured through the virtual mic: without it a take began 0.6 s into speech already
# under way at the key, with it 0.1 s).
PREROLL_S = 0.5

BlockCallback = Callable[[np.ndarray], None]


class AudioSource(Protocol):
    """Something that produces 16 kHz mono float32 blocks.

    `start(callback)` begins calling `callback(block)` from a thread of the source's own
    (a block is a fresh array the source no longer touches); `stop()` returns once no
    more calls will come. Optional attributes the recorder reads: `error: str | None`,
    `overflows: int`, `finished: bool`.
    """

    def start(self, callback: BlockCallback) -> None: ...

    def stop(self) -> None: ...


# --- sources -----------------------------------------------------------------------------


class ArraySource:
    """Feeds given samples in blocks from a thread: real-time paced, or as fast as possible.

    Like a microphone, block i is delivered once its audio "has been captured", i.e. at
    start + (i + 1) * blocksize / (16000 * speed) in real-time mode. `finished` turns true
    after the last block.
    """

    def __init__(self, samples: np.ndarray, realtime: bool = True, speed: float = 1.0,
                 blocksize: int = 1600) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        if blocksize <= 0:
            raise ValueError("blocksize must be > 0")
        self.samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.realtime = realtime
        self.speed = speed
        self.blocksize = blocksize
        self.finished = False
        self.error: str | None = None
        self.overflows = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def duration_s(self) -> float:
        return self.samples.size / SAMPLE_RATE

    def _load(self) -> np.ndarray:
        return self.samples

    def start(self, callback: BlockCallback) -> None:
        if self._thread is not None:
            raise RuntimeError("source already started")
        samples = self._load()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(samples, callback),
                                        name="voicecoach-source", daemon=True)
        self._thread.start()

    def _run(self, samples: np.ndarray, callback: BlockCallback) -> None:
        block_s = self.blocksize / (SAMPLE_RATE * self.speed)
        t0 = time.monotonic()
        for i, a in enumerate(range(0, samples.size, self.blocksize)):
            if self.realtime:
                delay = t0 + (i + 1) * block_s - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
            if self._stop.is_set():
                return
            callback(samples[a:a + self.blocksize].copy())
        self.finished = True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()


class FileSource(ArraySource):
    """An audio file played as if it were a microphone (tests, Pilot runs, benchmarks).

    Decoded with `voicecoach.audio.io.load_audio` at `start()`, which raises
    `AudioInputError` (one line) for an unreadable file.
    """

    def __init__(self, path: str | Path, realtime: bool = True, speed: float = 1.0,
                 blocksize: int = 1600) -> None:
        super().__init__(np.zeros(0, dtype=np.float32), realtime, speed, blocksize)
        self.path = Path(path)

    def _load(self) -> np.ndarray:
        from voicecoach.audio.io import load_audio

        self.samples = load_audio(self.path).samples
        return self.samples


class MicrophoneSource:
    """A PortAudio input stream (sounddevice) at 16 kHz mono.

    The PortAudio callback only copies the block and hands it on. When the device cannot
    capture at 16 kHz, it is opened at its own rate and a converter thread resamples
    (libswresample through PyAV) before handing blocks on. `capture_rate` forces a rate.

    Opening an input costs seconds on some systems (PortAudio's device query and stream
    set-up, then ~2 s before a PulseAudio null sink's monitor delivers its first block),
    so a UI calls `open()` when the screen that records appears: the stream then runs,
    keeping only the last `preroll_s` of audio in memory (nothing is saved), and
    `start()` hands that pre-roll and every later block to the recorder at once.
    `stop()` then only detaches the recorder (the next take starts at once too) and
    `close()` closes the stream. Without `open()`, `start()` opens the stream and
    `stop()` closes it.

    `error` becomes a one-line message, instead of an exception raised into PortAudio,
    when the stream dies (device unplugged, server gone) or stops delivering audio for
    `stall_s` seconds. `overflows` counts blocks PortAudio reported as overflowed since
    the last `start()`.
    """

    def __init__(self, device: int | str | None = None, blocksize: int = 1600,
                 capture_rate: int | None = None, stall_s: float = 2.0,
                 preroll_s: float = PREROLL_S) -> None:
        self.device = device
        self.blocksize = blocksize
        self.capture_rate = capture_rate
        self.stall_s = stall_s
        self.preroll_s = preroll_s
        self.overflows = 0
        self.blocks = 0  # blocks PortAudio delivered since the stream opened
        self.finished = False
        self.device_index: int | None = None
        self.device_name = ""
        self.rate = SAMPLE_RATE
        self.channels = 1
        self._error: str | None = None
        self._stream: Any = None
        self._closing = False
        self._kept_open = False  # opened by open(): stop() detaches, close() closes
        self._last_block = 0.0
        self._raw: queue.SimpleQueue[Any] | None = None
        self._converter: threading.Thread | None = None
        # Who gets the 16 kHz blocks: the recorder's callback, or (between takes) the
        # pre-roll. Held while handing a block on, so after stop() no call is running.
        self._deliver = threading.Lock()
        self._consumer: BlockCallback | None = None
        self._preroll: collections.deque[np.ndarray] = collections.deque()
        self._preroll_n = 0

    # -- state read by the recorder / UI
    @property
    def error(self) -> str | None:
        if self._error:
            return self._error
        if self._stream is not None and not self._closing and self.stall_s > 0:
            silent_for = time.monotonic() - self._last_block
            # Some servers take ~2 s to deliver the first block (PulseAudio null sinks).
            limit = self.stall_s if self.blocks else max(self.stall_s, FIRST_BLOCK_GRACE_S)
            if silent_for > limit:
                return (f"input device {self.device_name!r} stopped delivering audio "
                        f"{silent_for:.0f} s ago (unplugged?); the recording so far is kept")
        return None

    @property
    def active(self) -> bool:
        return self._stream is not None and not self._closing

    @property
    def ready(self) -> bool:
        """Open and delivering audio: a `start()` now records from this very moment."""
        return self.active and self.blocks > 0 and self.error is None

    def open(self) -> None:
        """Open the stream ahead of a take (idempotent). Raises DeviceError."""
        if self._stream is not None and (self._error or self.finished):
            self.close()  # it died while waiting for the take: open it afresh
        if self._stream is None:
            self._open_stream()
        self._kept_open = True

    def start(self, callback: BlockCallback) -> None:
        if self._consumer is not None:
            raise RuntimeError("microphone already started")
        if self._stream is not None and (self.error or self.finished):
            kept = self._kept_open
            self.close()  # the device went away between takes: try it afresh
            self._kept_open = kept
        if self._stream is None:
            self._open_stream()
        with self._deliver:
            self.overflows = 0
            for block in self._preroll:
                callback(block)
            self._preroll.clear()
            self._preroll_n = 0
            self._consumer = callback

    def _emit(self, block: np.ndarray) -> None:
        """A 16 kHz mono block: to the recorder, or into the pre-roll between takes."""
        with self._deliver:
            if self._consumer is not None:
                self._consumer(block)
                return
            self._preroll.append(block)
            self._preroll_n += block.size
            keep = int(self.preroll_s * SAMPLE_RATE)
            while self._preroll and self._preroll_n - self._preroll[0].size >= keep:
                self._preroll_n -= self._preroll.popleft().size

    def _open_stream(self) -> None:
        sd = sounddevice()
        if isinstance(self.device, int):
            index: int | None = self.device
        else:
            index = resolve_input_device(self.device or "")
        self.device_index = index
        self.device_name = describe_device(index) if index is not None else "default"
        self.rate, self.channels = self._choose_format(sd, index)
        native = self.rate != SAMPLE_RATE or self.channels != 1
        blocksize = max(1, round(self.blocksize * self.rate / SAMPLE_RATE))

        if native:
            self._raw = queue.SimpleQueue()
            raw = self._raw

            def deliver(indata: np.ndarray) -> None:
                raw.put(indata.copy())

            self._converter = threading.Thread(target=self._convert,
                                               name="voicecoach-resample", daemon=True)
            self._converter.start()
        else:

            def deliver(indata: np.ndarray) -> None:
                self._emit(indata[:, 0].copy())

        def on_audio(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            # PortAudio's thread: copy and hand on, nothing else; never raise into it.
            try:
                if status.input_overflow:
                    self.overflows += 1
                self._last_block = time.monotonic()
                self.blocks += 1
                deliver(indata)
            except Exception as err:  # noqa: BLE001 - must not propagate into PortAudio
                self._error = f"audio callback failed: {err}"

        self._closing = False
        self._error = None
        self.finished = False
        self.blocks = 0
        self._last_block = time.monotonic()
        try:
            with quiet_stderr():
                stream = sd.InputStream(
                    device=index, samplerate=self.rate, channels=self.channels,
                    dtype="float32", blocksize=blocksize, callback=on_audio,
                    finished_callback=self._on_finished)
                stream.start()
        except (sd.PortAudioError, ValueError) as err:
            self._stop_converter()
            raise DeviceError(f"cannot record from {self.device_name!r}: {first_line(err)}"
                              ) from None
        self._stream = stream

    def _choose_format(self, sd: Any, index: int | None) -> tuple[int, int]:
        if self.capture_rate:
            return int(self.capture_rate), 1
        with quiet_stderr():
            try:
                sd.check_input_settings(device=index, channels=1, dtype="float32",
                                        samplerate=SAMPLE_RATE)
                return SAMPLE_RATE, 1
            except (sd.PortAudioError, ValueError):
                pass
            try:
                info = sd.query_devices(index, "input")
            except (sd.PortAudioError, ValueError) as err:
                raise DeviceError(f"cannot use input device {index}: {first_line(err)}"
                                  ) from None
        rate = int(info.get("default_samplerate") or 48000)
        for channels in (1, min(2, int(info.get("max_input_channels", 1)) or 1)):
            with quiet_stderr():
                try:
                    sd.check_input_settings(device=index, channels=channels,
                                            dtype="float32", samplerate=rate)
                    return rate, channels
                except (sd.PortAudioError, ValueError):
                    continue
        raise DeviceError(f"input device {info.get('name', index)!r} cannot record "
                          f"at 16 kHz or at its own rate ({rate} Hz)")

    def _convert(self) -> None:
        import av  # only for devices that cannot capture at 16 kHz

        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        assert self._raw is not None
        pts = 0

        def emit(frames: list[Any]) -> None:
            for out in frames:
                samples = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                if samples.size:
                    self._emit(samples.copy())

        while True:
            block = self._raw.get()
            if block is None:
                break
            if isinstance(block, threading.Event):  # stop(): all before it is handed on
                block.set()
                continue
            mono = block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(mono).reshape(1, -1),
                                               format="flt", layout="mono")
            frame.sample_rate = self.rate
            frame.pts = pts
            pts += mono.size
            emit(resampler.resample(frame))
        emit(resampler.resample(None))

    def _stop_converter(self) -> None:
        if self._converter is not None and self._raw is not None:
            self._raw.put(None)
            self._converter.join()
        self._converter = None

    def _on_finished(self) -> None:
        self.finished = True
        if not self._closing and not self._error:
            self._error = (f"input device {self.device_name!r} stopped (unplugged, or taken "
                           "by another program); the recording so far is kept")

    def stop(self) -> None:
        """The take is over: no more calls to the callback once this returns.

        A stream opened with `open()` stays open for the next take (`close()` closes
        it); otherwise, or if it failed, the stream is closed.
        """
        if self._kept_open and self.active and not self.error:
            if self._converter is not None and self._raw is not None:
                handed_on = threading.Event()  # blocks captured so far belong to the take
                self._raw.put(handed_on)
                handed_on.wait(1.0)
            with self._deliver:
                self._consumer = None
            return
        self.close()

    def close(self) -> None:
        """Close the stream; returns within `CLOSE_TIMEOUT_S` even if the driver hangs.

        `abort()`, not `stop()`: PortAudio's stop waits for the device to hand over its
        buffers, which a hung device never does (measured: 205 s through a suspended
        PulseAudio source). At most the last block (~0.1 s) is dropped.
        """
        self._error = self.error  # a stall seen until now stays reported after stop
        stream, self._closing = self._stream, True
        self._kept_open = False
        if stream is not None:
            sd = sounddevice()

            def close() -> None:
                with quiet_stderr():
                    # A device that is gone already has nothing left to stop.
                    with contextlib.suppress(sd.PortAudioError):
                        stream.abort()
                    with contextlib.suppress(sd.PortAudioError):
                        stream.close()

            closer = threading.Thread(target=close, name="voicecoach-mic-close", daemon=True)
            closer.start()
            closer.join(CLOSE_TIMEOUT_S)
            if closer.is_alive() and not self._error:
                self._error = (f"input device {self.device_name!r} did not close "
                               f"within {CLOSE_TIMEOUT_S:.0f} s; the recording is kept")
        self._stop_converter()
        self._stream = None
        with self._deliver:
            self._consumer = None
            self._preroll.clear()
            self._preroll_n = 0
