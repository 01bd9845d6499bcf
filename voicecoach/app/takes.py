"""The app's view of the take store: every Store call the screens make goes here.

Calls run on the UI thread (each is a few milliseconds of SQLite), so the order of
a take's states (recording -> recorded -> scoring -> scored/failed) is the order the
UI saw; failures become one line for the UI instead of an exception. The exception:
the practice screen's scoring worker stores the report itself (the UI set "scoring"
before starting it), so the result screen is drawn without waiting for SQLite.

A full disk does not lose a result: the take's closing and its report stay queued
in memory (`pending`) and `flush()`, called on a timer, writes them in order once
space returns. What is still queued when voicecoach quits is said on the terminal;
its recording is on disk and is scored again at the next start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import DiskFullError, VoiceCoachError

if TYPE_CHECKING:
    from voicecoach.report import Report

log = logging.getLogger(__name__)
WAITING = "disk full: kept in memory and saved when space returns (keep voicecoach open)"


class TakeLog:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.pending: list[tuple[Any, tuple[Any, ...]]] = []  # writes waiting for space

    def begin(self, prompt_id: str | None, drill_id: Any = None,
              category: str | None = None) -> tuple[Any, Path]:
        """A row for a take about to be recorded, and the file to record it into.

        The row exists before the first sample so a crash mid-take leaves a file
        `recover()` links back to it on the next start. Raises StoreError.
        """
        take = self.store.begin_take(prompt_id, drill_id=drill_id, category=category)
        return take.id, Path(take.audio_path)

    def recorded(self, take_id: Any, seconds: float, path: Path | None,
                 error: str | None) -> str | None:
        """The recorder closed the file (`error`: it stopped on a fault, audio kept)."""
        return self._keep(self.store.finish_take, take_id, seconds, path, error)

    def discard(self, take_id: Any) -> str | None:
        """Drop a take too short to be an answer (a key pressed twice), file and all."""
        return self._try(self.store.delete, take_id)

    def scoring(self, take_id: Any) -> str | None:
        return self._try(self.store.set_status, take_id, "scoring")

    def scored(self, take_id: Any, report: Report) -> str | None:
        return self._keep(self.store.save_report, take_id, report)

    def flush(self) -> int:
        """Write what waited for disk space, in order; returns how many went through."""
        done = 0
        while self.pending:
            fn, args = self.pending[0]
            try:
                fn(*args)
            except DiskFullError:
                break
            except VoiceCoachError as err:  # e.g. the take was deleted meanwhile
                log.warning("dropped a queued write: %s", err)
            self.pending.pop(0)
            done += 1
        return done

    def unsaved_line(self) -> str | None:
        """What quitting now would leave unsaved, for the terminal."""
        takes = {args[0] for _, args in self.pending}
        if not takes:
            return None
        return (f"{len(takes)} take(s) not saved to the database (disk full); their "
                "recordings are kept and are scored again at the next start")

    def backlog(self) -> list[Any]:
        """Takes with audio and no report yet: recovered after a crash, interrupted while
        scoring, re-linked from a sidecar. Oldest first."""
        try:
            return list(self.store.takes(status="recorded", order_by="created_at",
                                         descending=False))
        except VoiceCoachError as err:
            log.warning("backlog: %s", err)
            return []

    def failed(self, take_id: Any, error: str) -> str | None:
        return self._try(self.store.mark_failed, take_id, error)

    def last_scores(self) -> dict[str, int | None]:
        try:
            return dict(self.store.last_overall_by_prompt())
        except VoiceCoachError as err:
            log.warning("last scores: %s", err)
            return {}

    def previous_report(self, prompt_id: str, before: Any) -> Report | None:
        """The newest scored take of `prompt_id` other than `before`."""
        try:
            for take in self.store.takes(prompt_id=prompt_id, scored_only=True, limit=3):
                if take.id != before and take.report is not None:
                    return take.report
        except VoiceCoachError as err:
            log.warning("previous take: %s", err)
        return None

    def start_drill(self, prompt_ids: list[str], think_s: int, answer_s: int) -> Any:
        try:
            return self.store.start_drill(prompt_ids, think_s, answer_s)
        except VoiceCoachError as err:
            log.warning("start drill: %s", err)
            return None

    def finish_drill(self, drill_id: Any) -> None:
        if drill_id is not None:
            self._try(self.store.finish_drill, drill_id)

    def recover(self, prompts: list[Any]) -> str | None:
        """Start-up: label takes with categories, re-register takes a crash left behind.

        Returns a line for the user, if there is something to say.
        """
        notes = [self.store.notice] if getattr(self.store, "notice", None) else []
        if getattr(self.store, "read_only", False):
            return "\n".join(notes) or None  # history only: nothing can be recovered
        try:
            self.store.sync_prompts(prompts)
            recovered = self.store.recover()
        except VoiceCoachError as err:
            notes.append(f"could not check for unfinished takes: {err}")
            recovered = []
        if recovered:
            notes.append(f"Recovered {len(recovered)} take(s) left unfinished last time; "
                         "they are kept in your history.")
        return "\n".join(notes) or None

    def _keep(self, fn: Any, *args: Any) -> str | None:
        """`_try`, but a write that hit a full disk waits in `pending` (after any
        earlier one: a report is never stored before its take was closed)."""
        if self.pending:
            self.pending.append((fn, args))
            return WAITING
        try:
            fn(*args)
        except DiskFullError:
            self.pending.append((fn, args))
            return WAITING
        except VoiceCoachError as err:
            return str(err)
        return None

    @staticmethod
    def _try(fn: Any, *args: Any) -> str | None:
        try:
            fn(*args)
        except VoiceCoachError as err:
            return str(err)
        return None
