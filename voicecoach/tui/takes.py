"""The app's view of the take store: every Store call the screens make goes here.

Calls run on the UI thread (each is a few milliseconds of SQLite), so the order of
a take's states (recording -> recorded -> scoring -> scored/failed) is the order the
UI saw; failures become one line for the UI instead of an exception. The exception:
the practice screen's scoring worker stores the report itself (the UI set "scoring"
before starting it), so the result screen is drawn without waiting for SQLite.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import VoiceCoachError

if TYPE_CHECKING:
    from voicecoach.report import Report

log = logging.getLogger(__name__)


class TakeLog:
    def __init__(self, store: Any) -> None:
        self.store = store

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
        return self._try(self.store.finish_take, take_id, seconds, path, error)

    def discard(self, take_id: Any) -> str | None:
        """Drop a take too short to be an answer (a key pressed twice), file and all."""
        return self._try(self.store.delete, take_id)

    def scoring(self, take_id: Any) -> str | None:
        return self._try(self.store.set_status, take_id, "scoring")

    def scored(self, take_id: Any, report: Report) -> str | None:
        return self._try(self.store.save_report, take_id, report)

    def failed(self, take_id: Any, error: str) -> str | None:
        return self._try(self.store.mark_failed, take_id, error)

    def last_scores(self) -> dict[str, int]:
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

    @staticmethod
    def _try(fn: Any, *args: Any) -> str | None:
        try:
            fn(*args)
        except VoiceCoachError as err:
            return str(err)
        return None
