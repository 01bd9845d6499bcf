"""The practice app driven with Pilot: home -> practice -> record -> result, try again,
a drill of two prompts, settings, and every recording fault the UI must surface.

Real transcription (faster-whisper tiny.en, loaded once per session) on real speech
(tests/data/jfk.wav) played through a file-backed audio source in real time (4x speed),
into a temporary take store.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, Switch

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import load_audio
from voicecoach.audio.sources import ArraySource, FileSource
from voicecoach.audio.vad import Span
from voicecoach.config import Settings, load_settings
from voicecoach.errors import DeviceError
from voicecoach.prompts import KeyPoint, Prompt
from voicecoach.report import Filler, Finding, Metrics, Report
from voicecoach.store.db import Store
from voicecoach.tui.app import VoiceCoachApp, create_app
from voicecoach.tui.drill import DrillScreen, DrillSetupScreen, DrillSummaryScreen
from voicecoach.tui.history_dialogs import ConfirmScreen
from voicecoach.tui.home import HomeScreen
from voicecoach.tui.practice import PracticeScreen
from voicecoach.tui.result import ResultScreen
from voicecoach.tui.settings import SettingsScreen

JFK = Path(__file__).parent / "data" / "jfk.wav"
SIZE = (120, 40)
SPEED = 4.0  # the 11 s clip arrives in under 3 s, paced like a microphone


def make_prompts() -> list[Prompt]:
    def kp(i: str, label: str, *phrases: str) -> KeyPoint:
        return KeyPoint(i, label, phrases)

    return [
        Prompt("design-fraud", "Design a real-time fraud detection system for card payments.",
               "ML system design", 45, 240,
               (kp("labels", "Labels arrive late", "label*"),
                kp("latency", "A latency budget", "latency"))),
        Prompt("design-feed", "Design the ranking system for a social media home feed.",
               "ML system design", 45, 240, (kp("objective", "Define the objective",
                                                "objective"),)),
        Prompt("leak-auc", "Your offline AUC jumped from 0.78 to 0.97 overnight. What happened?",
               "Leakage", 30, 150, (kp("split", "Check the split", "split"),)),
        Prompt("country", "What can you do for your country?", "Behavioral", 20, 120,
               (kp("country", "Mention the country", "country"),)),
    ]


def jfk_source(settings: Settings) -> FileSource:
    return FileSource(JFK, realtime=True, speed=SPEED)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "data" / "voicecoach.sqlite3") as s:
        yield s


@pytest.fixture
def make_app(store: Store, faster_engine, tmp_path: Path, monkeypatch
             ) -> Callable[..., VoiceCoachApp]:
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path / "config"))

    def factory(settings: Settings | None = None, source=jfk_source) -> VoiceCoachApp:
        return create_app(settings or Settings(), store, source,
                          lambda settings, progress: faster_engine, make_prompts())

    return factory


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 30.0,
                   what: str = "") -> None:
    """Poll the UI until `condition()` holds; fail with `what` after `timeout` s.

    Then one more message cycle, so a screen that just appeared finishes mounting
    (Textual's Header sets its title after the first refresh; tearing the app down
    before that raises inside Header).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}; "
                                 f"screen {pilot.app.screen!r}")
        await pilot.pause(0.05)
    await pilot.pause()


def text_of(app: VoiceCoachApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def start_take(pilot: Pilot, app: VoiceCoachApp) -> PracticeScreen:
    """From the home screen: open the first prompt and start recording."""
    await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="practice")
    practice = app.screen
    await pilot.press("r")
    return practice


async def record_take(pilot: Pilot, app: VoiceCoachApp, expect_result: bool = True) -> None:
    """On a practice screen: record the whole clip, stop, wait for the result."""
    screen = app.screen
    assert isinstance(screen, PracticeScreen)
    await pilot.press("r")
    await wait_for(pilot, lambda: screen.panel.state == "recording", what="recording")
    await wait_for(pilot, lambda: screen.panel.recorder.source_finished, what="clip played")
    await pilot.press("s")
    if expect_result:
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), 60, "the result")


# --- flows --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.asyncio
async def test_home_practice_record_result_and_try_again(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await wait_for(pilot, lambda: "ready" in app.engine_status, what="the model")
        # Browse: the category list filters, search narrows, Enter opens the prompt.
        await pilot.press("slash", *"country")
        home = app.screen
        assert [p.id for p in home.shown] == ["country"]
        await pilot.press("enter")  # the one match opens from the search box
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="practice")
        assert app.screen.prompt.id == "country"

        await record_take(pilot, app)
        result = app.screen
        assert isinstance(result, ResultScreen)
        transcript = str(result.query_one("#transcript-box .transcript", Static).render())
        assert "ask not what your country can do for you" in transcript.lower()
        take = store.takes(prompt_id="country")[0]
        assert take.status == "scored" and take.audio_path.exists()
        assert take.report is not None and take.report.metrics.word_count >= 20
        assert 10.5 < take.duration_s < 11.5  # every sample of the clip was kept
        assert not result.query("#change")  # first take: nothing to compare yet

        # Try again: the same prompt, and the second result shows the change.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="again")
        assert app.screen.prompt.id == "country"
        await record_take(pilot, app)
        # The same clip: the same report (jfk is too short for an overall score).
        assert "No change" in text_of(app, "#change")
        assert len(store.takes(prompt_id="country")) == 2

        # Play back: the replay screen (another engineer's) opens on this take's audio.
        await pilot.press("p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReplayScreen", what="replay")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), what="result")

        await pilot.press("escape")  # result -> home, which now counts the prompt practiced
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home again")
        # jfk is under the judged minimum: practiced, with no overall score to show.
        assert store.takes(prompt_id="country")[0].overall is None
        assert app.last_scores() == {"country": None}
        assert "last take too short to judge" in text_of(app, "#preview")
        assert "1 practiced" in text_of(app, "#home-status")
        await pilot.press("h")  # and every take is in the history
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen",
                       what="history")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.press("g")  # progress over time, from the same two takes
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProgressScreen",
                       what="progress")
        assert len(app.screen.rows) == 2


@pytest.mark.slow
@pytest.mark.asyncio
async def test_drill_of_two_prompts_with_short_times(make_app, store: Store) -> None:
    # Real-time speed: the automatic stop is checked against wall-clock pacing.
    app = make_app(Settings(think_s=1, answer_s=3), lambda s: FileSource(JFK, realtime=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillSetupScreen), what="setup")
        setup = app.screen
        setup.query_one("#drill-count", Input).value = "2"
        setup.query_one("#drill-category", Select).value = "ML system design"
        setup.query_one("#drill-own-times", Switch).value = False  # use 1 s / 3 s
        await wait_for(pilot, lambda: "Off: your settings" in text_of(app, "#drill-times"))
        await pilot.click("#drill-start")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillScreen), what="drill")
        drill = app.screen
        # The drill opens on its think time (on a loaded machine the 1 s may be over).
        assert drill.index == 0 and drill.phase in ("think", "answer")
        assert {p.id for p in drill.plan.prompts} == {"design-fraud", "design-feed"}
        # Think time runs out by itself, then the answer records and stops by itself.
        await wait_for(pilot, lambda: drill.phase == "answer", 5, "answer phase")
        await wait_for(pilot, lambda: drill.index == 1, 10, "the second prompt")
        # The second answer is stopped early with the key.
        await wait_for(pilot, lambda: drill.panel.state == "recording"
                       and drill.panel.elapsed_s >= 1.5, 10, "second take")
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillSummaryScreen), 60,
                       "the summary")
        summary = app.screen
        assert [(i.status, i.error) for i in summary.items] == [("done", "")] * 2
        first, second = summary.items
        assert 2.9 <= first.seconds <= 3.3  # the automatic stop at 3 s of answer
        assert 1.5 <= second.seconds < 2.9  # the early stop
        assert "2 of 2 prompts scored" in text_of(app, "#summary-headline")
        takes = store.takes(drill_id=first.report and store.takes()[0].drill_id)
        assert len(takes) == 2 and all(t.status == "scored" for t in takes)
        assert store.drills()[0].finished_at is not None
        await pilot.press("enter")  # open the first take's full result
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), what="result")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")


@pytest.mark.asyncio
async def test_settings_saved_as_toml_and_env_wins(make_app, tmp_path: Path,
                                                   monkeypatch) -> None:
    monkeypatch.setenv("VOICECOACH_ANSWER_S", "99")
    app = make_app(load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen), what="settings")
        screen = app.screen
        assert "VOICECOACH_ANSWER_S" in text_of(app, "#settings-env")
        # the field itself says where its value comes from, and cannot be edited here
        answer = screen.query_one("#answer_s", Input)
        assert answer.disabled and answer.value == "99"
        assert "VOICECOACH_ANSWER_S" in str(answer.parent.query_one(".env-note").render())
        live = screen.query_one("#live_transcript")
        assert "✓" not in str(live.render())  # off shows no mark (it showed X either way)
        live.value = True
        assert "✓" in str(live.render())
        screen.query_one("#think_s", Input).value = "0"
        await pilot.press("ctrl+s")
        assert "above 0" in text_of(app, "#settings-error")
        assert isinstance(app.screen, SettingsScreen)  # still open: nothing saved
        screen.query_one("#think_s", Input).value = "12"
        screen.query_one("#filler_words", Input).value = "basically, right"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="saved")
    saved = (tmp_path / "config" / "settings.toml").read_text()
    assert "think_s = 12" in saved and 'filler_words = [\n    "basically",' in saved
    assert "live_transcript = true" in saved
    assert "answer_s = 120" in saved  # the session's VOICECOACH_ANSWER_S is not saved
    assert app.settings.think_s == 12 and app.settings.answer_s == 99  # env still wins


@pytest.mark.asyncio
async def test_command_palette_offers_every_action_of_the_screen(make_app) -> None:
    from voicecoach.tui.app import PaletteCommands

    app = make_app()

    def titles() -> list[str]:
        listed = [c.title for c in app.get_system_commands(app.screen)]
        assert len(listed) == len(set(listed)), f"listed twice: {listed}"
        assert not {"Cursor up", "Focus Next", "Copy selected text", "palette"} & set(listed)
        generic = listed.index("Theme")  # Textual's own entries come after ours
        assert generic > listed.index("Screenshot")
        return listed

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        listed = titles()
        assert listed[:9] == ["Practice", "Random", "Drill", "History", "Progress",
                              "Settings", "Search", "Clear search", "Quit"]
        # the palette shows them in that order (Textual's provider sorted them by name)
        provider = PaletteCommands(app.screen)
        assert [hit.display for hit in [h async for h in provider.discover()]] == listed
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="practice")
        listed = titles()
        assert listed[:5] == ["Record", "Record/Stop", "Read prompt aloud", "Back", "Quit"]
        assert "Stop" not in listed
        await pilot.press("escape", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen), what="settings")
        assert titles()[:2] == ["Save", "Cancel"]
        await pilot.press("escape", "h")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen",
                       what="history")
        assert titles()[:3] == ["Compare", "Mark", "Export"]


@pytest.mark.asyncio
async def test_a_missing_model_is_reported_and_the_take_kept(store: Store, tmp_path: Path
                                                             ) -> None:
    from voicecoach.errors import ModelError

    def no_model(settings: Settings, progress) -> None:
        raise ModelError("faster-whisper model 'base.en' is not on this machine; run "
                         "`voicecoach models download base.en` (needs network)")

    app = create_app(Settings(), store, jfk_source, no_model, make_prompts())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "failed" in app.engine_status, what="the failure")
        assert "voicecoach models download" in app.engine_status
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="practice")
        practice = app.screen
        await record_take(pilot, app, expect_result=False)
        await wait_for(pilot, lambda: "Could not score" in text_of(app, "#rec-warning"),
                       what="the scoring error")
        assert "recording is kept" in text_of(app, "#rec-warning")
        take = store.takes()[0]
        assert take.status == "failed" and take.audio_path.exists()
        assert practice.check_action("record", ()) is True  # ready for another go


# --- recording faults: a clear message, and the audio so far is kept ------------------------


@pytest.mark.asyncio
async def test_no_input_device_is_a_clear_message(make_app, store: Store) -> None:
    def no_device(settings: Settings):
        raise DeviceError("no audio input device found: connect a microphone")

    app = make_app(source=no_device)
    async with app.run_test(size=SIZE) as pilot:
        await start_take(pilot, app)
        await wait_for(pilot, lambda: "no audio input device" in text_of(app, "#rec-warning"),
                       what="the warning")
        assert app.screen.panel.state == "idle"
        assert store.takes() == []  # no empty "[failed] 0:00" take left in the history
        await pilot.press("escape")  # the UI is still usable
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")


@pytest.mark.asyncio
async def test_silent_and_clipping_input_are_warned_about(make_app) -> None:
    rate = SAMPLE_RATE
    silence = np.zeros(4 * rate, dtype=np.float32)  # a muted microphone
    t = np.arange(2 * rate) / rate
    clipped = np.clip(1.5 * np.sin(2 * np.pi * 220 * t), -1, 1).astype(np.float32)
    sources = iter([ArraySource(silence), ArraySource(clipped)])
    app = make_app(source=lambda s: next(sources))
    async with app.run_test(size=SIZE) as pilot:
        practice = await start_take(pilot, app)
        await wait_for(pilot, lambda: "No sound for" in text_of(app, "#rec-warning"), 10,
                       "the silence warning")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Could not score" in text_of(app, "#rec-warning"), 30,
                       "no speech in a silent take")
        await pilot.press("r")
        await wait_for(pilot, lambda: "clipping" in text_of(app, "#rec-warning"), 10,
                       "the clipping warning")
        await pilot.press("s")
        # Let the (tone-only) take finish processing before the shared engine moves on.
        await wait_for(pilot, lambda: practice.panel.state == "idle" and not practice.processing,
                       30, "stopped")


class VanishingSource(ArraySource):
    """A microphone that is unplugged after `seconds` of audio."""

    def __init__(self, samples: np.ndarray, seconds: float) -> None:
        super().__init__(samples[: int(seconds * SAMPLE_RATE)], realtime=True, speed=SPEED)

    def _run(self, samples, callback) -> None:
        super()._run(samples, callback)
        self.error = "input device 'USB mic' stopped (unplugged); the recording so far is kept"


@pytest.mark.slow
@pytest.mark.asyncio
async def test_device_lost_mid_take_keeps_and_scores_the_audio(make_app, store: Store
                                                                ) -> None:
    samples = load_audio(JFK).samples
    app = make_app(source=lambda s: VanishingSource(samples, 6.0))
    async with app.run_test(size=SIZE) as pilot:
        practice = await start_take(pilot, app)
        # No key press: the fault stops the take, the message shows, the 6 s are scored.
        def warning() -> str:  # read from the practice screen: the result may be up already
            return str(practice.query_one("#rec-warning", Static).render())

        await wait_for(pilot, lambda: "unplugged" in warning(), 20, "the fault")
        assert "first 6.0 s were kept" in warning()
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), 60, "result")
        take = store.takes()[0]
        assert take.status == "scored" and 5.9 < take.duration_s < 6.1
        assert "fellow americans" in take.report.text.lower()
        assert practice.panel.state == "idle"


@pytest.mark.slow
@pytest.mark.asyncio
async def test_disk_full_mid_take_is_shown_and_the_written_part_kept(make_app, store: Store,
                                                                      monkeypatch) -> None:
    import errno

    import voicecoach.audio.recorder as recorder_module

    real_write, written = os.write, [0]

    class FullDisk:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def write(fd: int, data) -> int:
            if written[0] > 5 * SAMPLE_RATE * 2:  # 5 s of 16-bit audio, then ENOSPC
                raise OSError(errno.ENOSPC, "No space left on device")
            n = real_write(fd, data)
            written[0] += n
            return n

    monkeypatch.setattr(recorder_module, "os", FullDisk())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        practice = await start_take(pilot, app)

        def warning() -> str:
            return str(practice.query_one("#rec-warning", Static).render()).lower()

        await wait_for(pilot, lambda: "disk full" in warning() or "no space" in warning(), 20,
                       "disk full")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen), 60, "result")
        take = store.takes()[0]
        assert take.status == "scored" and 4.5 < take.duration_s < 5.5
        assert take.audio_path.exists()


# --- a hand-made report (no model timing): the snapshot and layout tests use it ----------


SAMPLE_TEXT = ("So um first I will frame the problem . Maybe the key risk is label delay , "
               "and then we should look at the latency budget .")


def sample_report() -> Report:
    words, t = [], 0.6
    for w in SAMPLE_TEXT.split():
        if w in (".", ","):
            words[-1] = Word(words[-1].text + w, words[-1].start, words[-1].end)
            continue
        if w == "Maybe":
            t += 1.8  # a long pause between the sentences
        words.append(Word(w, round(t, 2), round(t + 0.3, 2)))
        t += 0.38
    metrics = Metrics(word_count=len(words), speaking_span_s=10.2, speech_s=8.1, wpm=141.0,
                      articulation_wpm=178.0, pause_count=1, longest_pause_s=1.9,
                      think_time_s=0.6, filler_count=1, fillers_per_min=5.9)
    return Report(
        audio_path="take.wav", duration_s=11.0, engine_name="faster-whisper",
        engine_model="tiny.en", words=words, pauses=[Span(3.8, 5.7)], speech=[],
        fillers=[Filler("um", 0.98, 1.28, "filled_pause")], metrics=metrics,
        prompt_id="design-fraud",
        scores={"overall": 68, "structure": 74, "delivery": 81, "fillers": 70, "flow": 55},
        findings=[
            Finding("no-summary", "structure", "major", "No closing summary",
                    "End with one sentence that restates your design.", 9.0, 10.2,
                    "look at the latency budget"),
            Finding("hedging", "flow", "minor", "Hedged the key claim",
                    "Say 'the key risk is' without 'maybe'.", 5.7, 6.0, "Maybe"),
            Finding("pause", "pauses", "minor", "A 1.9 s stall mid-answer",
                    "Bridge with a signpost: 'Next, ...'.", 3.8, 5.7),
            Finding("framing", "structure", "info", "Framed the problem first", ""),
        ],
        extra={"coverage": {"key_points": [{"label": "Labels arrive late", "touched": True},
                                           {"label": "A latency budget", "touched": True}]},
               "marks": [{"kind": "signpost", "start": 1.36, "end": 1.66, "text": "first"},
                         {"kind": "hedge", "start": 5.44, "end": 5.74, "text": "maybe"}]},
    )


def test_engine_and_audio_imports_stay_off_the_start_path() -> None:
    """Cold start: building the app must not import the heavy speech or audio stacks."""
    import subprocess
    import sys

    code = ("import sys; from voicecoach.tui.app import VoiceCoachApp, create_app; "
            "heavy = [m for m in ('faster_whisper', 'ctranslate2', 'torch', 'whisper', "
            "'sounddevice', 'av') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == ""


_ = asyncio  # pytest-asyncio runs the async tests


@pytest.mark.asyncio
async def test_quitting_mid_take_keeps_the_recording(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        practice = await start_take(pilot, app)
        await wait_for(pilot, lambda: practice.panel.elapsed_s >= 2.0, what="some audio")
        await pilot.press("ctrl+q")  # mid-take: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is practice, what="back to the take")
        assert practice.panel.state == "recording" and app.is_running
        await pilot.press("q")  # q asks the same
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
    take = store.takes()[0]
    assert take.status == "recorded" and take.duration_s >= 2.0 and take.audio_path.exists()
    assert "closed" in (take.message or "")


@pytest.mark.skipif(not __import__("shutil").which("espeak-ng"), reason="needs espeak-ng")
@pytest.mark.asyncio
async def test_prompt_is_read_aloud_and_silenced_when_recording_starts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="practice")
        await pilot.press("p")
        assert app.speaker.speaking  # espeak-ng runs as a child process
        assert "Reading the prompt aloud" in text_of(app, "#practice-hint")  # and says so
        await pilot.press("p")  # p again stops it
        await wait_for(pilot, lambda: "Reading" not in text_of(app, "#practice-hint"),
                       what="the hint back")
        assert not app.speaker.speaking
        await pilot.press("p")
        await pilot.press("r")  # the microphone must not hear the question
        assert not app.speaker.speaking
        assert "Reading" not in text_of(app, "#practice-hint")
        await pilot.press("s")
