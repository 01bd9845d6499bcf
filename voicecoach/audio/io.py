"""Read any common audio file into 16 kHz mono float32, with no ffmpeg binary.

PyAV (a faster-whisper dependency) decodes WAV/FLAC/OGG/MP3/M4A and resamples with
libswresample. Every failure becomes one `AudioInputError` line naming the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.errors import AudioInputError


@dataclass
class Audio:
    """Decoded audio ready for VAD and ASR."""

    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def load_audio(path: str | Path) -> Audio:
    """Decode `path`; raise `AudioInputError` with a one-line reason on bad input."""
    path = Path(path)
    if not path.exists():
        raise AudioInputError(f"{path}: no such file")
    if path.is_dir():
        raise AudioInputError(f"{path}: is a directory, not an audio file")
    size = path.stat().st_size
    if size == 0:
        raise AudioInputError(f"{path}: empty file (0 bytes)")

    warnings: list[str] = []
    declared = _wav_declared_seconds(path)
    samples = _decode(path)
    if samples.size == 0:
        raise AudioInputError(f"{path}: no audio in the file (truncated or empty stream)")
    duration = samples.size / SAMPLE_RATE
    if declared is not None and declared - duration > 0.05:
        warnings.append(
            f"{path}: truncated: header says {declared:.1f} s, file holds {duration:.1f} s;"
            " using the part that is there"
        )
    return Audio(samples=samples, path=path, warnings=warnings)


def _decode(path: Path) -> np.ndarray:
    import av  # deferred: PyAV is a large import and only needed here

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioInputError(f"{path}: holds no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks: list[np.ndarray] = []
            try:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        chunks.append(out.to_ndarray().reshape(-1))
            except av.error.InvalidDataError:
                pass  # a damaged tail: keep what decoded before it
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioInputError:
        raise
    except (av.error.InvalidDataError, av.error.FFmpegError, ValueError, OSError) as err:
        raise AudioInputError(f"{path}: not a readable audio file ({_short(err)})") from None
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.clip(np.concatenate(chunks).astype(np.float32, copy=False), -1.0, 1.0)


def _wav_declared_seconds(path: Path) -> float | None:
    """Duration a RIFF/WAVE header promises, to notice a cut-off file; None if not WAV."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = None
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(csize)
                    if len(fmt) >= 12:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                    if csize % 2:
                        fh.read(1)
                elif cid == b"data":
                    # 0xFFFFFFFF / 0 mean "unknown" in streamed WAVs: no promise made.
                    if not byte_rate or csize in (0, 0xFFFFFFFF):
                        return None
                    return csize / byte_rate
                else:
                    fh.seek(csize + (csize % 2), 1)
    except OSError:
        return None


def _short(err: BaseException) -> str:
    # PyAV errors repeat the errno and the path; the reason alone reads better.
    text = getattr(err, "strerror", None) or str(err).strip() or type(err).__name__
    return text.splitlines()[0][:120]


def save_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono float32 samples as 16-bit PCM WAV."""
    import soundfile as sf

    sf.write(str(path), samples, rate, subtype="PCM_16")
