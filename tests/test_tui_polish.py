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

from voicecoach.audio.io import save_wav
from voicecoach.config import Settings
from voicecoach.tui.drill import DrillItem, DrillSummaryScreen
from voicecoach.tui.engine import EngineService
from voicecoach.tui.take import score_take, without_path

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
