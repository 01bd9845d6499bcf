"""Schema v3: mock-interview sessions (voicecoach.store.sessions reads and writes them).

Its own module so db.py can list the migration without importing the sessions API,
which itself uses db.py's timestamp helpers.
"""

from __future__ import annotations

import sqlite3


def migrate_v3_sessions(db: sqlite3.Connection) -> None:
    """Mock-interview sessions and the links from takes to them."""
    db.execute("""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            prompt_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            drill_id INTEGER REFERENCES drills(id) ON DELETE SET NULL
        )""")
    db.execute("""
        CREATE TABLE session_takes (
            take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            turn INTEGER NOT NULL,
            follows_take_id INTEGER REFERENCES takes(id) ON DELETE SET NULL,
            follow_up_id TEXT,
            reason TEXT,
            UNIQUE (session_id, turn)
        )""")
    db.execute("CREATE INDEX sessions_started ON sessions(started_at)")
