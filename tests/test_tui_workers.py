"""Workers share one error path: an error no worker expected is shown as one line and
the app keeps running (before: any exception in a thread worker ended the app)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_app import SIZE, make_prompts, start_take, text_of, wait_for

from voicecoach.config import Settings
from voicecoach.errors import ModelError
from voicecoach.store.db import Store
from voicecoach.tui.app import create_app


def broken_driver(settings: Settings):
    raise RuntimeError("PortAudio driver exploded")


def no_model(settings, progress):
    raise ModelError("no model here")


@pytest.mark.asyncio
async def test_an_unexpected_input_error_is_shown_and_the_app_keeps_running(tmp_path: Path):
    with Store(tmp_path / "data" / "voicecoach.sqlite3") as store:
        app = create_app(Settings(), store, broken_driver, no_model, make_prompts())
        async with app.run_test(size=SIZE) as pilot:
            practice = await start_take(pilot, app)
            # The microphone opened ahead of the take (worker "microphone") and the one
            # opened for it (worker "recorder-open") both met the error.
            await wait_for(pilot, lambda: "PortAudio driver exploded"
                           in text_of(app, "#rec-warning"), what="the panel's warning")
            assert practice.panel.state == "idle"
            await wait_for(pilot, lambda: any(
                "RuntimeError: PortAudio driver exploded" in str(n.message)
                for n in app._notifications), what="the app's one-line error")
            assert app.is_running and app.screen is practice
            await pilot.press("r")  # and it can be tried again
            await wait_for(pilot, lambda: practice.panel.state == "idle", what="idle again")
            assert app.is_running
        assert store.takes() == []  # nothing was recorded: no empty take is left
