"""Recording that never loses a take.

    source (PortAudio callback / file thread)  --queue-->  writer thread  --> X.wav.partial
                                                                |--queue--> hook thread (on_block)

* The audio callback only copies the block and puts it on a queue.
* The writer thread appends each block to `<out>.partial` as soon as it arrives (16-bit PCM
  WAV, written with plain `os.write`, so the bytes are in the OS the moment the block is
  handled), rewrites the two WAV size fields every `flush_interval_s` (0.5 s) and fsyncs
  every `fsync_interval_s` (1 s). A killed process therefore leaves a valid WAV prefix
  missing at most the blocks still in the queue; a power cut loses at most ~1 s.
* `stop()` patches the header, fsyncs and renames `X.wav.partial` -> `X.wav` (or encodes
  `X.flac` when asked for FLAC). `recover_unfinished()` finalizes partials left behind by
  a crash; a partial still being recorded is skipped (it is `flock`ed while recording).
* `on_block(samples, start_s)` runs on its own thread, so a slow consumer (streaming
  transcription) never delays the disk writes; blocks arrive in order and all of them
  have been delivered when `stop()` returns.

Why not FLAC while recording: a killed FLAC encoder leaves a stream whose header claims
no samples and whose last frame is cut; a PCM WAV prefix is always decodable after two
size fields are fixed. FLAC is still available as the final format (`out_path` ending in
`.flac`), encoded once at `stop()`.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach import trace
from voicecoach.audio.sources import AudioSource
from voicecoach.audio.takefile import (
    FINAL_SUFFIXES,
    HEADER_BYTES,
    finish_flac,
    fsync_dir,
    partial_path_for,
    patch_sizes,
    to_pcm16,
    try_lock,
    wav_header,
)
from voicecoach.errors import os_reason
from voicecoach.model import SAMPLE_RATE
from voicecoach.private import private_dir

SILENT_DB = -50.0  # below this the input is treated as silence (muted or unplugged mic)
CLIP_PEAK = 0.99
FLOOR_DB = -100.0
LEVEL_WINDOW = SAMPLE_RATE // 10  # level() describes the last ~100 ms
BlockHook = Callable[[np.ndarray, float], None]


@dataclass(frozen=True)
class Level:
    rms_db: float  # dBFS of the last ~100 ms, FLOOR_DB (-100) for digital silence
    peak: float  # 0..1
    silent: bool
    clipping: bool

    @classmethod
    def of(cls, samples: np.ndarray) -> Level:
        if samples.size == 0:
            return QUIET
        peak = float(np.max(np.abs(samples)))
        rms = math.sqrt(float(np.dot(samples, samples)) / samples.size)
        db = max(FLOOR_DB, 20.0 * math.log10(rms)) if rms > 0 else FLOOR_DB
        return cls(round(db, 1), round(peak, 4), db < SILENT_DB, peak >= CLIP_PEAK)


QUIET = Level(FLOOR_DB, 0.0, True, False)


# --- the recorder ------------------------------------------------------------------------

_STOP = object()


class Recorder:
    """Records `source` into `out_path` (.wav or .flac), safe against crashes.

    `start()` raises `DeviceError`/`AudioInputError` (one line) if the source cannot
    start, or `OSError` if the file cannot be created. Afterwards nothing raises: device
    loss and write failures (disk full) show up in `error`, and the audio recorded until
    then stays on disk and is returned by `stop()`.
    """

    def __init__(self, out_path: Path, source: AudioSource,
                 on_block: BlockHook | None = None, *, flush_interval_s: float = 0.5,
                 fsync_interval_s: float = 1.0) -> None:
        self.out_path = Path(out_path)
        if self.out_path.suffix.lower() not in FINAL_SUFFIXES:
            raise ValueError(f"{self.out_path}: recordings are .wav or .flac")
        self.source = source
        self.on_block = on_block
        self.flush_interval_s = flush_interval_s
        self.fsync_interval_s = fsync_interval_s
        self.partial_path = partial_path_for(self.out_path)
        self.path: Path | None = None  # the final file, once stopped
        self.hook_error: str | None = None
        self._fd: int | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._hook_queue: queue.SimpleQueue[Any] | None = None
        self._writer: threading.Thread | None = None
        self._hook: threading.Thread | None = None
        self._samples = 0  # samples handled by the writer (timeline position)
        self._bytes = 0  # PCM bytes safely written to the partial file
        self._write_failed = False
        self._error: str | None = None
        self._level = QUIET
        self._ring = np.zeros(LEVEL_WINDOW, dtype=np.float32)
        self._ring_fill = 0
        self._started = False
        self._stopped = False
        self._lock = threading.Lock()
        self._first_audio = threading.Event()

    # -- what a UI polls ----------------------------------------------------------------
    def level(self) -> Level:
        """Loudness of the last ~100 ms (precomputed by the writer: free to poll)."""
        return self._level

    @property
    def elapsed_s(self) -> float:
        return self._samples / SAMPLE_RATE

    @property
    def saved_s(self) -> float:
        """Seconds of audio already written to disk."""
        return self._bytes / (2 * SAMPLE_RATE)

    @property
    def error(self) -> str | None:
        if self._error:
            return self._error
        source_error = getattr(self.source, "error", None)
        return str(source_error) if source_error else None

    @property
    def overflows(self) -> int:
        return int(getattr(self.source, "overflows", 0) or 0)

    @property
    def source_finished(self) -> bool:
        """The source ended by itself (a FileSource reached the end of its file)."""
        return bool(getattr(self.source, "finished", False))

    @property
    def recording(self) -> bool:
        return self._started and not self._stopped

    def wait_for_audio(self, timeout: float = 5.0) -> bool:
        """Block until the first samples arrived (True) or `timeout` passed (False).

        Microphones can take a while to deliver the first block (about 2 s through a
        PulseAudio null sink); a UI can show "listening..." once this turns true.
        """
        return self._first_audio.wait(timeout)

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError("a Recorder records once; make a new one")
            self._started = True
        private_dir(self.out_path.parent)
        if self.out_path.exists():
            raise FileExistsError(errno.EEXIST, "recording exists already", str(self.out_path))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) \
            | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(self.partial_path, flags, 0o600)
        try:
            try_lock(fd)
            os.write(fd, wav_header(0))
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.partial_path)
            raise
        self._fd = fd
        self._writer = threading.Thread(target=self._write_loop, name="voicecoach-writer",
                                        daemon=True)
        self._writer.start()
        if self.on_block is not None:
            self._hook_queue = queue.SimpleQueue()
            self._hook = threading.Thread(target=self._hook_loop, name="voicecoach-hook",
                                          daemon=True)
            self._hook.start()
        try:
            self.source.start(self._queue.put)
        except BaseException:
            self._queue.put(_STOP)
            self._join_threads()
            self._close_fd()
            with contextlib.suppress(OSError):
                os.unlink(self.partial_path)
            self._stopped = True
            raise

    def stop(self, on_drained: Callable[[], None] | None = None) -> Path:
        """Stop the source, write what is queued, finalize and return the audio file.

        The file is `out_path`, or a `.wav` next to it if FLAC encoding failed, or the
        `.partial` itself if even finalizing failed (then `recover_unfinished` retries).
        `on_drained` runs once every block is written and handed to `on_block`, before
        the file is finalized: work it starts (the last decoding) overlaps the fsyncs.
        """
        with self._lock:
            if self._stopped:
                return self.path or self.partial_path
            if not self._started:
                raise RuntimeError("recorder was never started")
            self._stopped = True
        try:
            self.source.stop()
            trace.mark("rec.source_stopped")
        finally:
            self._queue.put(_STOP)
            self._join_threads()
            trace.mark("rec.drained", seconds=round(self.elapsed_s, 3))
        if on_drained is not None:
            on_drained()
        self.path = self._finalize()
        trace.mark("rec.finalized", overflows=self.overflows)
        return self.path

    def _join_threads(self) -> None:
        if self._writer is not None:
            self._writer.join()
        if self._hook is not None and self._hook_queue is not None:
            self._hook_queue.put(_STOP)
            self._hook.join()

    # -- writer thread ------------------------------------------------------------------
    def _write_loop(self) -> None:
        last_patch = last_sync = time.monotonic()
        while True:
            try:
                block = self._queue.get(timeout=0.1)
            except queue.Empty:
                block = None
            if block is _STOP:
                break
            if block is not None:
                try:
                    self._handle(block)
                except Exception as err:  # noqa: BLE001 - keep draining, report once
                    self._fail(f"recording failed: {err}")
            now = time.monotonic()
            if now - last_patch >= self.flush_interval_s:
                last_patch = now
                do_sync = now - last_sync >= self.fsync_interval_s
                if do_sync:
                    last_sync = now
                self._flush(fsync=do_sync)

    def _handle(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        start_s = self._samples / SAMPLE_RATE
        if not self._write_failed:
            self._append(to_pcm16(block))
        self._samples += block.size
        self._first_audio.set()
        self._update_level(block)
        if self._hook_queue is not None and self.hook_error is None:
            self._hook_queue.put((block, start_s))

    def _append(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        try:
            while view:
                n = os.write(self._fd, view)
                self._bytes += n
                view = view[n:]
        except OSError as err:
            self._fail(f"cannot write the recording ({os_reason(err)}): stopped saving "
                       f"at {self.saved_s:.1f} s; that much is kept in {self.out_path.name}")

    def _fail(self, message: str) -> None:
        self._write_failed = True
        if self._error is None:
            self._error = message

    def _flush(self, fsync: bool) -> None:
        if self._fd is None:
            return
        try:
            patch_sizes(self._fd, self._bytes - self._bytes % 2)
            if fsync:
                os.fsync(self._fd)
        except OSError as err:
            if not self._write_failed:
                self._fail(f"cannot save the recording ({os_reason(err)}); "
                           f"{self.saved_s:.1f} s kept in {self.out_path.name}")

    def _update_level(self, block: np.ndarray) -> None:
        n = block.size
        if n >= LEVEL_WINDOW:
            window = block[-LEVEL_WINDOW:]
        else:
            self._ring = np.roll(self._ring, -n)
            self._ring[-n:] = block
            self._ring_fill = min(LEVEL_WINDOW, self._ring_fill + n)
            window = self._ring[-self._ring_fill:]
        self._level = Level.of(window)

    def _hook_loop(self) -> None:
        assert self._hook_queue is not None and self.on_block is not None
        while True:
            item = self._hook_queue.get()
            if item is _STOP:
                return
            if self.hook_error is not None:
                continue
            try:
                self.on_block(*item)
            except Exception as err:  # noqa: BLE001 - a consumer bug must not stop recording
                self.hook_error = f"{type(err).__name__}: {err}"

    # -- finishing ----------------------------------------------------------------------
    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _finalize(self) -> Path:
        fd = self._fd
        assert fd is not None
        as_wav = self.out_path.suffix.lower() == ".wav"
        try:
            data_bytes = self._bytes - self._bytes % 2
            if self._bytes % 2:
                os.ftruncate(fd, HEADER_BYTES + data_bytes)
            patch_sizes(fd, data_bytes)
            os.fsync(fd)
            if os.name == "nt":  # Windows cannot rename an open file (and has no flock)
                self._close_fd()
            if as_wav:
                os.replace(self.partial_path, self.out_path)  # still locked: no race
                fsync_dir(self.out_path.parent)
                return self.out_path
            return finish_flac(self.partial_path, self.out_path)  # still locked
        except OSError as err:
            if not self._error:
                self._error = (f"cannot finish the recording ({os_reason(err)}); "
                               f"it is kept as {self.partial_path.name}")
            return self.partial_path
        finally:
            self._close_fd()
