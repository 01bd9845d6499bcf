"""Trends, streaks and what to practise next, over a store of real scored takes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from history_seed import DRIFT, JFK_PROMPT, scored_takes, seed_store

from voicecoach.history import TakeRow, to_rows
from voicecoach.progress import (
    ALL,
    METRICS,
    Point,
    by_category,
    daily,
    needs_practice,
    series,
    streaks,
    summary,
    trend,
)
from voicecoach.prompts import load_prompts
from voicecoach.store.db import DB_NAME, Store


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[TakeRow]:
    store = Store(tmp_path_factory.mktemp("progress") / DB_NAME)
    seed_store(store)
    rows = to_rows(store.takes())
    store.close()
    return rows


@pytest.mark.slow
def test_series_are_the_stored_values_oldest_first(rows):
    weak, strong = scored_takes()["weak"].report, scored_takes()["strong"].report
    overall = series(rows, "overall")
    assert [p.when for p in overall] == sorted(p.when for p in overall)
    assert len(overall) == 5
    drift = [p.value for p in series([r for r in rows if r.prompt_id == DRIFT], "overall")]
    assert drift == [weak.scores["overall"]] * 2 + [strong.scores["overall"]] * 2
    pauses = series([r for r in rows if r.prompt_id == DRIFT], "long_pauses")
    assert [p.value for p in pauses] == [2, 2, 0, 0]
    wpm = series(rows, "wpm")
    assert wpm[0].value == pytest.approx(weak.metrics.wpm, abs=1e-3)  # stored rounded
    assert set(METRICS) == {"overall", "wpm", "fillers_per_min", "long_pauses", "structure"}
    for name in METRICS:
        assert len(series(rows, name)) == 5


@pytest.mark.slow
def test_per_category_and_daily(rows):
    groups = by_category(rows)
    assert len(groups[ALL]) == 5
    assert len(groups["Drift and monitoring"]) == 4 and len(groups["Behavioral"]) == 1
    days = daily(series(rows, "overall"))
    assert len(days) == 5 and all(d.takes == 1 for d in days)


@pytest.mark.slow
def test_streak_and_needs(rows):
    s = streaks(rows)
    # takes 6 and 5 days ago, then 2, 1 and 0 days ago
    assert (s.current, s.longest, s.practised_today, s.days) == (3, 3, True, 5)
    needs = needs_practice(rows, load_prompts(), limit=20)
    ids = [n.prompt_id for n in needs]
    assert ids[0] == JFK_PROMPT  # overall 50: the weakest practised prompt
    drift = next(n for n in needs if n.prompt_id == DRIFT)
    assert drift.takes == 4 and drift.last_overall == scored_takes()["strong"].report.scores[
        "overall"]
    assert any(n.reason.startswith("no takes yet in Leakage") for n in needs)


def row(days_ago: int, overall: int | None, today: date, prompt: str = "p") -> TakeRow:
    when = datetime.combine(today - timedelta(days=days_ago), datetime.min.time()).astimezone()
    return TakeRow(id=days_ago, created_at=when.replace(hour=12), prompt_id=prompt,
                   prompt_text=prompt, category="c", duration_s=60, status="scored",
                   scores={} if overall is None else {"overall": overall})


def test_streak_survives_until_the_day_ends():
    today = date(2025, 3, 10)
    rows = [row(d, 70, today) for d in (1, 2, 3, 7, 8)]
    s = streaks(rows, today)
    assert (s.current, s.longest, s.practised_today) == (3, 3, False)
    assert streaks([row(2, 70, today)], today).current == 0
    assert streaks([], today).current == 0


def test_trend_and_neglect_raise_the_need():
    today = date(2025, 3, 10)
    falling = [row(d, s, today, "falling") for d, s in ((5, 80), (4, 80), (3, 80), (2, 60),
                                                          (1, 60), (0, 60))]
    steady = [row(d, 60, today, "steady") for d in range(6)]
    stale = [row(40, 60, today, "stale")]
    needs = needs_practice(falling + steady + stale, today=today)
    assert [n.prompt_id for n in needs] == ["falling", "stale", "steady"]
    assert "falling" in needs[0].reason and "not practised for 40 days" in needs[1].reason
    pts = [Point(r.created_at, float(r.overall or 0)) for r in falling]
    assert trend(pts, last=3) == pytest.approx(-20)
    sm = summary(falling + stale, today)
    assert sm.takes == 7 and sm.week_mean == pytest.approx(70)
