"""Decoding any common file to 16 kHz mono, and the documented outcome for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import JFK

from voicecoach.audio.io import load_audio, save_wav
from voicecoach.errors import AudioInputError


def _encode(samples: np.ndarray, rate: int, channels: int, path: Path, codec: str) -> None:
    """Write `samples` (mono) as a real compressed file: libsndfile or PyAV's encoders."""
    import av
    import soundfile as sf

    if codec in ("FLAC", "VORBIS"):
        sf.write(str(path), np.stack([samples] * channels, axis=1), rate,
                 format="OGG" if codec == "VORBIS" else "FLAC",
                 subtype="VORBIS" if codec == "VORBIS" else "PCM_16")
        return
    stereo = np.stack([samples] * channels).astype(np.float32)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo" if channels == 2 else "mono")
        frame_len = 1152
        for i in range(0, stereo.shape[1], frame_len):
            block = np.ascontiguousarray(stereo[:, i : i + frame_len])
            frame = av.AudioFrame.from_ndarray(block, format="fltp",
                                               layout="stereo" if channels == 2 else "mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    t = np.arange(int(len(samples) * dst / src)) * src / dst
    return np.interp(t, np.arange(len(samples)), samples).astype(np.float32)


def test_wav_16k_mono_round_trip():
    audio = load_audio(JFK)
    assert audio.samples.dtype == np.float32
    assert audio.duration_s == pytest.approx(11.0, abs=0.01)
    assert audio.warnings == []


@pytest.mark.parametrize("codec,suffix", [("mp3", ".mp3"), ("aac", ".m4a"),
                                          ("FLAC", ".flac"), ("VORBIS", ".ogg")])
def test_compressed_44k_stereo_decodes_to_16k_mono(tmp_path, codec, suffix):
    jfk = load_audio(JFK).samples
    path = tmp_path / f"jfk{suffix}"
    _encode(_resample(jfk, 16_000, 44_100), 44_100, 2, path, codec)
    audio = load_audio(path)
    assert audio.duration_s == pytest.approx(11.0, abs=0.15)
    # Same speech energy envelope as the source: decoding kept the content.
    n = min(len(audio.samples), len(jfk))
    env_a = np.abs(audio.samples[:n]).reshape(-1, 1600)[: n // 1600].mean(axis=1)
    env_b = np.abs(jfk[:n]).reshape(-1, 1600)[: n // 1600].mean(axis=1)
    assert np.corrcoef(env_a, env_b)[0, 1] > 0.9


def test_text_file_renamed_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are my interview notes, not audio\n" * 20)
    with pytest.raises(AudioInputError, match=r"notes\.wav: not a readable audio file"):
        load_audio(path)


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.touch()
    with pytest.raises(AudioInputError, match=r"empty\.wav: empty file \(0 bytes\)"):
        load_audio(path)


def test_missing_file(tmp_path):
    with pytest.raises(AudioInputError, match="no such file"):
        load_audio(tmp_path / "nope.wav")


def test_truncated_wav_keeps_what_is_there(tmp_path):
    data = JFK.read_bytes()
    path = tmp_path / "cut.wav"
    path.write_bytes(data[: 44 + 16000 * 2 * 4])  # header + 4 s of 16-bit mono
    audio = load_audio(path)
    assert audio.duration_s == pytest.approx(4.0, abs=0.01)
    assert len(audio.warnings) == 1
    assert "truncated: header says 11.0 s, file holds 4.0 s" in audio.warnings[0]


def test_wav_cut_inside_its_header(tmp_path):
    path = tmp_path / "stub.wav"
    path.write_bytes(JFK.read_bytes()[:30])
    with pytest.raises(AudioInputError, match=r"stub\.wav: "):
        load_audio(path)


CLI_CASES = {
    "text.wav": ("not a readable audio file", 2),
    "empty.wav": ("empty file (0 bytes)", 2),
    "silence.wav": ("no speech found (the audio is silent)", 2),
    "stub.wav": ("stub.wav: ", 2),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_bad_input_is_one_line_exit_2(tmp_path, name):
    path = tmp_path / name
    if name == "text.wav":
        path.write_text("hello\n")
    elif name == "empty.wav":
        path.touch()
    elif name == "silence.wav":
        save_wav(path, np.zeros(16_000 * 5, dtype=np.float32))
    else:
        path.write_bytes(JFK.read_bytes()[:30])
    out = subprocess.run([sys.executable, "-m", "voicecoach", "score", str(path)],
                         capture_output=True, text=True, timeout=120)
    expected, code = CLI_CASES[name]
    assert out.returncode == code
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("voicecoach: error: ")
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in out.stderr


# --- issue #16 item 10: truthful one-liners ------------------------------------------------


def test_a_fifo_a_device_and_a_symlink_loop_are_named_for_what_they_are(tmp_path):
    import os

    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)  # opening it would block for ever: it is never opened
    with pytest.raises(AudioInputError, match=r"pipe\.wav: is a named pipe, not an audio file"):
        load_audio(fifo)
    with pytest.raises(AudioInputError, match=r"/dev/urandom: is a character device"):
        load_audio("/dev/urandom")
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    with pytest.raises(AudioInputError, match=r"loop\.wav: a symbolic link loop"):
        load_audio(loop)


def test_a_header_whose_rate_disagrees_with_its_byte_rate_is_warned_about(tmp_path):
    import struct

    data = bytearray(JFK.read_bytes())
    data[24:28] = struct.pack("<I", 8000)  # 16 kHz speech labelled 8 kHz: 22 s of slow speech
    path = tmp_path / "eight-k.wav"
    path.write_bytes(bytes(data))
    audio = load_audio(path)
    assert audio.duration_s == pytest.approx(22.0, abs=0.05)
    [warning] = audio.warnings
    assert "sample rate 8000 Hz" in warning and "(= 16000 Hz)" in warning


def test_nan_samples_are_one_line_error_and_no_numpy_noise(tmp_path):
    import soundfile as sf

    samples = load_audio(JFK).samples.copy()
    samples[1000:1100] = np.nan
    samples[2000] = np.inf
    path = tmp_path / "nan.wav"
    sf.write(str(path), samples, 16_000, subtype="FLOAT")
    # Through the CLI, with numpy's warnings turned into errors: one line, exit 2.
    code = ("import warnings, sys; warnings.simplefilter('error');"
            "from voicecoach.cli import main; sys.exit(main(['score', sys.argv[1]]))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == "", out.stdout
    assert out.stderr.strip().splitlines() == [
        f"voicecoach: error: {path}: 101 samples are not numbers (NaN or infinity); the file is "
        "damaged"], out.stderr


def test_a_span_is_the_same_samples_as_the_whole_file_sliced(tmp_path):
    """A fix's moment reads only its span of a take, and hears what the take holds."""
    import soundfile as sf

    from voicecoach.audio.io import load_span

    whole = load_audio(JFK).samples
    span = load_span(JFK, 2.0, 6.5)
    assert np.array_equal(span, whole[32_000:104_000])
    # Not 16 kHz mono: decoded whole and resampled, then sliced the same way.
    stereo = tmp_path / "stereo-32k.wav"
    sf.write(str(stereo), np.stack([whole, whole], axis=1).repeat(2, axis=0), 32_000)
    assert np.array_equal(load_span(stereo, 1.0, 2.0), load_audio(stereo).samples[16_000:32_000])
