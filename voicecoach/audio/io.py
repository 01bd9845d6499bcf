"""Read any common audio file into 16 kHz mono float32, with no ffmpeg binary.

PyAV (a faster-whisper dependency) decodes WAV/FLAC/OGG/MP3/M4A and resamples with
libswresample. Every failure becomes one `AudioInputError` line naming the file.

Memory is bounded by the answer, not by the file: a file longer than `MAX_ANSWER_S`
(by its header or container, checked before decoding) is refused, a WAV header
claiming a rate no audio has is refused, and decoding writes frame by frame into
one buffer of at most that length, so a header that lies about the length cannot
make it grow further.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voicecoach.errors import AudioInputError
from voicecoach.model import MAX_ANSWER_S, SAMPLE_RATE

RATES = (4_000, 384_000)  # sample rates real audio files use
NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


@dataclass
class Audio:
    """Decoded audio ready for VAD and ASR."""

    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class WavHeader:
    rate: int
    channels: int
    byte_rate: int
    block_align: int
    data_bytes: int | None  # None: unknown (a streamed WAV) or cut off

    @property
    def seconds(self) -> float | None:
        frame = self.rate * self.block_align
        return self.data_bytes / frame if self.data_bytes and frame else None


def load_audio(path: str | Path, max_s: float = MAX_ANSWER_S) -> Audio:
    """Decode `path`; raise `AudioInputError` with a one-line reason on bad input."""
    path = Path(path)
    size = _regular_file_size(path)
    if size == 0:
        raise AudioInputError(f"{path}: empty file (0 bytes)")

    warnings: list[str] = []
    header = wav_header_of(path)
    if header is not None:
        warnings += _check_header(path, header, max_s)
    samples = _decode(path, max_s)
    if samples.size == 0:
        raise AudioInputError(f"{path}: no audio in the file (truncated or empty stream)")
    bad = int(np.count_nonzero(~np.isfinite(samples)))
    if bad:  # NaN or infinity in a float WAV: damaged data, not a recording to judge
        raise AudioInputError(f"{path}: {bad} samples are not numbers (NaN or infinity);"
                              " the file is damaged")
    np.clip(samples, -1.0, 1.0, out=samples)
    duration = samples.size / SAMPLE_RATE
    declared = header.seconds if header else None
    if declared is not None and declared - duration > 0.05:
        warnings.append(
            f"{path}: truncated: header says {declared:.1f} s, file holds {duration:.1f} s;"
            " using the part that is there"
        )
    return Audio(samples=samples, path=path, warnings=warnings)


def load_span(path: str | Path, start_s: float, end_s: float) -> np.ndarray:
    """Samples [start_s, end_s) of the audio at `path` (at least one).

    A 16 kHz mono file (every take voicecoach records) is read from that span only: a
    few seconds of a 30-minute take need not decode all of it. Anything else, or a file
    libsndfile cannot seek, is decoded whole by `load_audio` (its errors, one line).
    """
    import soundfile as sf

    a = max(0, int(round(start_s * SAMPLE_RATE)))
    b = max(a + 1, int(round(end_s * SAMPLE_RATE)))
    try:
        info = sf.info(str(path))
        if info.samplerate == SAMPLE_RATE and info.channels == 1 and a < info.frames:
            data, _ = sf.read(str(path), start=a, stop=b, dtype="float32")
            if data.size and np.isfinite(data).all():
                return np.clip(data, -1.0, 1.0)
    except (RuntimeError, OSError, sf.LibsndfileError):
        pass
    return load_audio(path).samples[a:b]


def _regular_file_size(path: Path) -> int:
    """The file's size, or one line on why it is not a file to read."""
    try:
        info = os.stat(path)
    except OSError as err:
        if err.errno == errno.ENOENT:
            raise AudioInputError(f"{path}: no such file") from None
        if err.errno == errno.ELOOP:
            raise AudioInputError(f"{path}: a symbolic link loop (it points back to "
                                  "itself)") from None
        raise AudioInputError(f"{path}: cannot read ({err.strerror or err})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AudioInputError(f"{path}: is a directory, not an audio file")
    for test, kind in NOT_REGULAR:
        if test(info.st_mode):
            raise AudioInputError(f"{path}: is {kind}, not an audio file")
    return info.st_size


def _check_header(path: Path, header: WavHeader, max_s: float) -> list[str]:
    """Refuse a WAV header no audio has or one too long to score; warn when it disagrees
    with itself. Runs before a byte of audio is decoded."""
    if not RATES[0] <= header.rate <= RATES[1]:
        raise AudioInputError(f"{path}: header says a sample rate of {header.rate} Hz, which "
                              "no audio file has (damaged or not audio)")
    seconds = header.seconds
    if seconds is not None and seconds > max_s:
        raise AudioInputError(too_long(path, seconds, max_s, "by its header"))
    implied = header.byte_rate / header.block_align if header.block_align else header.rate
    if abs(implied - header.rate) > 1:
        return [f"{path}: header disagrees with itself: sample rate {header.rate} Hz, byte rate "
                f"{header.byte_rate} B/s (= {implied:.0f} Hz); read at {header.rate} Hz, so if "
                "the answer sounds too slow or too fast the header is wrong"]
    return []


def too_long(path: Path | str, seconds: float, max_s: float, how: str) -> str:
    return (f"{path}: {_minutes(seconds)} long {how}; voicecoach scores answers up to "
            f"{_minutes(max_s)}")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _decode(path: Path, max_s: float) -> np.ndarray:
    import av  # deferred: PyAV is a large import and only needed here

    limit = int(max_s * SAMPLE_RATE)
    # One buffer for the longest answer: the OS maps its pages only as they are written,
    # so a short file costs what it holds, and nothing ever doubles it by concatenating.
    buf = np.empty(limit + SAMPLE_RATE, dtype=np.float32)
    n = 0

    def put(frames: list[av.AudioFrame]) -> None:
        nonlocal n
        for out in frames:
            block = out.to_ndarray().reshape(-1)
            if n + block.size > buf.size:
                raise AudioInputError(too_long(path, max_s + 1, max_s, "at least"))
            buf[n:n + block.size] = block
            n += block.size

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioInputError(f"{path}: holds no audio stream")
            if container.duration and container.duration / 1e6 > max_s + 1:
                raise AudioInputError(too_long(path, container.duration / 1e6, max_s,
                                               "by its container"))
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            try:
                for frame in container.decode(stream):
                    put(resampler.resample(frame))
            except av.error.InvalidDataError:
                pass  # a damaged tail: keep what decoded before it
            put(resampler.resample(None))
    except AudioInputError:
        raise
    except (av.error.InvalidDataError, av.error.FFmpegError, ValueError, OSError) as err:
        raise AudioInputError(f"{path}: not a readable audio file ({_short(err)})") from None
    if n > limit:
        raise AudioInputError(too_long(path, n / SAMPLE_RATE, max_s, "at least"))
    return buf[:n]


def wav_header_of(path: Path) -> WavHeader | None:
    """The RIFF/WAVE format fields and data size; None if not a WAV (or cut in its fmt)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            fmt: tuple[int, int, int, int] | None = None
            for _ in range(64):  # a real WAV has a handful of chunks before its data
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    raw = fh.read(csize)
                    if len(raw) < 16:
                        return None
                    _, channels, rate, byte_rate, align = struct.unpack("<HHIIH", raw[:14])
                    fmt = (rate, channels, byte_rate, align)
                    if csize % 2:
                        fh.read(1)
                elif cid == b"data":
                    if fmt is None:
                        return None
                    # 0xFFFFFFFF / 0 mean "unknown" in streamed WAVs: no promise made.
                    size = None if csize in (0, 0xFFFFFFFF) else csize
                    return WavHeader(*fmt, data_bytes=size)
                else:
                    fh.seek(csize + (csize % 2), 1)
    except OSError:
        return None
    return None


def _short(err: BaseException) -> str:
    # PyAV errors repeat the errno and the path; the reason alone reads better.
    text = getattr(err, "strerror", None) or str(err).strip() or type(err).__name__
    return text.splitlines()[0][:120]


def save_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono float32 samples as 16-bit PCM WAV."""
    import soundfile as sf

    sf.write(str(path), samples, rate, subtype="PCM_16")
