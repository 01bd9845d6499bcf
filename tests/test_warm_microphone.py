"""The microphone opened ahead of the take, through PortAudio -> ALSA -> PulseAudio.

Opening an input through a PulseAudio null sink takes ~2 s before the first block, so
the practice and drill screens open it when they appear and `r` attaches the recorder
to a running stream. These tests record from a null sink of their own (as in
test_virtual_mic.py) and check what a user would notice: recording starts within
0.3 s of the key, no word of the answer is lost, two takes in a row both start at
once, and the input is open only while a recording screen is shown.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import cached_answer

from tools.bench_app.audiocheck import clip_offset, worst_window_match
from voicecoach.audio.io import load_audio
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import PREROLL_S, MicrophoneSource
from voicecoach.config import Settings
from voicecoach.store.db import Store

pytestmark = [pytest.mark.mic, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
START_BUDGET_S = 0.3
SENTENCES = ["First I would check the training data for label leakage.", 0.4,
             "Then I would compare the model against a simple baseline."]


@pytest.fixture(scope="module")
def speech() -> Path:
    path, _ = cached_answer("warm-mic-answer", SENTENCES, voice="espeak")
    return path


@pytest.fixture
def sink(monkeypatch) -> str:
    """A null sink of this test's own; its monitor is this process's default input."""
    if shutil.which("paplay") is None:
        pytest.skip("paplay not installed (apt-get install pulseaudio-utils)")
    ready = subprocess.run([str(ROOT / "scripts" / "virtual-mic.sh")], capture_output=True,
                           text=True, timeout=60)
    if ready.returncode != 0:
        pytest.skip(f"PulseAudio virtual microphone unavailable: {ready.stderr.strip()}")
    name = f"vmic_warm_{os.getpid()}"
    done = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}"],
                          capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        pytest.skip(f"cannot load a private null sink: {done.stderr.strip()}")
    monkeypatch.setenv("PULSE_SOURCE", f"{name}.monitor")
    yield name
    subprocess.run(["pactl", "unload-module", done.stdout.strip()], check=False, timeout=10)


def streams_on(sink: str) -> int:
    """How many input streams record from `sink`'s monitor right now (PulseAudio's view)."""
    sources = subprocess.run(["pactl", "list", "short", "sources"], capture_output=True,
                             text=True, timeout=10).stdout
    index = next((line.split()[0] for line in sources.splitlines()
                  if line.split()[1:2] == [f"{sink}.monitor"]), None)
    outputs = subprocess.run(["pactl", "list", "short", "source-outputs"],
                             capture_output=True, text=True, timeout=10).stdout
    return sum(1 for line in outputs.splitlines() if line.split()[1:2] == [index])


def wait(condition: Callable[[], object], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        time.sleep(0.01)
    return time.monotonic() - start


def assert_whole_answer(recorded: Path, speech: Path) -> None:
    played, got = load_audio(speech).samples, load_audio(recorded).samples
    offset = clip_offset(played, got)
    assert offset >= 0, f"the first {-offset / 16000:.2f} s of the answer are missing"
    assert got.size - offset >= played.size - 0.05 * 16000, "the answer's end is missing"
    assert worst_window_match(played, got, offset) >= 0.9  # no block dropped in between


def test_an_open_microphone_records_from_the_key_on(sink, speech, tmp_path):
    source = MicrophoneSource()
    source.open()
    try:
        opened = wait(lambda: source.ready, 10, "the first block")
        print(f"first block {opened:.2f} s after opening")
        assert streams_on(sink) == 1
        time.sleep(0.5)  # the user reads the prompt
        for n in range(2):  # "try again": the second take starts as fast
            rec = Recorder(tmp_path / f"take{n}.wav", source)
            pressed = time.monotonic()
            rec.start()
            assert rec.wait_for_audio(START_BUDGET_S), "no audio within 0.3 s of the key"
            print(f"take {n + 1}: audio {time.monotonic() - pressed:.3f} s after start")
            subprocess.run(["paplay", "-d", sink, str(speech)], check=True, timeout=60)
            path = rec.stop()  # at once: paplay returns once the server has played it
            assert rec.error is None and rec.overflows == 0
            assert_whole_answer(path, speech)
            assert streams_on(sink) == 1  # still open for the next take
    finally:
        source.close()
    assert streams_on(sink) == 0


def test_the_pre_roll_keeps_a_word_begun_with_the_key(sink, speech, tmp_path):
    def late_take(preroll_s: float) -> float:
        """Seconds of the answer said before the take begins, the key pressed ~0.5 s
        into it."""
        source = MicrophoneSource(preroll_s=preroll_s)
        source.open()
        try:
            wait(lambda: source.ready, 10, "the first block")
            time.sleep(preroll_s + 0.2)
            player = subprocess.Popen(["paplay", "-d", sink, str(speech)])
            time.sleep(0.6)  # speaking already when the key is pressed
            rec = Recorder(tmp_path / f"late-{preroll_s}.wav", source)
            rec.start()
            player.wait(60)
            rec.stop()
        finally:
            source.close()
        played, got = load_audio(speech).samples, load_audio(rec.path).samples
        return -clip_offset(played, got) / 16000  # the clip began before the recording

    without, with_preroll = late_take(0.0), late_take(PREROLL_S)
    print(f"the take begins {without:.2f} s into the answer without a pre-roll, "
          f"{with_preroll:.2f} s with it")
    assert without > 0.3  # a word begun with the key would be cut
    assert with_preroll <= 0.1  # the pre-roll gives it back


@pytest.mark.asyncio
async def test_the_app_opens_the_microphone_only_on_recording_screens(sink, speech,
                                                                      tmp_path,
                                                                      faster_engine):
    from textual.css.query import NoMatches
    from textual.widgets import Static

    from voicecoach.tui.app import create_app
    from voicecoach.tui.home import HomeScreen
    from voicecoach.tui.practice import PracticeScreen
    from voicecoach.tui.result import ResultScreen

    with Store(tmp_path / "data" / "voicecoach.sqlite3") as store:
        app = create_app(Settings(), store, None, lambda settings, progress: faster_engine)
        async with app.run_test(size=(120, 40)) as pilot:

            async def until(condition: Callable[[], object], timeout: float, what: str
                            ) -> float:
                start = time.monotonic()
                while not condition():
                    assert time.monotonic() - start < timeout, f"timed out: {what}"
                    await pilot.pause(0.01)
                return time.monotonic() - start

            def status() -> str:
                try:
                    return str(app.screen.query_one("#rec-status", Static).render())
                except NoMatches:  # not composed yet
                    return ""

            await until(lambda: isinstance(app.screen, HomeScreen), 10, "home")
            assert streams_on(sink) == 0  # nothing listens on the home screen
            app.open_practice(app.prompts[0])
            await until(lambda: isinstance(app.screen, PracticeScreen), 10, "practice")
            await until(lambda: "microphone ready" in status(), 10, "microphone ready")
            assert streams_on(sink) == 1

            app.open_settings()  # another screen covers the practice screen
            await until(lambda: streams_on(sink) == 0, 5, "the microphone closed")
            app.pop_screen()
            await until(lambda: "microphone ready" in status(), 10, "open again")
            await until(lambda: app.engines.state == "ready", 60, "the speech model")

            practice = app.screen
            pressed = time.monotonic()
            await pilot.press("r")
            waited = await until(lambda: practice.panel.state == "recording"
                                 and practice.panel.recorder.elapsed_s > 0
                                 and re.search("● REC(?!  waiting)", status()), 5,
                                 "● REC with audio")
            print(f"r -> ● REC with audio flowing: {time.monotonic() - pressed:.3f} s")
            assert waited <= START_BUDGET_S
            subprocess.run(["paplay", "-d", sink, str(speech)], check=True, timeout=60)
            await pilot.press("s")
            await until(lambda: isinstance(app.screen, ResultScreen), 60, "the result")
            await until(lambda: streams_on(sink) == 0, 5, "closed under the result")
            take = store.takes()[0]
            assert_whole_answer(take.audio_path, speech)

            await pilot.press("escape")  # home: the microphone stays closed
            await until(lambda: isinstance(app.screen, HomeScreen), 10, "home again")
            await pilot.pause(0.5)
            assert streams_on(sink) == 0
