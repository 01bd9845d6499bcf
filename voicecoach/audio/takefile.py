"""The take on disk: the growing `.partial` WAV, finishing it, recovering it after a crash.

The recorder writes through these functions and the store recovers with them, so the
store never imports the recorder (or PortAudio). Why PCM WAV while recording: see
voicecoach.audio.recorder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
from pathlib import Path

import numpy as np

from voicecoach.model import SAMPLE_RATE

try:  # POSIX: a partial being recorded is locked so recovery never touches it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PARTIAL_SUFFIX = ".partial"
FINAL_SUFFIXES = (".wav", ".flac")
HEADER_BYTES = 44


# --- the partial file --------------------------------------------------------------------


def wav_header(data_bytes: int, rate: int = SAMPLE_RATE, channels: int = 1) -> bytes:
    data_bytes = min(data_bytes, 0xFFFFFFFF - 36)
    block_align = channels * 2
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16,
                       1, channels, rate, rate * block_align, block_align, 16, b"data",
                       data_bytes)


def pwrite(fd: int, data: bytes, offset: int) -> None:
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, offset)
        return
    end = os.lseek(fd, 0, os.SEEK_END)  # Windows: only the writer thread uses this fd
    os.lseek(fd, offset, os.SEEK_SET)
    os.write(fd, data)
    os.lseek(fd, end, os.SEEK_SET)


def pread(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def patch_sizes(fd: int, data_bytes: int) -> None:
    data_bytes = min(data_bytes, 0xFFFFFFFF - 36)
    pwrite(fd, struct.pack("<I", 36 + data_bytes), 4)
    pwrite(fd, struct.pack("<I", data_bytes), 40)


def try_lock(fd: int) -> bool:
    """Take the recording lock without waiting; True if we hold it (or cannot lock)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def partial_path_for(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + PARTIAL_SUFFIX)


# --- finishing -------------------------------------------------------------------------------


def fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def finish_flac(partial: Path, final: Path) -> Path:
    """Encode a finalized PCM partial as FLAC; keep it as WAV if that fails."""
    import soundfile as sf

    tmp = final.with_name(final.name + ".tmp")
    try:
        samples, rate = sf.read(str(partial), dtype="int16")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            sf.write(fh, samples, rate, format="FLAC", subtype="PCM_16")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        os.unlink(partial)
        fsync_dir(final.parent)
        return final
    except (OSError, RuntimeError, sf.LibsndfileError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        fallback = final.with_suffix(".wav")
        if fallback.exists():
            return partial
        try:
            os.replace(partial, fallback)
            return fallback
        except OSError:
            return partial


def wav_duration_s(path: Path) -> float:
    """Duration of a WAV/FLAC file from its header (0.0 if unreadable)."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
        return info.frames / info.samplerate if info.samplerate else 0.0
    except (RuntimeError, OSError, sf.LibsndfileError):
        return 0.0


# --- recovery ----------------------------------------------------------------------------


def recover_unfinished(directory: Path) -> list[Path]:
    """Finalize partial recordings left by a crash in `directory`; return the audio files.

    A partial that another process is still recording (locked) is left alone. A partial
    holding no audio is deleted. The returned files are valid WAV (or FLAC) holding every
    whole sample that reached the disk.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    recovered = []
    for partial in sorted(directory.glob("*" + PARTIAL_SUFFIX)):
        final = partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)])
        if final.suffix.lower() not in FINAL_SUFFIXES:
            continue
        result = _recover_one(partial, final)
        if result is not None:
            recovered.append(result)
    return recovered


def _recover_one(partial: Path, final: Path) -> Path | None:
    try:
        fd = os.open(partial, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not try_lock(fd):
            return None  # being recorded right now
        size = os.fstat(fd).st_size
        head = pread(fd, HEADER_BYTES, 0)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:16] != b"WAVEfmt ":
            if size <= HEADER_BYTES:  # killed before the header was complete: no audio
                os.close(fd)
                fd = -1
                os.unlink(partial)
            return None
        channels = struct.unpack("<H", head[22:24])[0] or 1
        frame_bytes = 2 * channels
        data_bytes = (size - HEADER_BYTES) // frame_bytes * frame_bytes
        if data_bytes <= 0:
            os.close(fd)
            fd = -1
            os.unlink(partial)
            return None
        if size != HEADER_BYTES + data_bytes:
            os.ftruncate(fd, HEADER_BYTES + data_bytes)
        patch_sizes(fd, data_bytes)
        os.fsync(fd)
        if final.suffix.lower() == ".wav":
            if final.exists():  # never overwrite: keep both
                final = _free_name(final)
            if os.name == "nt":
                os.close(fd)
                fd = -1
            os.replace(partial, final)
            fsync_dir(final.parent)
            return final
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)
    if final.exists():
        # A FLAC finished before the crash removed its partial: the FLAC is complete.
        os.unlink(partial)
        return final
    return finish_flac(partial, final)


def _free_name(path: Path) -> Path:
    for i in range(1, 1000):
        candidate = path.with_name(f"{path.stem}-recovered{i}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise OSError(errno.EEXIST, "no free name", str(path))
