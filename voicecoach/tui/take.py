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
        # No prompt id here: the pipeline looks ids up in the installed prompt bank, and
        # the app's prompt object (a user's edited bank, a test's) is the one to score.
        report = score_file(path, engine, settings, None,
                            lambda f, text: progress(LOAD_SHARE + f * (0.95 - LOAD_SHARE), text))
    if prompt is not None:
        progress(0.95, "checking the key points")
        score_with_prompt(report, prompt, settings)
    progress(1.0, "done")
    return report


def score_with_prompt(report: Report, prompt: Prompt, settings: Settings) -> None:
    """Score again knowing the prompt: coverage of its key points, its category's profile."""
    from voicecoach.analysis.rules import ScoringRules
    from voicecoach.analysis.scoring import score_report

    report.prompt_id = prompt.id
    score_report(report, prompt, ScoringRules.from_settings(settings))
