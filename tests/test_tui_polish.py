"""What a new user ran into on every screen (issue #17): each check would have caught
one of them. Screens run in a real app (Pilot), on hand-made reports where no speech
model is needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Host
from test_tui_app import make_prompts, sample_report, wait_for
from textual.widgets import Static

from voicecoach.app.drill import DrillItem
from voicecoach.app.engine import EngineService
from voicecoach.app.take import score_take, without_path
from voicecoach.audio.io import save_wav
from voicecoach.config import Settings
from voicecoach.tui.drill import DrillSummaryScreen

pytestmark = pytest.mark.asyncio
SIZE = (120, 40)


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_failed_drill_take_says_why_not_where(faster_engine, tmp_path: Path) -> None:
    # The reason a take could not be scored, without the recording's file path.
    silent = tmp_path / "2026-11-29_06-12-40.wav"
    save_wav(silent, np.zeros(16000 * 25, np.float32))
    engines = EngineService(lambda settings, progress: faster_engine)
    with pytest.raises(Exception) as err:
        score_take(silent, None, engines, Settings(), lambda f, t: None)
    reason = str(err.value)
    assert str(tmp_path) not in reason and reason.startswith("no speech found")
    assert without_path(f"{silent}: empty file (0 bytes)", silent) == "empty file (0 bytes)"

    prompts = make_prompts()
    items = [DrillItem(prompts[0], 1, "done", sample_report(), seconds=11.0),
             DrillItem(prompts[2], 2, "failed", None, reason, 25.0)]
    screen = DrillSummaryScreen(items)
    async with Host(screen).run_test(size=SIZE) as pilot:
        await pilot.pause()
        headline = static_text(screen, "#summary-headline")
        # 36 s were recorded; 8.1 s of it was voice (the failed take is 25 s of silence)
        assert "0:08 spoken" in headline
        fix_first = str(screen.query_one("#summary-table").get_row_at(1)[-1])
        assert fix_first.startswith("no speech found")  # the reason, not a file path
        await pilot.press("down")  # the failed take: its panel says why
        await wait_for(pilot, lambda: "Not scored" in static_text(screen, "#summary-tip"))
        tip = static_text(screen, "#summary-tip")
        assert "no speech found" in tip and str(tmp_path) not in tip


@pytest.fixture
def app_with_take(tmp_path: Path, faster_engine, monkeypatch):
    """The app on a store holding one scored take (a hand-made report)."""
    from voicecoach.prompts import load_prompts
    from voicecoach.store.db import DB_NAME, Store
    from voicecoach.tui.app import create_app

    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "data"))
    store = Store(tmp_path / "data" / DB_NAME)
    path = store.new_recording_path()
    save_wav(path, np.zeros(16000, np.float32))
    take = store.add_take(path, prompt_id="design-fraud-detection", duration_s=11.0)
    report = sample_report()
    report.audio_path = str(path)
    store.save_report(take.id, report)
    app = create_app(Settings(), store, None, lambda s, p: faster_engine, load_prompts())
    yield app, store.get(take.id)
    store.close()


async def test_export_from_the_result_screen_says_where(app_with_take, tmp_path) -> None:
    from voicecoach.prompts import get_prompt
    from voicecoach.tui.history_dialogs import ExportScreen
    from voicecoach.tui.result import ResultScreen

    app, take = app_with_take
    async with app.run_test(size=SIZE) as pilot:
        result = ResultScreen(get_prompt("design-fraud-detection"), take.report,
                              take_id=take.id)
        await app.push_screen(result)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="dialog")
        folder = tmp_path / "data" / "exports"
        assert str(folder) in static_text(app.screen, "#export-where")  # before writing
        await pilot.press("enter")  # the first choice: this take as HTML
        written = folder / f"voicecoach-take-{take.id}.html"
        await wait_for(pilot, written.exists, what="the file")
        assert app.screen is result
        assert any(str(written) in n.message for n in app._notifications)  # and after
        assert "No closing summary" in written.read_text()
        assert written.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700


async def test_screens_fit_80_columns(app_with_take) -> None:
    """At 80×24 the result's delivery numbers keep one line each beside a readable
    transcript, history keeps its scores on screen, and a long category name is
    shortened rather than wrapped."""
    from textual.widgets import OptionList

    from voicecoach.history import prompt_lookup, to_rows
    from voicecoach.prompts import get_prompt
    from voicecoach.tui.history import HistoryScreen
    from voicecoach.tui.result import ResultScreen
    from voicecoach.tui.take_table import TakeTable

    app, take = app_with_take
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        categories = app.screen.query_one("#category-list", OptionList)
        width = categories.content_region.width
        labels = [str(categories.get_option_at_index(i).prompt)
                  for i in range(categories.option_count)]
        assert all(len(label) <= width for label in labels), labels

        result = ResultScreen(get_prompt("design-fraud-detection"), take.report,
                              take_id=take.id)
        await app.push_screen(result)
        await pilot.pause()
        numbers = result.query_one("#numbers-box", Static)
        lines = str(numbers.render()).splitlines()
        assert len(lines) == 6 and max(map(len, lines)) <= numbers.content_region.width
        assert result.query_one("#transcript-box").size.width >= 36  # was 26
        await pilot.press("escape")

        history = HistoryScreen(app.takes.store, app.prompts)
        await app.push_screen(history)
        await pilot.pause()
        table = history.query_one(TakeTable)
        assert {"date", "prompt", "duration", "overall"} <= set(table.shown_columns)
        used = sum(w + 1 for _, _, w in table._layout()) + 2
        assert used <= table.size.width  # nothing runs off the right edge
        history.sort_by("duration")
        header = "".join(s.text for s in table.render_line(0))
        assert "Length▼" in header  # the sort arrow no longer cuts it to "Lengt…"
        assert to_rows([take], prompt_lookup(app.prompts))[0].id == table.rows[0].id


async def test_transcripts_wrap_inside_the_scrollbar(app_with_take) -> None:
    """Compare at 120 columns cut letters ("First, I wou"): lines wrapped to the full
    width ran under the scrollbar."""
    from voicecoach.tui.compare import CompareScreen
    from voicecoach.tui.word_transcript import WordTranscript

    app, take = app_with_take
    long = take.report
    long.words = long.words * 12  # taller than the pane: the scrollbar shows
    async with app.run_test(size=SIZE) as pilot:
        screen = CompareScreen(long, long)
        await app.push_screen(screen)
        await pilot.pause()
        for transcript in screen.query(WordTranscript):
            assert transcript.max_scroll_y > 0
            region = transcript.scrollable_content_region
            assert transcript.text_width == region.width
            assert transcript.region.right - region.right >= 2  # the scrollbar's columns
            for line in filter(None, transcript.lines):  # blank lines part paragraphs
                x, piece = line[-1]
                assert x + len(piece.text) <= transcript.text_width


async def test_progress_uses_the_pace_band_from_settings_and_shows_titles(app_with_take
                                                                          ) -> None:
    from textual_plotext import PlotextPlot

    from voicecoach.history import prompt_lookup, to_rows
    from voicecoach.tui.progress import ProgressScreen

    app, take = app_with_take
    app.settings = Settings(pace_min_wpm=100, pace_max_wpm=140)
    async with app.run_test(size=SIZE) as pilot:
        rows = to_rows(app.takes.store.takes(), prompt_lookup(app.prompts))
        screen = ProgressScreen(rows, app.prompts)
        await app.push_screen(screen)
        await pilot.pause()
        pace = screen.query_one("#chart-wpm", PlotextPlot)
        assert pace.plt.monitor.hcoord[0] == [100.0, 140.0]  # not the fixed 120/175
        for chart in screen.query(".chart"):  # every title whole, in every column
            assert len(str(chart.border_title)) + 4 <= chart.size.width


async def test_q_quits_from_any_screen_but_not_while_typing(app_with_take) -> None:
    from voicecoach.tui.history import HistoryScreen

    app, take = app_with_take
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")  # settings: q is a letter there, not quit
        await pilot.pause()
        await pilot.press("q")
        assert app.is_running and type(app.screen).__name__ == "SettingsScreen"
        await pilot.press("escape")
        await app.push_screen(HistoryScreen(app.takes.store, app.prompts))
        await pilot.press("slash", "q")  # typed into the filter
        assert app.is_running and app.screen.query_one("#filter-text").value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_play_back_plays_and_the_footer_shows_the_seek_keys(app_with_take) -> None:
    """p on the result "plays the take back" (it opened replay paused), and ←/→ are in
    the footer (the transcript's own arrow keys hid them)."""
    from textual.widgets._footer import FooterKey

    from voicecoach.audio.output import PullOutput
    from voicecoach.prompts import get_prompt
    from voicecoach.tui.replay import ReplayScreen
    from voicecoach.tui.result import ResultScreen

    app, take = app_with_take
    async with app.run_test(size=(80, 24)) as pilot:
        result = ResultScreen(get_prompt("design-fraud-detection"), take.report,
                              take_id=take.id)
        await app.push_screen(result)
        out = PullOutput()
        app.output_factory = lambda: out  # plays when the test pulls, not in a speaker
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and not app.screen.opening_audio, what="the audio")
        replay = app.screen
        assert replay.player.playing  # no second key needed
        out.pull_seconds(1.0)
        assert replay.position_s == pytest.approx(1.0, abs=1e-3)
        keys = {k.key for k in replay.query(FooterKey) if k.display}
        assert {"left", "right", "space"} <= keys
