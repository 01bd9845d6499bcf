"""A stored take or drill as Python objects, and the words and columns they are kept with.

`Take.report` is loaded from the database's JSON column on first access (a history
list never parses report JSON: the numbers it shows are columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicecoach.report import Report

STATUSES = ("recording", "recorded", "scoring", "scored", "failed")
RECOVERED = "recovered after voicecoach stopped during the recording"
REIMPORTED = "re-imported: an audio file in recordings/ that had no take"
LOST = "the recording was lost: no audio reached the disk"
REPORT_LOST = "its report was on a damaged page of the database; it is scored again"
INTERRUPTED = "scoring was interrupted when voicecoach stopped; it is scored again"

# Columns a history list may sort by (whitelist: they are spliced into SQL).
ORDER_COLUMNS = ("created_at", "overall", "duration_s", "wpm", "fillers_per_min",
                 "prompt_id", "category", "status", "id")
METRIC_COLUMNS = ("wpm", "fillers_per_min", "word_count", "pause_count", "longest_pause_s",
                  "think_time_s")


# --- time --------------------------------------------------------------------------------


def _utc(dt: datetime | None = None) -> datetime:
    dt = dt or datetime.now(timezone.utc)
    if dt.tzinfo is None:
        dt = dt.astimezone()  # naive = local time
    return dt.astimezone(timezone.utc)


def _ts(dt: datetime | None = None) -> str:
    """Fixed-width UTC ISO text: sorts and compares correctly as a string."""
    return _utc(dt).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- takes -------------------------------------------------------------------------------


class _Deferred:
    """A report not loaded yet: `Take.report` loads it on first access."""

    __slots__ = ("loader", "take_id")

    def __init__(self, loader: Callable[[int], Report | None], take_id: int) -> None:
        self.loader = loader
        self.take_id = take_id


class _ReportSlot:
    """Descriptor behind `Take.report`: a Report, None, or a _Deferred loaded on access."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = "_" + name

    def __get__(self, obj: Any, objtype: type | None = None) -> Report | None:
        if obj is None:
            return None
        value = obj.__dict__.get(self.attr)
        if isinstance(value, _Deferred):
            value = value.loader(value.take_id)
            obj.__dict__[self.attr] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.attr] = None if value is self else value


_UNKNOWN: Any = object()


@dataclass(eq=False)
class Take:
    id: int
    prompt_id: str | None
    created_at: datetime  # timezone-aware UTC; show with .astimezone()
    duration_s: float
    audio_path: Path
    status: str  # recording | recorded | scoring | scored | failed
    report: Report | None = field(default=_ReportSlot(), repr=False)  # type: ignore[assignment]
    drill_id: int | None = None
    engine: str = ""
    model: str = ""
    category: str | None = None
    message: str | None = None  # why it failed / that it was recovered
    wpm: float | None = None
    fillers_per_min: float | None = None
    word_count: int | None = None
    pause_count: int | None = None
    longest_pause_s: float | None = None
    think_time_s: float | None = None
    scored_at: datetime | None = None
    stored_scores: dict[str, int] | None = field(default=_UNKNOWN, repr=False)

    @property
    def report_loaded(self) -> bool:
        return not isinstance(self.__dict__.get("_report"), _Deferred)

    @property
    def scores(self) -> dict[str, int] | None:
        """Scores from the indexed columns; the report is not loaded for them."""
        if self.stored_scores is not _UNKNOWN:
            return self.stored_scores
        report = self.report
        return dict(report.scores) if report is not None and report.scores else None

    @property
    def overall(self) -> int | None:
        scores = self.scores
        if not scores:
            return None
        # An answer too short to judge has no overall; never make one up.
        return int(scores["overall"]) if "overall" in scores else None

    @property
    def has_report(self) -> bool:
        value = self.__dict__.get("_report")
        return value is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Take) and (self.id, self.status, self.created_at) == (
            other.id, other.status, other.created_at)

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass
class Drill:
    id: int
    started_at: datetime
    finished_at: datetime | None
    prompt_ids: list[str]
    think_s: int
    answer_s: int
