"""Progress over time: trend series, practice streaks, prompts most in need of practice.

Pure functions over TakeRows (voicecoach.history), which come from the store's
indexed columns: nothing here parses a report, so 2,000 takes cost milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from voicecoach.history import TakeRow

ALL = "All categories"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    higher_is_better: bool | None
    value: Callable[[TakeRow], float | None]


def _score(name: str) -> Callable[[TakeRow], float | None]:
    def get(row: TakeRow) -> float | None:
        value = row.scores.get(name)
        return None if value is None else float(value)

    return get


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("overall", "Overall score", "", True, _score("overall")),
    Metric("wpm", "Pace", "wpm", None, lambda r: r.wpm),
    Metric("fillers_per_min", "Fillers per minute", "/min", False,
           lambda r: r.fillers_per_min),
    Metric("long_pauses", "Long pauses", "", False,
           lambda r: None if r.long_pauses is None else float(r.long_pauses)),
    # The structure score is the scorer's coverage of the reasoning's shape (framing,
    # signposts, data before model, tradeoffs, ... summary).
    Metric("structure", "Structure coverage", "", True, _score("structure")),
)}


@dataclass(frozen=True)
class Point:
    when: datetime
    value: float
    take_id: Any = None


@dataclass(frozen=True)
class DayMean:
    day: date
    value: float
    takes: int


def series(rows: Iterable[TakeRow], metric: str) -> list[Point]:
    """Every take's value of `metric`, oldest first; takes without one are skipped."""
    get = METRICS[metric].value
    points = []
    for r in rows:
        v = get(r)
        if v is not None:
            points.append(Point(r.created_at, float(v), r.id))
    points.sort(key=lambda p: p.when)
    return points


def daily(points: Iterable[Point]) -> list[DayMean]:
    """One mean per local day: several takes in a day are one point on a chart."""
    days: dict[date, list[float]] = defaultdict(list)
    for p in points:
        days[p.when.date()].append(p.value)
    return [DayMean(d, fmean(v), len(v)) for d, v in sorted(days.items())]


def trend(points: Sequence[Point], last: int = 5) -> float | None:
    """Mean of the last `last` values minus the mean of the `last` before them."""
    if len(points) < 2:
        return None
    recent = points[-last:]
    earlier = points[-2 * last:-last] or points[:1]
    if len(points) <= last:  # few takes: last against first
        recent, earlier = points[-1:], points[:1]
    return fmean(p.value for p in recent) - fmean(p.value for p in earlier)


def by_category(rows: Iterable[TakeRow]) -> dict[str, list[TakeRow]]:
    """`ALL` plus one entry per category that has takes, in first-seen order."""
    groups: dict[str, list[TakeRow]] = {ALL: []}
    for r in rows:
        groups[ALL].append(r)
        if r.category:
            groups.setdefault(r.category, []).append(r)
    return groups


# --- streaks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Streak:
    current: int  # consecutive days up to today (or up to yesterday, if not yet today)
    longest: int
    practised_today: bool
    days: int  # distinct days with at least one take
    last_day: date | None


def streaks(rows: Iterable[TakeRow], today: date | None = None) -> Streak:
    today = today or date.today()
    days = sorted({r.created_at.date() for r in rows})
    if not days:
        return Streak(0, 0, False, 0, None)
    longest = run = 1
    for prev, day in zip(days, days[1:]):
        run = run + 1 if (day - prev).days == 1 else 1
        longest = max(longest, run)
    practised = set(days)
    cursor = today if today in practised else today - timedelta(days=1)
    current = 0
    while cursor in practised:
        current += 1
        cursor -= timedelta(days=1)
    return Streak(current, longest, today in practised, len(days), days[-1])


# --- what to practise next -------------------------------------------------------------------

@dataclass(frozen=True)
class Need:
    prompt_id: str
    text: str
    category: str
    priority: float  # higher: practise sooner
    reason: str
    last_overall: int | None
    takes: int


def needs_practice(rows: Iterable[TakeRow], prompts: Iterable[Any] = (),
                   today: date | None = None, limit: int = 5) -> list[Need]:
    """Prompts to practise next, most needed first.

    A practised prompt ranks by how weak its recent takes are (mean of the last three
    overall scores), plus a falling trend, plus a little for each day since it was last
    practised (memory fades). A category never practised contributes its first prompt.
    """
    today = today or date.today()
    per_prompt: dict[str, list[TakeRow]] = defaultdict(list)
    for r in rows:
        if r.prompt_id:
            per_prompt[r.prompt_id].append(r)
    needs: list[Need] = []
    for prompt_id, takes in per_prompt.items():
        takes.sort(key=lambda r: r.created_at)
        scored = [r for r in takes if r.overall is not None]
        if not scored:
            continue
        recent = fmean(float(r.overall or 0) for r in scored[-3:])
        points = [Point(r.created_at, float(r.overall or 0)) for r in scored]
        change = trend(points, last=3) or 0.0
        idle = (today - takes[-1].created_at.date()).days
        priority = (100 - recent) + max(0.0, -change) + min(idle, 30) * 0.5
        reason = f"recent overall {recent:.0f}"
        if change < -2:
            reason += f", falling {change:+.0f}"
        if idle >= 7:
            reason += f", not practised for {idle} days"
        first = takes[-1]
        needs.append(Need(prompt_id, first.prompt_text, first.category, priority, reason,
                          scored[-1].overall, len(takes)))
    practised_categories = {r.category for ts in per_prompt.values() for r in ts}
    seen_categories: set[str] = set()
    for p in prompts:
        category = getattr(p, "category", "")
        if category in practised_categories or category in seen_categories:
            continue
        seen_categories.add(category)
        needs.append(Need(p.id, p.text, category, 35.0,
                          f"no takes yet in {category}", None, 0))
    needs.sort(key=lambda n: (-n.priority, n.prompt_id))
    return needs[:limit]


# --- a short summary -------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    takes: int
    scored: int
    minutes: float
    week_mean: float | None  # mean overall, last 7 days
    prior_week_mean: float | None  # the 7 days before


def summary(rows: Sequence[TakeRow], today: date | None = None) -> Summary:
    today = today or date.today()
    week = today - timedelta(days=6)
    prior = week - timedelta(days=7)
    this, before = [], []
    for r in rows:
        if r.overall is None:
            continue
        day = r.created_at.date()
        if week <= day <= today:
            this.append(float(r.overall))
        elif prior <= day < week:
            before.append(float(r.overall))
    return Summary(
        takes=len(rows),
        scored=sum(1 for r in rows if r.overall is not None),
        minutes=sum(r.duration_s for r in rows) / 60,
        week_mean=fmean(this) if this else None,
        prior_week_mean=fmean(before) if before else None,
    )
