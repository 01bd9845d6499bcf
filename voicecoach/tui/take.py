"""A finished recording becomes a scored report: the one swappable step.

The practice and drill screens call `score_take` from a thread worker. A streaming
transcriber (fed by the recorder's `on_block`) can replace this function without
touching the screens: it has the same inputs (the recording, the prompt, the
settings) and the same output (a Report with scores and findings).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.config import Settings
from voicecoach.tui.engine import EngineService

if TYPE_CHECKING:
    from voicecoach.prompts import Prompt
    from voicecoach.report import Report

Progress = Callable[[float, str], None]

LOAD_SHARE = 0.1  # of the progress bar, while waiting for the model


def score_take(path: Path, prompt: Prompt | None, engines: EngineService, settings: Settings,
               progress: Progress) -> Report:
    """Transcribe and score `path`; raises VoiceCoachError with a one-line reason."""
    from voicecoach.pipeline import score_file

    if not engines.ready_for(settings):
        progress(0.0, "waiting for the speech model")
    engine = engines.load(settings, lambda f, text: progress(f * LOAD_SHARE, text))
    progress(LOAD_SHARE, "transcribing")
    with engines.decode_lock:
        # The app's prompt object itself, not its id: it may not be in the installed bank.
        report = score_file(path, engine, settings, prompt,
                            lambda f, text: progress(LOAD_SHARE + f * (1.0 - LOAD_SHARE), text))
    progress(1.0, "done")
    return report
