"""Pilot tests of history, replay, compare and progress on a store of real scored takes.

Replay uses `PullOutput`, an output that consumes samples only when the test pulls
them, so position and highlight are checked exactly, without a sound card or a clock.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import Host
from history_seed import DRIFT, JFK_PROMPT, SEED_SETTINGS, seed_store
from textual.widgets import Input, OptionList, Select

from voicecoach.audio.output import PullOutput
from voicecoach.playback import word_at, word_starts
from voicecoach.prompts import load_prompts
from voicecoach.store.db import DB_NAME, Store
from voicecoach.tui.compare import CompareScreen
from voicecoach.tui.history import HistoryScreen
from voicecoach.tui.history_dialogs import ConfirmScreen, ExportScreen
from voicecoach.tui.progress import ProgressScreen
from voicecoach.tui.replay import ReplayScreen
from voicecoach.tui.take_table import TakeTable
from voicecoach.tui.word_transcript import LIT, WordTranscript

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]  # transcribes three clips once

SIZE = (150, 42)


@pytest.fixture
def seeded(tmp_path):
    store = Store(tmp_path / DB_NAME)
    takes = seed_store(store)
    yield store, takes
    store.close()


@pytest.fixture(scope="module")
def prompts():
    return load_prompts()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def shown_prompts(screen: HistoryScreen) -> list[str]:
    return [r.prompt_id for r in screen.query_one(TakeTable).rows]


async def test_history_lists_filters_and_sorts(seeded, prompts, tmp_path):
    store, takes = seeded
    screen = HistoryScreen(store, prompts, export_dir=tmp_path / "exports")
    async with Host(screen).run_test(size=SIZE) as pilot:
        table = screen.query_one(TakeTable)
        assert len(table.rows) == 5
        assert table.rows[0].id == takes["strong"][-1].id  # newest first
        await pilot.press("slash", *"drift")
        assert shown_prompts(screen) == [DRIFT] * 4
        screen.query_one("#filter-text", Input).value = ""
        await pilot.pause()
        screen.query_one("#filter-category", Select).value = "Behavioral"
        await pilot.pause()
        assert shown_prompts(screen) == [JFK_PROMPT]
        screen.query_one("#filter-category", Select).clear()
        await pilot.pause()
        assert len(table.rows) == 5
        since = screen.query_one("#filter-since", Input)
        since.value = "1d"
        await pilot.pause()
        assert len(table.rows) == 2
        since.value = "not a day"
        await pilot.pause()
        assert since.has_class("-invalid") and len(table.rows) == 2  # last valid filter
        since.value = ""
        await pilot.pause()
        screen.query_one("#filter-drill", Select).value = takes["jfk"][0].drill_id
        await pilot.pause()
        assert shown_prompts(screen) == [JFK_PROMPT]
        screen.query_one("#filter-drill", Select).clear()
        await pilot.pause()
        # sort: click the Overall header (highest first), again for lowest first
        x = table.column_x("overall") + 2
        await pilot.click(TakeTable, offset=(x, 0))
        assert screen.sort_column == "overall"
        values = [r.overall for r in table.rows]
        assert values == sorted(values, reverse=True)
        await pilot.click(TakeTable, offset=(x, 0))
        assert [r.overall for r in table.rows] == sorted(values)
        table.focus()
        await pilot.press("s")
        assert screen.sort_column == "structure"


async def test_delete_needs_confirmation(seeded, prompts, tmp_path):
    store, takes = seeded
    screen = HistoryScreen(store, prompts, export_dir=tmp_path)
    async with Host(screen).run_test(size=SIZE) as pilot:
        row = screen.current
        take = store.get(row.id)
        await pilot.press("x")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        assert len(store.takes()) == 5 and take.audio_path.exists()
        await pilot.press("x")
        await pilot.press("y")
        await until(lambda: len(store.takes()) == 4)
        assert not take.audio_path.exists()
        assert row.id not in [r.id for r in screen.query_one(TakeTable).rows]
        assert screen.current is not None


async def test_export_from_history(seeded, prompts, tmp_path):
    store, takes = seeded
    screen = HistoryScreen(store, prompts, export_dir=tmp_path / "exports")
    async with Host(screen).run_test(size=SIZE) as pilot:
        jfk = takes["jfk"][0]
        table = screen.query_one(TakeTable)
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == jfk.id)
        await pilot.press("e")
        assert isinstance(pilot.app.screen, ExportScreen)
        options = pilot.app.screen.query_one(OptionList)
        assert options.option_count == 4  # the take and its drill, HTML and Markdown
        await pilot.press("enter")  # the first: this take as HTML
        path = tmp_path / "exports" / f"voicecoach-take-{jfk.id}.html"
        await until(path.exists)
        assert "fellow Americans" in path.read_text()


async def test_replay_follows_consumed_samples(seeded, prompts, tmp_path):
    store, takes = seeded
    out = PullOutput()
    screen = HistoryScreen(store, prompts, output_factory=lambda: out)
    async with Host(screen).run_test(size=SIZE) as pilot:
        jfk = takes["jfk"][0]
        table = screen.query_one(TakeTable)
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == jfk.id)
        await pilot.press("enter")
        await until(lambda: isinstance(pilot.app.screen, ReplayScreen))
        replay: ReplayScreen = pilot.app.screen  # type: ignore[assignment]
        await until(lambda: not replay.opening_audio)  # decoded and opened in a worker
        await pilot.pause()
        words = replay.report.words
        starts = word_starts(words)
        transcript = replay.query_one(WordTranscript)
        assert transcript.lit is None  # before playing, before the first word
        await pilot.press("space")
        assert replay.player is not None and replay.player.playing
        for seconds in (0.5, 2.0, 4.5, 7.25):
            out.pull_seconds(seconds - replay.player.position_s)
            replay.tick()
            assert replay.player.position_s == pytest.approx(seconds, abs=1 / 16000)
            expected = word_at(starts, seconds)
            assert transcript.lit == expected
            assert words[expected].start <= seconds
            assert expected + 1 == len(words) or words[expected + 1].start > seconds
            # the lit word is drawn lit
            pos = transcript.word_pos[expected]
            strip = transcript.render_line(pos.y - int(transcript.scroll_y))
            lit = [s.text for s in strip if s.style and s.style.reverse]
            assert lit == [words[expected].text.strip()]
        assert LIT.reverse
        await pilot.press("space")  # pause: pulling more moves nothing
        out.pull_seconds(1.0)
        assert replay.player.position_s == pytest.approx(7.25, abs=1 / 16000)
        await pilot.press("left")
        assert replay.player.position_s == pytest.approx(2.25, abs=1e-3)
        await pilot.press("right", "right")
        assert replay.player.position_s == pytest.approx(11.0, abs=1e-3)  # clamped: 11 s
        # clicking a word jumps there; [ and ] move word by word
        await pilot.click(WordTranscript, offset=transcript.word_offset(5))
        assert replay.player.position_s == pytest.approx(words[5].start, abs=1e-3)
        assert transcript.lit == 5
        await pilot.press("right_square_bracket")
        assert transcript.lit == 6
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert transcript.lit == 4


async def test_replay_findings_jump_playback(seeded, tmp_path):
    store, takes = seeded
    take = store.get(takes["weak"][0].id)
    out = PullOutput()
    screen = ReplayScreen(take.report, take.audio_path, output=out)
    async with Host(screen).run_test(size=SIZE) as pilot:
        await until(lambda: not screen.opening_audio)
        findings = screen.query_one("#replay-findings", OptionList)
        timed = [i for i, f in enumerate(take.report.findings) if f.start is not None]
        assert timed, "the weak answer has findings with times"
        findings.focus()
        findings.highlighted = timed[-1]
        await pilot.press("enter")
        target = take.report.findings[timed[-1]].start
        assert screen.player.position_s == pytest.approx(target, abs=1e-3)
        assert screen.player.playing  # jumping to a finding plays it
        out.pull_seconds(0.3)
        screen.tick()
        transcript = screen.query_one(WordTranscript)
        assert transcript.lit == word_at(word_starts(take.report.words), target + 0.3)
        # in the middle of the 2.6 s pause, its ‖ mark is lit as well
        pause = max(take.report.pauses, key=lambda p: p.duration)
        screen.player.seek((pause.start + pause.end) / 2)
        screen.tick()
        assert transcript.lit_pause is not None
        piece = transcript.pieces[transcript.lit_pause]
        assert piece.text.startswith("‖2.6") and piece.span == (pause.start, pause.end)
        strip = transcript.render_line(transcript.piece_line[transcript.lit_pause]
                                       - int(transcript.scroll_y))
        assert [seg.text for seg in strip if seg.style and seg.style.reverse][-1] == piece.text
        screen.player.seek(pause.end + 0.01)
        screen.tick()
        assert transcript.lit_pause is None


async def test_compare_marked_take(seeded, prompts):
    store, takes = seeded
    screen = HistoryScreen(store, prompts)
    async with Host(screen).run_test(size=SIZE) as pilot:
        table = screen.query_one(TakeTable)
        weak, strong = takes["weak"][0].id, takes["strong"][0].id
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == weak)
        await pilot.press("space")
        assert table.marked == {weak}
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == strong)
        await pilot.press("c")
        await until(lambda: isinstance(pilot.app.screen, CompareScreen))
        compare: CompareScreen = pilot.app.screen  # type: ignore[assignment]
        c = compare.comparison
        assert c.before.scores == takes["weak"][0].report.scores  # older one first
        assert c.after.scores == takes["strong"][0].report.scores
        assert "hedging" in {f.id for f in c.disappeared}
        assert len(compare.query(WordTranscript)) == 2
        await pilot.press("escape")
        # nothing marked: compares with the previous take of the same prompt
        table.marked.clear()
        await pilot.press("c")
        await until(lambda: isinstance(pilot.app.screen, CompareScreen))
        assert pilot.app.screen.rows[0].id == takes["weak"][1].id


async def test_progress_per_category(seeded, prompts):
    store, takes = seeded
    screen = HistoryScreen(store, prompts)
    async with Host(screen).run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await until(lambda: isinstance(pilot.app.screen, ProgressScreen))
        progress: ProgressScreen = pilot.app.screen  # type: ignore[assignment]
        await pilot.pause()
        assert progress.shown_days == {m: 5 for m in progress.shown_days}
        categories = progress.query_one("#progress-categories", OptionList)
        index = next(i for i in range(categories.option_count)
                     if categories.get_option_at_index(i).id == "Behavioral")
        categories.highlighted = index
        await pilot.pause()
        assert progress.category == "Behavioral" and progress.shown_days["overall"] == 1
        summary = str(progress.query_one("#progress-summary").render())
        assert "3 day(s) in a row" in summary


async def test_rescore_from_history(seeded, prompts, faster_engine):
    store, takes = seeded
    weak = takes["weak"][0]
    before = store.get(weak.id).scored_at
    screen = HistoryScreen(store, prompts, settings=SEED_SETTINGS,
                           engine_loader=lambda: faster_engine)
    async with Host(screen).run_test(size=SIZE) as pilot:
        table = screen.query_one(TakeTable)
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == weak.id)
        await pilot.press("R")
        await until(lambda: store.get(weak.id).scored_at != before, timeout=60)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get(weak.id).overall == weak.overall  # same audio, same rules


async def test_replay_survives_output_failures(seeded):
    from voicecoach.errors import DeviceError

    store, takes = seeded
    take = store.get(takes["jfk"][0].id)

    class NoDevice(PullOutput):
        def open(self, rate, render):
            raise DeviceError("no audio output device found")

    screen = ReplayScreen(take.report, take.audio_path, output=NoDevice())
    async with Host(screen).run_test(size=SIZE) as pilot:
        await until(lambda: not screen.opening_audio)
        await pilot.press("space")
        assert not screen.player.playing
        assert any("no audio output" in n.message for n in pilot.app._notifications)
        await pilot.press("right")  # seeking still works without a device
        assert screen.player.position_s == pytest.approx(5.0)

    out = PullOutput()
    screen = ReplayScreen(take.report, take.audio_path, output=out)
    async with Host(screen).run_test(size=SIZE) as pilot:
        await until(lambda: not screen.opening_audio)
        await pilot.press("space")
        out.pull_seconds(1.0)
        out.error = "output device 'pulse' stopped (unplugged, or taken by another program)"
        screen.tick()
        await pilot.pause()
        assert not screen.player.playing
        assert any("stopped" in n.message for n in pilot.app._notifications)


async def test_history_inside_the_practice_app(seeded, faster_engine):
    """The wiring the app is meant to use: its store, prompts, settings and engine."""
    from voicecoach.config import Settings
    from voicecoach.tui.app import create_app

    store, takes = seeded
    app = create_app(Settings(), store=store, engine_loader=lambda s, p: faster_engine)
    weak = takes["weak"][0]
    before = store.get(weak.id).scored_at
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(HistoryScreen(app.takes.store, app.prompts))
        screen: HistoryScreen = app.screen  # type: ignore[assignment]
        assert len(screen.query_one(TakeTable).rows) == 5
        table = screen.query_one(TakeTable)
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.id == weak.id)
        await pilot.press("R")  # no loader given: the app's engine service is used
        await until(lambda: store.get(weak.id).scored_at != before, timeout=60)
        await app.workers.wait_for_complete()
