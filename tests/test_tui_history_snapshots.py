"""Snapshots of the history, replay, compare and progress screens.

Deterministic on purpose: hand-written reports (no speech model), fixed dates shown in
UTC, a fixed "today", and an output that consumes samples only when pulled. Update
with `pytest tests/test_tui_history_snapshots.py --snapshot-update` after a deliberate
change, and look at the SVGs before committing them.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import numpy as np
import pytest
from conftest import Host
from textual.pilot import Pilot
from textual.widgets import Input

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import save_wav
from voicecoach.audio.vad import Span
from voicecoach.history import prompt_lookup, to_rows
from voicecoach.playback import Player, PullOutput
from voicecoach.prompts import load_prompts
from voicecoach.report import Filler, Finding, Metrics, Report
from voicecoach.store.db import DB_NAME, Store
from voicecoach.tui.compare import CompareScreen
from voicecoach.tui.history import HistoryScreen
from voicecoach.tui.progress import ProgressScreen
from voicecoach.tui.replay import ReplayScreen

SIZE = (130, 36)
TODAY = date(2025, 3, 14)
PROMPT = "drift-detect-handle"


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Dates render in local time: make local time UTC for stable pictures."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def report(weak: bool) -> Report:
    text = ("so I guess you um look at the data I think and then maybe retrain it"
            if weak else "let me structure this first detection I would monitor the input "
            "distributions second diagnosis check the upstream pipeline finally retrain "
            "behind a canary")
    words, t = [], 1.0
    for i, w in enumerate(text.split()):
        words.append(Word(w, t, t + 0.3))
        t += 0.4 + (2.2 if weak and i == 11 else 0.0)
    pause = Span(words[11].end, words[12].start) if weak else None
    findings = [
        Finding("no-risks", "structure", "major", "No risks or failure modes.",
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
        extra={"coverage": {"key_points": [{"label": "a", "touched": not weak},
                                           {"label": "b", "touched": True}]}},
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
        when = datetime(2025, 3, day, 18, 30, tzinfo=timezone.utc)
        rep = report(weak)
        rep.prompt_id = prompt
        take = store.add_take(path, prompt_id=prompt, duration_s=rep.duration_s,
                              created_at=when)
        store.save_report(take.id, rep)
    yield store
    store.close()


async def settle(pilot: Pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_snapshot_history(snap_compare, store):
    screen = HistoryScreen(store, load_prompts())
    assert snap_compare(Host(screen), terminal_size=SIZE, run_before=settle)


def test_snapshot_replay(snap_compare, store):
    take = store.takes(prompt_id=PROMPT, order_by="created_at", descending=False)[0]
    out = PullOutput()
    player = Player(np.zeros(SAMPLE_RATE * 12, np.float32), output=out)
    screen = ReplayScreen(take.report, take.audio_path, player=player)

    async def play_to_4s(pilot: Pilot) -> None:
        player.play()
        out.pull_seconds(4.1)
        player.pause()
        screen.tick()
        await settle(pilot)

    assert snap_compare(Host(screen), terminal_size=SIZE, run_before=play_to_4s)


def test_snapshot_compare(snap_compare, store):
    info = prompt_lookup(load_prompts())
    takes = store.takes(prompt_id=PROMPT, order_by="created_at", descending=False)
    before, after = takes[0], takes[-1]
    rows = to_rows([before, after], info)
    screen = CompareScreen(before.report, after.report, rows[0], rows[1])
    assert snap_compare(Host(screen), terminal_size=SIZE, run_before=settle)


def test_snapshot_progress(snap_compare, store):
    rows = to_rows(store.takes(), prompt_lookup(load_prompts()))
    screen = ProgressScreen(rows, load_prompts(), today=TODAY)
    assert snap_compare(Host(screen), terminal_size=SIZE, run_before=settle)
