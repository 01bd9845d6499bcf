"""History rows, filters and sorting, and `voicecoach history`, on real scored takes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from history_seed import DRIFT, JFK_PROMPT, seed_store

from voicecoach.cli import main
from voicecoach.errors import VoiceCoachError
from voicecoach.history import HistoryFilter, apply, parse_day, sort_rows, to_rows
from voicecoach.store.db import DB_NAME, Store

pytestmark = pytest.mark.slow  # transcribes three clips once per session


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("history") / DB_NAME)
    takes = seed_store(store)
    yield store, takes
    store.close()


def test_rows_come_from_columns_not_reports(seeded):
    store, takes = seeded
    fresh = store.takes()
    rows = to_rows(fresh)
    assert not any(t.report_loaded for t in fresh if t.has_report)  # no JSON parsed
    strong = takes["strong"][0]
    row = next(r for r in rows if r.id == strong.id)
    assert row.scores == strong.report.scores
    assert row.wpm == pytest.approx(strong.report.metrics.wpm, abs=1e-3)
    assert row.category == "Drift and monitoring"
    assert row.prompt_text.startswith("How do you detect and handle drift")


def test_filters(seeded):
    store, takes = seeded
    rows = to_rows(store.takes())
    today = date.today()
    assert len(apply(rows, HistoryFilter(prompt_id=DRIFT))) == 4
    assert len(apply(rows, HistoryFilter(category="Behavioral"))) == 1
    assert len(apply(rows, HistoryFilter(since=today - timedelta(days=2)))) == 3
    assert len(apply(rows, HistoryFilter(until=today - timedelta(days=5)))) == 2
    drill = takes["jfk"][0].drill_id
    assert [r.prompt_id for r in apply(rows, HistoryFilter(drill_id=drill))] == [JFK_PROMPT]
    assert len(apply(rows, HistoryFilter(text="DRIFT"))) == 4


def test_sort_any_column_unscored_last(seeded):
    store, _ = seeded
    rows = to_rows(store.takes())
    by_overall = sort_rows(rows, "overall", descending=False)
    values = [r.overall for r in by_overall]
    assert values == sorted(values)
    assert [r.created_at for r in sort_rows(rows)] == sorted(
        (r.created_at for r in rows), reverse=True)
    for column in ("prompt", "category", "duration", "wpm", "fillers_per_min", "drill"):
        assert len(sort_rows(rows, column)) == len(rows)
    with pytest.raises(VoiceCoachError):
        sort_rows(rows, "nonsense")


def test_parse_day():
    today = date(2025, 3, 10)
    assert parse_day("2025-03-01", today) == date(2025, 3, 1)
    assert parse_day("7d", today) == date(2025, 3, 3)
    assert parse_day("2w", today) == date(2025, 2, 24)
    assert parse_day("yesterday", today) == date(2025, 3, 9)
    with pytest.raises(VoiceCoachError, match="not a date"):
        parse_day("last tuesday", today)


def test_cli_history(seeded, monkeypatch, capsys):
    store, _ = seeded
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(store.root))
    assert main(["history", "--json", "--prompt", DRIFT, "--sort", "overall"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 4 and listed[0]["scores"]["overall"] >= listed[-1]["scores"]["overall"]
    assert {"id", "created_at", "prompt_id", "category", "duration_s", "scores", "wpm",
            "fillers_per_min", "long_pauses", "drill_id"} <= set(listed[0])
    assert main(["history", "--since", "1d"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["id", "date", "prompt"] and len(lines) == 3
    assert main(["history", "--since", "soon"]) == 2
    assert "not a date" in capsys.readouterr().err
