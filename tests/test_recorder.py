"""The recorder on real files, threads, processes and file systems (no device needed)."""

from __future__ import annotations

import os
import signal
import stat
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import JFK

from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.audio.recorder import Level, Recorder
from voicecoach.audio.sources import ArraySource, FileSource
from voicecoach.audio.takefile import partial_path_for, recover_unfinished, wav_header
from voicecoach.errors import AudioInputError

ROOT = Path(__file__).resolve().parents[1]
PCM_TOLERANCE = 1.0 / 32767 + 1e-6  # 16-bit storage


def jfk() -> np.ndarray:
    from voicecoach.audio.io import load_audio

    return load_audio(JFK).samples


def read(path: Path) -> np.ndarray:
    samples, rate = sf.read(str(path), dtype="float32")
    assert rate == SAMPLE_RATE
    return samples


def record_all(out: Path, source, on_block=None, timeout: float = 30.0) -> Recorder:
    rec = Recorder(out, source, on_block=on_block)
    rec.start()
    deadline = time.monotonic() + timeout
    while not rec.source_finished and time.monotonic() < deadline:
        time.sleep(0.01)
    rec.stop()
    return rec


def test_file_source_records_every_sample(tmp_path):
    source_samples = jfk()
    blocks: list[tuple[int, float, str]] = []

    def on_block(samples: np.ndarray, start_s: float) -> None:
        blocks.append((samples.size, start_s, threading.current_thread().name))

    out = tmp_path / "takes" / "a.wav"
    rec = record_all(out, FileSource(JFK, realtime=False), on_block)
    assert rec.path == out and out.exists()
    assert not partial_path_for(out).exists()
    assert rec.error is None and rec.hook_error is None
    got = read(out)
    assert got.size == source_samples.size
    assert np.max(np.abs(got - source_samples)) <= PCM_TOLERANCE
    assert rec.elapsed_s == pytest.approx(source_samples.size / SAMPLE_RATE)
    # on_block: every block, in order, absolute start times, never on the source thread
    assert sum(n for n, _, _ in blocks) == source_samples.size
    starts = [s for _, s, _ in blocks]
    expected = np.cumsum([0] + [n for n, _, _ in blocks[:-1]]) / SAMPLE_RATE
    assert np.allclose(starts, expected)
    assert {name for _, _, name in blocks} == {"voicecoach-hook"}


def test_flac_output_and_private_files(tmp_path):
    out = tmp_path / "new" / "deeper" / "b.flac"
    rec = record_all(out, FileSource(JFK, realtime=False))
    assert rec.path == out
    assert sf.info(str(out)).format == "FLAC"
    assert np.max(np.abs(read(out) - jfk())) <= PCM_TOLERANCE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for d in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_realtime_pace_and_partial_file_is_valid_while_recording(tmp_path):
    out = tmp_path / "c.wav"
    rec = Recorder(out, ArraySource(jfk()[: 3 * SAMPLE_RATE], realtime=True))
    t0 = time.monotonic()
    rec.start()
    time.sleep(1.6)
    # The header was patched within the last 0.5 s: the partial is a readable WAV.
    partial = partial_path_for(out)
    info = sf.info(str(partial))
    assert 0.9 <= info.duration <= 1.7
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600
    while not rec.source_finished:
        time.sleep(0.02)
    wall = time.monotonic() - t0
    rec.stop()
    assert wall == pytest.approx(3.0, abs=0.4)  # paced like a microphone
    assert sf.info(str(out)).duration == pytest.approx(3.0, abs=0.01)


def test_level_reports_loudness_silence_and_clipping(tmp_path):
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)  # -9 dBFS rms
    lvl = Level.of(sine[:1600])
    assert lvl.rms_db == pytest.approx(-9.03, abs=0.1)
    assert lvl.peak == pytest.approx(0.5, abs=0.01)
    assert not lvl.silent and not lvl.clipping
    assert Level.of(np.zeros(1600, np.float32)).silent
    assert Level.of(np.zeros(1600, np.float32)).rms_db == -100.0
    assert Level.of(np.sign(sine[:1600])).clipping

    # Through a recorder: level() follows the last ~100 ms, even with small blocks.
    loud_then_quiet = np.concatenate([sine, np.zeros(SAMPLE_RATE // 2, np.float32)])
    seen: list[Level] = []
    rec = Recorder(tmp_path / "d.wav", ArraySource(loud_then_quiet, realtime=True, speed=4,
                                                   blocksize=400))
    assert rec.level().silent  # before any audio
    rec.start()
    while not rec.source_finished:
        seen.append(rec.level())
        time.sleep(0.01)
    rec.stop()
    assert any(not lv.silent and lv.rms_db == pytest.approx(-9.0, abs=0.5) for lv in seen)
    assert rec.level().silent  # ended on silence


def test_level_polling_is_cheap(tmp_path):
    rec = Recorder(tmp_path / "e.wav", FileSource(JFK, realtime=True, speed=2))
    rec.start()
    rec.wait_for_audio(2)
    n = 10_000
    t0 = time.perf_counter()
    for _ in range(n):
        rec.level()
    per_call = (time.perf_counter() - t0) / n
    rec.stop()
    print(f"level() costs {per_call * 1e6:.2f} us per call")
    assert per_call < 50e-6  # a 10 Hz UI timer spends nothing here


def test_bad_source_leaves_nothing_behind(tmp_path):
    out = tmp_path / "f.wav"
    rec = Recorder(out, FileSource(tmp_path / "missing.wav"))
    with pytest.raises(AudioInputError):
        rec.start()
    assert not out.exists() and not partial_path_for(out).exists()


def test_a_failing_hook_does_not_stop_the_recording(tmp_path):
    def on_block(samples, start_s):
        if start_s > 1.0:
            raise ValueError("consumer bug")

    out = tmp_path / "g.wav"
    rec = record_all(out, FileSource(JFK, realtime=False), on_block)
    assert rec.hook_error == "ValueError: consumer bug"
    assert rec.error is None
    assert sf.info(str(out)).duration == pytest.approx(11.0, abs=0.01)


def test_a_slow_hook_does_not_delay_the_disk(tmp_path):
    gate = threading.Event()

    def on_block(samples, start_s):
        gate.wait(5)

    out = tmp_path / "h.wav"
    rec = Recorder(out, FileSource(JFK, realtime=False), on_block=on_block)
    rec.start()
    deadline = time.monotonic() + 5
    while rec.saved_s < 10.9 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rec.saved_s == pytest.approx(11.0, abs=0.01)  # all on disk, hook still stuck
    gate.set()
    rec.stop()


# --- recovery ----------------------------------------------------------------------------

KILLED_RECORDER = """
import sys, time
from pathlib import Path
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import FileSource
rec = Recorder(Path(sys.argv[1]), FileSource(sys.argv[2], realtime=True))
rec.start()
print("started", flush=True)
while True:
    time.sleep(0.05)
    print(f"{rec.elapsed_s:.3f} {rec.saved_s:.3f}", flush=True)
"""


@pytest.mark.slow
def test_killed_recorder_loses_at_most_a_second(tmp_path):
    out = tmp_path / "recordings" / "killed.wav"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RECORDER, str(out), str(JFK)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    t0 = time.monotonic()
    last: list[str] = []
    reader = threading.Thread(target=lambda: last.extend(proc.stdout), daemon=True)
    reader.start()
    time.sleep(3.0)
    os.kill(proc.pid, signal.SIGKILL)
    wall = time.monotonic() - t0
    proc.wait()
    reader.join(2)
    assert partial_path_for(out).exists() and not out.exists()

    recovered = recover_unfinished(out.parent)
    assert recovered == [out]
    assert not partial_path_for(out).exists()
    got = read(out)
    got_s = got.size / SAMPLE_RATE
    print(f"killed after {wall:.2f} s of recording; recovered {got_s:.2f} s; "
          f"lost {wall - got_s:.2f} s (last report: {last[-1].strip() if last else '-'})")
    assert wall - 1.0 <= got_s <= wall + 0.05
    assert np.max(np.abs(got - jfk()[: got.size])) <= PCM_TOLERANCE
    assert recover_unfinished(out.parent) == []  # nothing left to do


def _write_partial(path: Path, pcm: bytes, sizes: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wav_header(sizes) + pcm)


def test_recover_fixes_header_and_drops_a_torn_sample(tmp_path):
    samples = (np.sin(np.arange(8000) / 10) * 0.3 * 32767).astype("<i2")
    partial = tmp_path / "x.wav.partial"
    _write_partial(partial, samples.tobytes() + b"\x01")  # killed mid-sample
    assert recover_unfinished(tmp_path) == [tmp_path / "x.wav"]
    data, rate = sf.read(str(tmp_path / "x.wav"), dtype="int16")
    assert rate == SAMPLE_RATE and np.array_equal(data, samples)
    head = (tmp_path / "x.wav").read_bytes()[:44]
    assert struct.unpack("<I", head[40:44])[0] == samples.size * 2


def test_recover_flac_target_and_empty_partials(tmp_path):
    samples = (np.sin(np.arange(4000) / 7) * 0.2 * 32767).astype("<i2")
    _write_partial(tmp_path / "y.flac.partial", samples.tobytes())
    _write_partial(tmp_path / "empty.wav.partial", b"")
    (tmp_path / "torn.wav.partial").write_bytes(b"RIFF\x00")  # killed inside the header
    assert recover_unfinished(tmp_path) == [tmp_path / "y.flac"]
    assert sf.info(str(tmp_path / "y.flac")).format == "FLAC"
    assert np.array_equal(sf.read(str(tmp_path / "y.flac"), dtype="int16")[0], samples)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y.flac"]


def test_recover_leaves_a_live_recording_alone(tmp_path):
    out = tmp_path / "live.wav"
    rec = Recorder(out, FileSource(JFK, realtime=True))
    rec.start()
    rec.wait_for_audio(2)
    try:
        assert recover_unfinished(tmp_path) == []
        assert partial_path_for(out).exists()
    finally:
        rec.stop()
    assert out.exists()


def test_recover_never_overwrites_an_existing_file(tmp_path):
    (tmp_path / "z.wav").write_bytes(b"precious")
    _write_partial(tmp_path / "z.wav.partial", b"\x00\x01" * 100)
    [got] = recover_unfinished(tmp_path)
    assert got.name == "z-recovered1.wav"
    assert (tmp_path / "z.wav").read_bytes() == b"precious"


# --- disk full -----------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB tmpfs (needs root): writes fail with ENOSPC like on a full disk."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_keeps_what_was_recorded(tiny_disk):
    out = tiny_disk / "full.wav"
    long_audio = np.tile(jfk(), 2)  # 22 s = 704 KB of PCM: cannot fit in 256 KiB
    rec = record_all(out, ArraySource(long_audio, realtime=False))
    assert rec.error is not None and "\n" not in rec.error
    assert "disk full" in rec.error
    assert rec.path in (out, partial_path_for(out))
    got = read(rec.path)
    print(f"disk full after {rec.saved_s:.2f} s; kept {got.size / SAMPLE_RATE:.2f} s; "
          f"error: {rec.error}")
    assert got.size / SAMPLE_RATE == pytest.approx(rec.saved_s, abs=0.01)
    assert got.size > 3 * SAMPLE_RATE
    assert np.max(np.abs(got - long_audio[: got.size])) <= PCM_TOLERANCE


# --- devices -----------------------------------------------------------------------------


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60)


def test_unknown_device_is_a_one_line_device_error(tmp_path):
    from voicecoach.audio.devices import resolve_input_device
    from voicecoach.audio.sources import MicrophoneSource
    from voicecoach.errors import DeviceError

    with pytest.raises(DeviceError) as err:
        resolve_input_device("no-such-microphone-xyz")
    assert "\n" not in str(err.value)
    assert "no-such-microphone-xyz" in str(err.value) or "no audio input" in str(err.value)

    out = tmp_path / "m.wav"
    with pytest.raises(DeviceError) as err:
        Recorder(out, MicrophoneSource("no-such-microphone-xyz")).start()
    assert "\n" not in str(err.value)
    assert not out.exists() and not partial_path_for(out).exists()


def _alsa_without_devices(tmp_path: Path) -> Path:
    """An ALSA configuration that defines no device at all (no PulseAudio, no cards)."""
    system = Path("/usr/share/alsa/alsa.conf")
    if sys.platform != "linux" or not system.exists():
        pytest.skip("needs Linux ALSA")
    text = system.read_text()
    start = text.index("@hooks [")
    depth, end = 0, start
    for i in range(start + len("@hooks "), len(text)):
        depth += {"[": 1, "]": -1}.get(text[i], 0)
        if depth == 0:
            end = i + 1
            break
    conf = tmp_path / "alsa.conf"
    conf.write_text(text[:start] + text[end:])
    return conf


def test_no_input_device_is_a_one_line_device_error(tmp_path):
    conf = _alsa_without_devices(tmp_path)
    code = """
from pathlib import Path
from voicecoach.audio.devices import list_input_devices, resolve_input_device
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import MicrophoneSource
from voicecoach.errors import DeviceError
for call in (list_input_devices, lambda: resolve_input_device(""),
             lambda: Recorder(Path("%s"), MicrophoneSource()).start()):
    try:
        call()
        print("no error")
    except DeviceError as err:
        print("DeviceError:", err)
""" % (tmp_path / "n.wav")
    done = run_python(code, {"ALSA_CONFIG_PATH": str(conf)})
    lines = done.stdout.splitlines()
    assert lines == ["DeviceError: no audio input device found: connect a microphone "
                     "(or check its permissions)"] * 3, done.stdout + done.stderr
    assert done.stderr == ""  # ALSA chatter kept away from the terminal
    assert not (tmp_path / "n.wav.partial").exists()


def test_missing_portaudio_is_a_one_line_device_error():
    # What sounddevice sees on a machine without libportaudio2: find_library finds nothing.
    code = """
import ctypes.util
ctypes.util.find_library = lambda name: None
from voicecoach.audio.devices import list_input_devices
from voicecoach.errors import DeviceError
try:
    list_input_devices()
except DeviceError as err:
    print(err)
"""
    done = run_python(code)
    assert done.stdout == "PortAudio library not found: install libportaudio2\n", done.stderr


def test_quiet_stderr_and_divert_stderr_keep_c_chatter_off_the_terminal(tmp_path):
    log = tmp_path / "chatter.log"
    code = f"""
import os, sys
from voicecoach.audio.devices import divert_stderr, last_chatter, quiet_stderr
with quiet_stderr():
    os.write(2, b"ALSA lib pcm.c: noise\\n")
print(last_chatter())
with divert_stderr({str(log)!r}):
    os.write(2, b"PortAudio thread: noise\\n")
    print("ui frame", file=sys.__stderr__, flush=True)
    print("python warning", file=sys.stderr, flush=True)
    with quiet_stderr():  # a no-op inside a diverted session
        print("still drawn", file=sys.__stderr__, flush=True)
print("restored", file=sys.stderr)
"""
    done = run_python(code, {"VOICECOACH_AUDIO_DEBUG": ""})
    assert done.stdout == "['ALSA lib pcm.c: noise']\n"
    assert done.stderr == "ui frame\npython warning\nstill drawn\nrestored\n"
    assert log.read_text() == "PortAudio thread: noise\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
