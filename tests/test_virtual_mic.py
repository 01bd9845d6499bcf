"""Recording through the real PortAudio -> ALSA -> PulseAudio stack.

`scripts/virtual-mic.sh` starts PulseAudio with the null sink `vmic` whose monitor is
the default source (the GUIDE recipe). Each test then loads a null sink of its own the
same way and makes its monitor this process's default source (`PULSE_SOURCE`), so other
test runs playing into `vmic` at the same time cannot leak into the recording. Speech
synthesized by espeak-ng is played into that sink with `paplay -d <sink>` while the
recorder captures the ALSA device `pulse` through PortAudio.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import soundfile as sf
from conftest import cached_answer

from tools.wer import word_error_rate
from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.audio.devices import divert_stderr
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import MicrophoneSource
from voicecoach.config import Settings
from voicecoach.pipeline import score_file

pytestmark = [pytest.mark.mic, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = ("First I would check the training data for label leakage, "
            "then compare the model against a simple baseline.")
KEY_WORDS = ("check", "data", "leakage", "model", "baseline")


@pytest.fixture(scope="module")
def vmic() -> str:
    if shutil.which("paplay") is None:
        pytest.skip("paplay not installed (apt-get install pulseaudio-utils)")
    done = subprocess.run([str(ROOT / "scripts" / "virtual-mic.sh")], capture_output=True,
                          text=True, timeout=60)
    if done.returncode != 0:
        pytest.skip(f"PulseAudio virtual microphone unavailable: {done.stderr.strip()}")
    from voicecoach.audio.devices import list_input_devices

    names = [d.name for d in list_input_devices()]
    assert "pulse" in names, f"ALSA pulse device missing: {names}"
    return "pulse"


@pytest.fixture(scope="module")
def speech() -> Path:
    path, _ = cached_answer("virtual-mic-sentence", [SENTENCE], voice="espeak")
    return path


@pytest.fixture
def private_source(vmic, monkeypatch):
    """A null sink of this test's own, its monitor the default source of this process.

    The shared `vmic` may carry other test runs' speech at the same moment; a private
    sink built the same way keeps this test's "room" quiet. Returns the sink name.
    """
    name = f"vmic_test_{os.getpid()}"
    done = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}"],
                          capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        pytest.skip(f"cannot load a private null sink: {done.stderr.strip()}")
    monkeypatch.setenv("PULSE_SOURCE", f"{name}.monitor")  # read when a stream connects
    yield name
    subprocess.run(["pactl", "suspend-sink", name, "0"], check=False, timeout=10)
    subprocess.run(["pactl", "unload-module", done.stdout.strip()], check=False, timeout=10)


def play(path: Path, sink: str) -> None:
    subprocess.run(["paplay", "-d", sink, str(path)], check=True, timeout=60)


def record_while_playing(out: Path, source: MicrophoneSource, speech: Path, sink: str
                         ) -> Recorder:
    rec = Recorder(out, source)
    rec.start()
    # PulseAudio's null-sink monitor takes ~2 s to deliver the first block.
    assert rec.wait_for_audio(10), f"no audio from the microphone: {rec.error}"
    time.sleep(0.3)
    play(speech, sink)
    time.sleep(1.0)  # paplay returns before the server has played its buffer out
    rec.stop()
    return rec


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_records_speech_through_portaudio(vmic, private_source, speech, tmp_path,
                                         faster_engine):
    out = tmp_path / "mic.wav"
    rec = record_while_playing(out, MicrophoneSource(vmic), speech, private_source)
    assert rec.error is None
    assert rec.path == out
    info = sf.info(str(out))
    assert info.samplerate == SAMPLE_RATE and info.channels == 1
    assert info.duration == pytest.approx(rec.elapsed_s, abs=0.01)
    assert info.duration >= sf.info(str(speech)).duration
    print(f"recorded {info.duration:.1f} s, {rec.overflows} overflows")

    report = score_file(out, faster_engine, Settings())
    heard = words(report.text)
    print("transcript:", report.text)
    missing = [w for w in KEY_WORDS if w not in heard]
    assert not missing, f"missing {missing} in {report.text!r}"
    assert word_error_rate(SENTENCE, report.text) <= 0.2


def test_device_rate_is_resampled_to_16k(vmic, private_source, speech, tmp_path,
                                        faster_engine):
    out = tmp_path / "mic48k.wav"
    source = MicrophoneSource(vmic, capture_rate=48000)
    rec = record_while_playing(out, source, speech, private_source)
    assert source.rate == 48000
    assert rec.error is None
    info = sf.info(str(out))
    assert info.samplerate == SAMPLE_RATE
    assert info.duration == pytest.approx(rec.elapsed_s, abs=0.01)
    heard = words(faster_engine_text(faster_engine, out))
    assert sum(w in heard for w in KEY_WORDS) >= 4, heard


def faster_engine_text(engine, path: Path) -> str:
    from voicecoach.audio.io import load_audio

    return " ".join(w.text for w in engine.transcribe(load_audio(path).samples))


def _our_source_outputs() -> list[str]:
    """PulseAudio source-output ids that belong to this process."""
    text = subprocess.run(["pactl", "list", "source-outputs"], capture_output=True,
                          text=True, timeout=10).stdout
    ids = []
    for block in text.split("Source Output #")[1:]:
        number = block.split()[0]
        if re.search(rf'application\.process\.id = "{os.getpid()}"', block):
            ids.append(number)
    return ids


def test_device_vanishing_mid_take_keeps_the_audio(vmic, private_source, tmp_path):
    if shutil.which("pacmd") is None:
        pytest.skip("pacmd not installed")
    out = tmp_path / "vanish.wav"
    rec = Recorder(out, MicrophoneSource(vmic))
    log = tmp_path / "audio.log"
    # As in the TUI: PortAudio's thread complains on fd 2 when the device goes away.
    with divert_stderr(log):
        rec.start()
        assert rec.wait_for_audio(10)
        time.sleep(1.0)
        ours = _our_source_outputs()
        assert ours, "cannot find this process's PulseAudio stream"
        for number in ours:  # the server drops the stream: what an unplugged mic does
            subprocess.run(["pacmd", "kill-source-output", number], check=True, timeout=10)
        deadline = time.monotonic() + 10
        while rec.error is None and time.monotonic() < deadline:
            time.sleep(0.05)
    print("PortAudio said (kept off the terminal):", log.read_text().strip()[:200])
    assert rec.error is not None and "\n" not in rec.error
    print("error shown:", rec.error)
    kept = rec.elapsed_s
    path = rec.stop()
    assert path == out
    assert sf.info(str(out)).duration == pytest.approx(kept, abs=0.2)
    assert kept >= 0.9


def test_a_microphone_that_stops_delivering_is_reported(private_source, tmp_path):
    out = tmp_path / "stall.wav"
    rec = Recorder(out, MicrophoneSource("pulse", stall_s=2.0))
    rec.start()
    assert rec.wait_for_audio(10)
    time.sleep(0.5)
    # Suspending the sink starves the stream without closing it: a hung USB device.
    subprocess.run(["pactl", "suspend-sink", private_source, "1"], check=True, timeout=10)
    t0 = time.monotonic()
    while rec.error is None and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    waited = time.monotonic() - t0
    assert rec.error is not None and "stopped delivering audio" in rec.error
    assert 1.5 <= waited <= 4.0
    kept = rec.elapsed_s
    t0 = time.monotonic()
    assert rec.stop() == out
    assert time.monotonic() - t0 < 2.0  # PortAudio's stop() would hang for minutes here
    assert "stopped delivering audio" in (rec.error or "")  # still there for the UI
    assert sf.info(str(out)).duration == pytest.approx(kept, abs=0.2)
