"""Takes as flat rows: what the history list, `voicecoach history` and exports show.

Pure functions over whatever the store returns (anything shaped like a Take: id,
prompt_id, created_at, duration_s, status, drill_id, report, ...). Filtering and
sorting happen here, in memory, so the history screen re-filters 2,000 rows without
a database round trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from voicecoach.errors import VoiceCoachError
from voicecoach.report import SCORE_NAMES

# Sortable columns: name -> (heading, key on a TakeRow). None sorts last either way.
COLUMNS: dict[str, str] = {
    "date": "Date",
    "prompt": "Prompt",
    "category": "Category",
    "duration": "Length",
    "overall": "Overall",
    "structure": "Struct",
    "delivery": "Deliv",
    "fillers": "Fill",
    "flow": "Flow",
    "wpm": "WPM",
    "fillers_per_min": "Fill/min",
    "drill": "Drill",
}


@dataclass(frozen=True)
class TakeRow:
    """One take, flattened for display, filtering, sorting and JSON."""

    id: Any
    created_at: datetime  # local time, tz-aware
    prompt_id: str
    prompt_text: str
    category: str
    duration_s: float
    status: str
    drill_id: Any = None
    scores: Mapping[str, int] = field(default_factory=dict)
    wpm: float | None = None
    fillers_per_min: float | None = None
    long_pauses: int | None = None
    engine: str = ""
    model: str = ""

    @property
    def overall(self) -> int | None:
        return self.scores.get("overall")

    def value(self, column: str) -> Any:
        """The value a column shows and sorts by."""
        if column == "date":
            return self.created_at
        if column == "prompt":
            return self.prompt_text or self.prompt_id
        if column == "duration":
            return self.duration_s
        if column == "drill":
            return self.drill_id
        if column in SCORE_NAMES:
            return self.scores.get(column)
        return getattr(self, column)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "prompt_id": self.prompt_id,
            "prompt": self.prompt_text,
            "category": self.category,
            "duration_s": round(self.duration_s, 2),
            "status": self.status,
            "drill_id": self.drill_id,
            "scores": dict(self.scores),
            "wpm": _round(self.wpm, 1),
            "fillers_per_min": _round(self.fillers_per_min, 2),
            "long_pauses": self.long_pauses,
            "engine": self.engine,
            "model": self.model,
        }


@dataclass(frozen=True)
class HistoryFilter:
    """What the history list shows; every field None means "any"."""

    prompt_id: str | None = None
    category: str | None = None
    since: date | None = None  # inclusive, local days
    until: date | None = None  # inclusive
    drill_id: Any = None
    text: str = ""  # case-insensitive substring of the prompt id or text

    def matches(self, row: TakeRow) -> bool:
        if self.prompt_id and row.prompt_id != self.prompt_id:
            return False
        if self.category and row.category != self.category:
            return False
        day = row.created_at.date()
        if self.since and day < self.since:
            return False
        if self.until and day > self.until:
            return False
        if self.drill_id is not None and str(row.drill_id) != str(self.drill_id):
            return False
        if self.text:
            needle = self.text.lower()
            if needle not in row.prompt_id.lower() and needle not in row.prompt_text.lower():
                return False
        return True


# --- building rows --------------------------------------------------------------------------

PromptInfo = Callable[[str], tuple[str, str]]  # prompt id -> (text, category)


def prompt_lookup(prompts: Iterable[Any] | None = None) -> PromptInfo:
    """Prompt id -> (text, category), from the prompt bank (or the given prompts)."""
    if prompts is None:
        try:
            from voicecoach.prompts import load_prompts

            prompts = load_prompts()
        except VoiceCoachError:
            prompts = []
    table = {p.id: (p.text, p.category) for p in prompts}
    # A mock interview's follow-up answers are stored as "PROMPT/FOLLOW-UP".
    table.update({f"{p.id}/{fu.id}": (fu.text, p.category)
                  for p in prompts for fu in getattr(p, "follow_ups", ())})

    def info(prompt_id: str) -> tuple[str, str]:
        return table.get(prompt_id, (prompt_id, ""))

    return info


def to_row(take: Any, info: PromptInfo) -> TakeRow:
    """A TakeRow from a store Take; the report is read only for metrics it lacks."""
    prompt_id = take.prompt_id or ""
    text, category = info(prompt_id) if prompt_id else ("(free answer)", "")
    category = getattr(take, "category", None) or category
    scores = _scores(take)
    wpm = getattr(take, "wpm", None)
    fpm = getattr(take, "fillers_per_min", None)
    pauses = getattr(take, "pause_count", None)
    # The store keeps these as columns; only an unscored or foreign take needs its report.
    report = None
    if None in (wpm, fpm, pauses) and getattr(take, "has_report", True):
        report = getattr(take, "report", None)
    if report is not None:
        m = report.metrics
        wpm = m.wpm if wpm is None else wpm
        fpm = m.fillers_per_min if fpm is None else fpm
        pauses = m.pause_count if pauses is None else pauses
    return TakeRow(
        id=take.id,
        created_at=as_datetime(take.created_at),
        prompt_id=prompt_id,
        prompt_text=text,
        category=category,
        duration_s=float(getattr(take, "duration_s", 0.0) or 0.0),
        status=str(getattr(take, "status", "") or ""),
        drill_id=getattr(take, "drill_id", None),
        scores=scores,
        wpm=wpm,
        fillers_per_min=fpm,
        long_pauses=pauses,
        engine=str(getattr(take, "engine", "") or ""),
        model=str(getattr(take, "model", "") or ""),
    )


def to_rows(takes: Iterable[Any], info: PromptInfo | None = None) -> list[TakeRow]:
    info = info or prompt_lookup()
    return [to_row(t, info) for t in takes]


def _scores(take: Any) -> dict[str, int]:
    if hasattr(take, "scores"):  # a store Take: scores come from a column
        scores = take.scores
    else:
        scores = getattr(getattr(take, "report", None), "scores", None)
    return dict(scores or {})


# --- filter and sort -----------------------------------------------------------------------

def apply(rows: Iterable[TakeRow], flt: HistoryFilter) -> list[TakeRow]:
    return [r for r in rows if flt.matches(r)]


def sort_rows(rows: Iterable[TakeRow], column: str = "date", descending: bool = True
              ) -> list[TakeRow]:
    """Sorted by `column`; rows without a value (unscored takes) go last either way."""
    if column not in COLUMNS:
        raise VoiceCoachError(f"cannot sort by {column!r}: one of {', '.join(COLUMNS)}")
    rows = list(rows)
    present = [r for r in rows if r.value(column) is not None]
    missing = [r for r in rows if r.value(column) is None]

    def key(r: TakeRow) -> Any:
        v = r.value(column)
        return v.lower() if isinstance(v, str) else (str(v) if column == "drill" else v)

    present.sort(key=key, reverse=descending)
    return present + missing


# --- dates ----------------------------------------------------------------------------------

def as_datetime(value: Any) -> datetime:
    """A store timestamp (datetime, epoch seconds or ISO text) as local, tz-aware time."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise VoiceCoachError(f"not a timestamp: {value!r}") from None
    else:
        raise VoiceCoachError(f"not a timestamp: {value!r}")
    return dt.astimezone()  # naive values are taken as local time


_RELATIVE = re.compile(r"^(\d+)\s*([dw])$")


def parse_day(text: str, today: date | None = None) -> date:
    """'2025-11-20', 'today', 'yesterday', '7d' or '2w' (that long ago) -> a date."""
    today = today or date.today()
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    rel = _RELATIVE.match(value)
    if rel:
        n = int(rel.group(1)) * (7 if rel.group(2) == "w" else 1)
        return today - timedelta(days=n)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise VoiceCoachError(
            f"not a date: {text!r} (use YYYY-MM-DD, today, yesterday, 7d or 2w)") from None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
