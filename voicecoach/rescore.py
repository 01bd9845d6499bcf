"""Recompute reports from stored audio after the scoring rules or the model changed.

Each take keeps its old report until its new one is complete: the new report is built
entirely in memory and then stored with one `save_report` (one SQLite transaction).
A take whose audio is gone, or whose re-score fails, keeps its old report and gets a
one-line message; nothing is half-replaced if the process is stopped mid-way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.asr.base import Engine
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError
from voicecoach.prompts import Prompt
from voicecoach.report import Report

Progress = Callable[[float, str], None]
RESCORABLE = ("recorded", "scored", "failed")  # not while recording or being scored


@dataclass(frozen=True)
class Outcome:
    take_id: Any
    ok: bool
    before: int | None  # overall score before
    after: int | None
    error: str = ""


def rescorable(store: Any, engine: str | None = None, model: str | None = None) -> list[Any]:
    """Takes with audio to re-score, oldest first; with engine/model, only the takes
    scored by another engine or model (or never scored)."""
    takes = store.takes(status=RESCORABLE, order_by="created_at", descending=False)
    if engine is None and model is None:
        return takes
    return [t for t in takes if t.status != "scored" or (engine and t.engine != engine)
            or (model and t.model != model)]


def rescore_take(store: Any, take: Any, engine: Engine, settings: Settings,
                 progress: Progress | None = None,
                 prompts: Mapping[str, Prompt] | None = None) -> Report:
    """The new report for `take`, stored only once complete; raises VoiceCoachError.

    `prompts`: the app's own prompts by id (they may not all be in the installed bank);
    a prompt found nowhere is left out (no coverage) rather than failing the take.
    """
    from voicecoach.pipeline import score_file

    path = Path(take.audio_path)
    if not path.exists():
        raise VoiceCoachError(f"the recording {path.name} is missing")
    # The pipeline scores with the current rules (and the prompt's key points).
    report = score_file(path, engine, settings, _prompt(take.prompt_id, prompts), progress)
    store.save_report(take.id, report)  # the one moment the old report is replaced
    return report


def _prompt(prompt_id: str | None, prompts: Mapping[str, Prompt] | None) -> Prompt | str | None:
    if prompt_id is None or prompts is None:
        return prompt_id
    if prompt_id in prompts:
        return prompts[prompt_id]
    from voicecoach.prompts import get_prompt

    try:
        return get_prompt(prompt_id)
    except VoiceCoachError:
        return None


def rescore(store: Any, takes: Iterable[Any], engine: Engine, settings: Settings,
            progress: Progress | None = None,
            should_stop: Callable[[], bool] | None = None,
            lock: AbstractContextManager[Any] | None = None,
            prompts: Mapping[str, Prompt] | None = None) -> list[Outcome]:
    """Re-score `takes` one by one; returns what happened to each one attempted.

    `lock` is held around each take's decoding (the app's engine lock), so a take
    recorded meanwhile is not kept waiting for the whole batch.
    """
    takes = list(takes)
    outcomes: list[Outcome] = []
    n = len(takes) or 1
    for i, take in enumerate(takes):
        if should_stop and should_stop():
            break
        label = f"take #{take.id} ({i + 1}/{len(takes)})"

        def inner(fraction: float, message: str, i: int = i, label: str = label) -> None:
            if progress:
                progress((i + fraction) / n, f"{label}: {message}")

        inner(0.0, "re-scoring")
        before = take.overall
        try:
            with lock or contextlib.nullcontext():
                report = rescore_take(store, take, engine, settings, inner, prompts)
        except VoiceCoachError as err:
            message = f"re-score failed: {err}"
            with contextlib.suppress(VoiceCoachError):
                store.mark_failed(take.id, message)  # a stored report stays as it was
            outcomes.append(Outcome(take.id, False, before, before, str(err)))
            continue
        after = (report.scores or {}).get("overall")
        outcomes.append(Outcome(take.id, True, before, after))
    if progress:
        progress(1.0, f"re-scored {sum(o.ok for o in outcomes)} of {len(takes)} takes")
    return outcomes
