"""The database schema and its history: `MIGRATIONS[i]` brings a database from version i
to i + 1 (run inside one transaction by voicecoach.store.connection), so a fresh
database replays the whole history and an old one picks up where it stopped. The
version lives in `PRAGMA user_version`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from voicecoach.store.records import METRIC_COLUMNS

# --- migrations --------------------------------------------------------------------------


def _migrate_v1(db: sqlite3.Connection) -> None:
    """The first schema: takes with their report as JSON."""
    db.execute("""
        CREATE TABLE takes (
            id INTEGER PRIMARY KEY,
            prompt_id TEXT,
            created_at TEXT NOT NULL,
            duration_s REAL NOT NULL DEFAULT 0,
            audio_path TEXT NOT NULL,
            status TEXT NOT NULL,
            report_json TEXT,
            engine TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT ''
        )""")


def _migrate_v2(db: sqlite3.Connection) -> None:
    """Drills, prompt categories, scores and metrics as indexed columns, messages."""
    db.execute("""
        CREATE TABLE drills (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            prompt_ids TEXT NOT NULL,
            think_s INTEGER NOT NULL,
            answer_s INTEGER NOT NULL
        )""")
    db.execute("CREATE TABLE prompts (id TEXT PRIMARY KEY, category TEXT NOT NULL)")
    for column in (
        "drill_id INTEGER REFERENCES drills(id) ON DELETE SET NULL",
        "category TEXT",
        "message TEXT",
        "scored_at TEXT",
        "scores_json TEXT",
        "overall INTEGER",
        "wpm REAL",
        "fillers_per_min REAL",
        "word_count INTEGER",
        "pause_count INTEGER",
        "longest_pause_s REAL",
        "think_time_s REAL",
    ):
        db.execute(f"ALTER TABLE takes ADD COLUMN {column}")
    for name, columns in (
        ("takes_created", "created_at"),
        ("takes_prompt", "prompt_id, created_at"),
        ("takes_category", "category, created_at"),
        ("takes_drill", "drill_id"),
        ("takes_status", "status"),
        ("takes_overall", "overall"),
        ("prompts_category", None),
    ):
        if name == "prompts_category":
            db.execute("CREATE INDEX prompts_category ON prompts(category)")
        else:
            db.execute(f"CREATE INDEX {name} ON takes({columns})")
    _backfill_report_columns(db)


def _backfill_report_columns(db: sqlite3.Connection) -> None:
    """Fill score/metric columns of takes whose report JSON has not been indexed yet."""
    rows = db.execute("SELECT id, report_json FROM takes "
                      "WHERE report_json IS NOT NULL AND scores_json IS NULL AND wpm IS NULL")
    for take_id, text in rows.fetchall():
        try:
            values = _report_columns(json.loads(text))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # an unreadable report stays as text; the take keeps its audio
        db.execute(f"UPDATE takes SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                   [*values.values(), take_id])


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_v1, _migrate_v2]
SCHEMA_VERSION = len(MIGRATIONS)


def _report_columns(data: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed columns for a report given as `Report.to_dict()` JSON."""
    metrics = data.get("metrics") or {}
    scores = data.get("scores")
    if scores is not None:  # null: too short to judge (never averaged into an overall)
        scores = {k: v for k, v in scores.items() if v is not None}
    overall = scores.get("overall") if scores else None
    values: dict[str, Any] = {
        "scores_json": json.dumps(scores) if scores is not None else None,
        "overall": int(overall) if overall is not None else None,
    }
    for name in METRIC_COLUMNS:
        values[name] = metrics.get(name)
    return values
