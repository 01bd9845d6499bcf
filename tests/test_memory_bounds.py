"""Issue #16 item 6: no input or setting can exhaust the machine.

Each input from the fault probe goes through `voicecoach score` in its own process,
and that process's peak RSS is read from the kernel (getrusage of the one child of a
small wrapper). Before: 5.8 GB then MemoryError (1 Hz header), 4.7 GB (2 GiB sparse
WAV), 7.2 GB (3 h of pink noise), 2.8 GB (3 h of low noise). Now each is refused in
one line, before its audio is decoded, well under 1 GB.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.audio.takefile import wav_header
from voicecoach.audio.vad import Span
from voicecoach.config import MAX_ANSWER_S

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 1024

MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
sys.stdout.write(f"{done.returncode}\\n{peak:.0f}\\n" + done.stderr)
"""


def score(path: Path, tmp_path: Path, *extra: str,
          env: dict[str, str] | None = None) -> tuple[int, float, list[str]]:
    """(exit code, peak RSS in MB, stderr lines) of `voicecoach score path`."""
    full = {**os.environ, "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"),
            "VOICECOACH_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "voicecoach",
                          "score", str(path), *extra], capture_output=True, text=True,
                         env=full, cwd=ROOT, timeout=1800)
    code, peak, *lines = out.stdout.splitlines()
    print(f"{path.name}: exit {code}, peak RSS {float(peak):.0f} MB: {lines}")
    return int(code), float(peak), lines


def pink_noise(seconds: float, level: float, seed: int = 0, block_s: int = 60):
    """Pink (1/f) noise in blocks of int16 PCM, made by shaping white noise's spectrum."""
    rng = np.random.default_rng(seed)
    n = block_s * SAMPLE_RATE
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    shape = 1 / np.sqrt(np.maximum(f, 20.0))
    left = int(seconds * SAMPLE_RATE)
    while left > 0:
        x = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
        x *= level / (np.abs(x).max() + 1e-9)
        block = x[: min(n, left)]
        left -= block.size
        yield (block * 32767).astype("<i2").tobytes()


def write_wav(path: Path, seconds: float, level: float) -> Path:
    with path.open("wb") as fh:
        fh.write(wav_header(int(seconds * SAMPLE_RATE) * 2))
        for block in pink_noise(seconds, level):
            fh.write(block)
    return path


def one_line(lines: list[str], path: Path, *words: str) -> None:
    [line] = lines
    assert line.startswith("voicecoach: error: ") and str(path) in line
    assert all(w in line for w in words), line


def test_a_header_claiming_1_hz_is_refused_before_decoding(tmp_path):
    from conftest import JFK

    data = bytearray(JFK.read_bytes())  # 352 KB of real speech
    data[24:28] = struct.pack("<I", 1)  # sample rate 1 Hz: 98 h at 16 kHz once resampled
    data[28:32] = struct.pack("<I", 2)
    path = tmp_path / "one-hertz.wav"
    path.write_bytes(bytes(data))
    code, peak, lines = score(path, tmp_path)
    assert code == 2 and peak < LIMIT_MB
    one_line(lines, path, "sample rate of 1 Hz")


def test_a_2_gib_sparse_wav_is_refused_by_its_length(tmp_path):
    path = tmp_path / "sparse.wav"
    size = 2 * 1024 ** 3
    with path.open("wb") as fh:
        fh.write(wav_header(size - 44))
        fh.truncate(size)  # sparse: a valid header over 2 GiB of zeros
    code, peak, lines = score(path, tmp_path)
    assert code == 2 and peak < LIMIT_MB
    one_line(lines, path, "18.6 h long by its header", f"up to {MAX_ANSWER_S // 60} min")


@pytest.mark.slow
@pytest.mark.parametrize("level", [0.5, 0.003], ids=["pink-noise", "low-noise"])
def test_three_hours_of_noise_is_refused_by_its_length(tmp_path, level):
    path = write_wav(tmp_path / "three-hours.wav", 3 * 3600, level)
    code, peak, lines = score(path, tmp_path)
    assert code == 2 and peak < LIMIT_MB
    one_line(lines, path, "3.0 h long by its header")


def test_a_streamed_header_cannot_grow_past_the_maximum_length(tmp_path):
    path = tmp_path / "streamed.wav"  # data size 0xFFFFFFFF: "unknown", so decoding decides
    with path.open("wb") as fh:
        header = bytearray(wav_header(0))
        header[40:44] = struct.pack("<I", 0xFFFFFFFF)
        fh.write(bytes(header))
        for block in pink_noise(MAX_ANSWER_S + 60, 0.003):
            fh.write(block)
    code, peak, lines = score(path, tmp_path)
    assert code == 2 and peak < LIMIT_MB
    one_line(lines, path, "min long", "up to 30 min")


@pytest.mark.parametrize("setting", ["beam_size = 100000", "[scoring]\npace_hop_s = 0"])
def test_settings_that_exhausted_memory_are_refused_at_load(tmp_path, setting):
    from conftest import JFK

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text(setting + "\n")
    code, peak, lines = score(JFK, tmp_path)
    assert code == 2 and peak < LIMIT_MB
    [line] = lines
    assert setting.split("\n")[-1].split()[0] in line


@pytest.mark.slow
def test_a_20_minute_take_is_scored_in_bounded_memory(tmp_path):
    """Long but allowed: 20 min of real speech with pauses (the issue saw 652 MB after
    scoring in the app; the target for a long take is 500 MB)."""
    from conftest import JFK

    from voicecoach.audio.io import load_audio, save_wav

    jfk = load_audio(JFK).samples
    gap = np.zeros(2 * SAMPLE_RATE, np.float32)
    piece = np.concatenate([jfk, gap])
    reps = int(20 * 60 * SAMPLE_RATE // piece.size) + 1
    path = tmp_path / "twenty-minutes.wav"
    save_wav(path, np.tile(piece, reps)[: 20 * 60 * SAMPLE_RATE])
    code, peak, lines = score(path, tmp_path, "--json")
    assert code == 0, lines
    assert peak < 500


def test_vad_of_a_long_answer_is_computed_in_blocks():
    """30 min of audio: the VAD's working memory does not grow with the length."""
    import resource

    from voicecoach.audio.vad import speech_regions

    samples = np.zeros(MAX_ANSWER_S * SAMPLE_RATE, np.float32)
    samples[::7] = 0.01  # not all-zero, so every frame goes through webrtcvad
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    speech_regions(samples)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    assert grown < 60  # the whole-file int16 copy, frames and peaks were ~350 MB


# --- for the lead: chunk planning (voicecoach/pipeline.py is being rewritten) -------------

def test_every_chunk_fits_one_whisper_window():
    from voicecoach.audio.io import Audio
    from voicecoach.config import Settings
    from voicecoach.pipeline import find_speech, plan_chunks

    hours = 3 * 3600.0
    chunks = plan_chunks([Span(0.0, hours)], hours)  # 3 h of pink noise is one voiced region
    assert chunks and max(c.duration for c in chunks) <= 30.0
    # What the pipeline does with 3 minutes of pink noise: the segmenter cuts it.
    noise = np.frombuffer(b"".join(pink_noise(180.0, 0.5)), "<i2").astype(np.float32) / 32768
    found = find_speech(Audio(noise), Settings())
    assert found.cuts, "unbroken noise is cut"
    chunks = plan_chunks(found.regions, 180.0, cuts=found.cuts)
    assert max(c.duration for c in chunks) <= 30.0


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("VOICECOACH_LONG_TESTS"), reason="~20 min of "
                    "decoding: set VOICECOACH_LONG_TESTS=1 (measured: 1799 MB before the fix)")
def test_the_longest_answer_of_pink_noise_stays_under_1_gb(tmp_path):
    path = write_wav(tmp_path / "pink.wav", MAX_ANSWER_S - 60, 0.5)
    code, peak, lines = score(path, tmp_path)
    assert peak < LIMIT_MB and len(lines) <= 1
