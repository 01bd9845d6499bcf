"""Snapshots of every screen at 80×24 and 120×40, in the real app.

Deterministic on purpose: hand-written reports (no speech model runs), a store of takes
on fixed days shown in UTC, a fixed "today" for progress, an output that plays only
when pulled, the drill's clock stopped, a fixed device list and config path for
settings, and no blinking cursor. Textual is pinned exactly (pyproject) because a new
version may draw a pixel differently.

Update after a deliberate change with
`pytest tests/test_tui_snapshots.py --snapshot-update`, and look at the SVGs (or
`rsvg-convert` them to PNG) before committing them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone

import numpy as np
import pytest
from test_tui_app import jfk_source, sample_report, wait_for
from textual.pilot import Pilot
from textual.widgets import Input

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import save_wav
from voicecoach.audio.output import PullOutput
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.history import prompt_lookup, to_rows
from voicecoach.playback import Player
from voicecoach.prompts import get_prompt, load_prompts
from voicecoach.report import Filler, Finding, Metrics, Report
from voicecoach.store.db import DB_NAME, Store
from voicecoach.tui.app import VoiceCoachApp, create_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
TODAY = date(2025, 3, 14)
PROMPT = "drift-detect-handle"

pytestmark = pytest.mark.slow  # the app waits for its (real) speech model to be ready


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Dates render in local time: make local time UTC for stable pictures."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def drift_report(weak: bool) -> Report:
    """A take of PROMPT: a weak answer (hedges, a filler, a stall) or a structured one."""
    text = ("so I guess you um look at the data I think and then maybe retrain it"
            if weak else "let me structure this first detection I would monitor the input "
            "distributions second diagnosis check the upstream pipeline finally retrain "
            "behind a canary")
    words, t = [], 1.0
    for i, w in enumerate(text.split()):
        words.append(Word(w, t, t + 0.3))
        t += 0.4 + (2.2 if weak and i == 11 else 0.0)
    pause = Span(words[11].end, words[12].start) if weak else None
    findings = [Finding("no-risks", "structure", "major", "No risks or failure modes.",
                        "Say what could go wrong.")]
    if weak:
        findings += [
            Finding("hedging", "flow", "major", "Hedged 3 times.", "Commit, then qualify.",
                    words[2].start, words[2].end, "so I guess you"),
            Finding("hesitation", "pauses", "minor", "A 2.2 s pause inside a phrase.",
                    "Pause between ideas.", pause.start, pause.end)]
    else:
        findings.append(Finding("filler-burst", "fillers", "minor", "Fillers came in a burst.",
                                "Breathe instead.", words[4].start, words[6].end))
    span = words[-1].end - words[0].start
    return Report(
        audio_path="", duration_s=t + 1.0, engine_name="faster-whisper",
        engine_model="tiny.en", words=words, pauses=[pause] if pause else [],
        speech=[Span(1.0, t)], prompt_id=PROMPT,
        fillers=[Filler("um", words[4].start, words[4].end, "filled_pause")] if weak else [],
        metrics=Metrics(len(words), span, span * 0.8, len(words) / span * 60,
                        len(words) / span * 70, 1 if weak else 0, 2.2 if weak else 0.1, 1.0,
                        1 if weak else 0, 60 / span if weak else 0.0),
        scores=({"overall": 52, "structure": 20, "delivery": 90, "fillers": 70, "flow": 60}
                if weak else
                {"overall": 81, "structure": 75, "delivery": 95, "fillers": 90, "flow": 85}),
        findings=findings,
        extra={"coverage": {"key_points": [{"label": "Tell drift kinds apart",
                                            "touched": not weak},
                                           {"label": "Monitor inputs", "touched": True}]}},
    )


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / DB_NAME)
    store.sync_prompts(load_prompts())
    tone = (0.1 * np.sin(np.arange(SAMPLE_RATE * 12) * 0.05)).astype(np.float32)
    for day, weak, prompt in ((3, True, PROMPT), (5, True, PROMPT), (9, False, PROMPT),
                              (10, True, "leak-too-good"), (12, False, PROMPT),
                              (13, False, "behav-disagreement")):
        path = store.new_recording_path()
        save_wav(path, tone)
        rep = drift_report(weak)
        rep.prompt_id = prompt
        take = store.add_take(path, prompt_id=prompt, duration_s=rep.duration_s,
                              created_at=datetime(2025, 3, day, 18, 30, tzinfo=timezone.utc))
        store.save_report(take.id, rep)
    yield store
    store.close()


@pytest.fixture
def app(store, faster_engine, monkeypatch, tmp_path) -> VoiceCoachApp:
    from voicecoach.audio import devices

    # Settings and the export dialog show paths, settings what PortAudio lists: the
    # same everywhere. (Nothing is written there: the store has its own path.)
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", "/home/you/.config/voicecoach")
    monkeypatch.setenv("VOICECOACH_DATA_DIR", "/home/you/.local/share/voicecoach")
    monkeypatch.setattr(devices, "list_input_devices", lambda refresh=False: [
        devices.DeviceInfo(0, "USB microphone", 1, True, "ALSA", 48000.0),
        devices.DeviceInfo(1, "pulse", 32, False, "ALSA", 44100.0)])
    return create_app(Settings(), store, jfk_source, lambda s, p: faster_engine,
                      load_prompts())


async def settle(pilot: Pilot) -> None:
    """The model is ready, workers are done, no cursor blinks."""
    app = pilot.app
    await wait_for(pilot, lambda: "ready" in app.engine_status, what="the model")
    await app.workers.wait_for_complete()
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def push(make: Callable[[VoiceCoachApp], object],
         then: Callable[[object], None] | None = None) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: "ready" in pilot.app.engine_status, what="the model")
        screen = make(pilot.app)
        await pilot.app.push_screen(screen)
        await wait_for(pilot, lambda: pilot.app.screen is screen, what=str(screen))
        if then is not None:
            then(screen)
        await settle(pilot)

    return run


def keys(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: "ready" in pilot.app.engine_status, what="the model")
        await pilot.press(*pressed)
        await pilot.pause(0.3)
        await settle(pilot)

    return run


# --- the screens ------------------------------------------------------------------------------


def practice(app):
    from voicecoach.tui.practice import PracticeScreen

    return PracticeScreen(get_prompt("design-fraud-detection"))


def result(app):
    from voicecoach.tui.result import ResultScreen

    previous = sample_report()
    previous.scores = {**previous.scores, "overall": 61, "flow": 60}
    return ResultScreen(get_prompt("design-fraud-detection"), sample_report(), previous)


def drill(app):
    from voicecoach.app.drill import DrillPlan
    from voicecoach.tui.drill import DrillScreen

    prompts = [get_prompt("design-fraud-detection"), get_prompt("leak-too-good")]
    return DrillScreen(DrillPlan(prompts, [45, 30], [240, 150]))


def stop_the_clock(screen) -> None:
    """The think countdown stays at 0:45: a snapshot has no clock."""
    screen.ticker.pause()
    screen.deadline = time.monotonic() + 44.5
    screen._show_clock()


def drill_summary(app):
    from voicecoach.app.drill import DrillItem
    from voicecoach.tui.drill import DrillSummaryScreen

    items = [DrillItem(get_prompt("design-fraud-detection"), 1, "done", sample_report(),
                       seconds=11.0),
             DrillItem(get_prompt("leak-too-good"), 2, "failed", None,
                       "no speech found (the audio is silent)", 25.0)]
    return DrillSummaryScreen(items)


def history(app):
    from voicecoach.tui.history import HistoryScreen

    return HistoryScreen(app.takes.store, app.prompts)


def replay(app):
    from voicecoach.tui.replay import ReplayScreen

    store = app.takes.store
    take = store.takes(prompt_id=PROMPT, order_by="created_at", descending=False)[0]
    row = to_rows([take], prompt_lookup(app.prompts))[0]
    out = PullOutput()
    player = Player(np.zeros(SAMPLE_RATE * 12, np.float32), output=out)
    player.play()
    out.pull_seconds(4.1)  # the word at 4.1 s is lit
    player.pause()
    return ReplayScreen(take.report, take.audio_path, row=row, player=player)


def compare(app):
    from voicecoach.tui.compare import CompareScreen

    takes = app.takes.store.takes(prompt_id=PROMPT, order_by="created_at", descending=False)
    before, after = takes[0], takes[-1]
    rows = to_rows([before, after], prompt_lookup(app.prompts))
    return CompareScreen(before.report, after.report, rows[0], rows[1])


def progress(app):
    from voicecoach.tui.progress import ProgressScreen

    rows = to_rows(app.takes.store.takes(), prompt_lookup(app.prompts))
    return ProgressScreen(rows, app.prompts, today=TODAY)


def result_of_take(app):
    """The result of a stored take (so it can be exported)."""
    from voicecoach.tui.result import ResultScreen

    take = app.takes.store.takes(prompt_id=PROMPT)[0]
    return ResultScreen(get_prompt(PROMPT), take.report, take_id=take.id)


async def export_dialog(pilot: Pilot) -> None:
    await push(result_of_take)(pilot)
    await pilot.press("e")  # the dialog names the folder the file will go to
    await settle(pilot)


SCREENS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "home": keys(),
    "practice": push(practice),
    "result": push(result),
    "drill_setup": keys("d"),
    "drill": push(drill, stop_the_clock),
    "drill_summary": push(drill_summary),
    "history": push(history),
    "replay": push(replay),
    "compare": push(compare),
    "progress": push(progress),
    "settings": keys("s"),
    "export": export_dialog,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, app, screen: str, size: str) -> None:
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCREENS[screen])
