"""The app's view of the take store: every Store call the screens make goes here.

Calls run on the UI thread (SQLite connections belong to the thread that opened
them, and each call is a few milliseconds); failures become one line for the UI.
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

    def begin(self, prompt_id: str | None, drill_id: Any = None) -> tuple[Any, Path]:
        """A row for a take about to be recorded, and the file to record it into.

        The row exists before the first sample so a crash mid-take leaves a file
        `recover()` can find on the next start.
        """
        path = Path(self.store.new_recording_path())
        take_id = self.store.add_take(prompt_id=prompt_id, audio_path=path, drill_id=drill_id)
        return take_id, path

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
            takes = self.store.takes(prompt_id=prompt_id)
        except VoiceCoachError:
            return None
        for take in takes:
            if take.id != before and getattr(take, "report", None) is not None:
                return take.report
        return None

    def start_drill(self, prompt_ids: list[str]) -> Any:
        try:
            return self.store.start_drill(prompt_ids)
        except VoiceCoachError as err:
            log.warning("start drill: %s", err)
            return None

    def finish_drill(self, drill_id: Any) -> None:
        if drill_id is not None:
            self._try(self.store.finish_drill, drill_id)

    def recover(self) -> str | None:
        """Re-register takes a crash left behind; a line for the user, if any."""
        try:
            recovered = self.store.recover()
        except VoiceCoachError as err:
            return f"could not check for unfinished takes: {err}"
        count = len(recovered) if hasattr(recovered, "__len__") else int(recovered or 0)
        if count:
            return f"recovered {count} unfinished take(s) from a previous session"
        return None

    @staticmethod
    def _try(fn: Any, *args: Any) -> str | None:
        try:
            fn(*args)
        except VoiceCoachError as err:
            return str(err)
        return None
