"""Mock-interview sessions in the real SQLite store: links survive reopening, old
databases upgrade with their takes intact, deleting a take drops only its link."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from voicecoach.errors import StoreError
from voicecoach.store.db import Store
from voicecoach.store.schema import MIGRATIONS, SCHEMA_VERSION
from voicecoach.store.sessions import (
    finish_session,
    get_session,
    link_take,
    list_sessions,
    session_links,
    start_session,
)


def a_session(store: Store, tmp_path: Path) -> tuple[int, list[int]]:
    sid = start_session(store, "design-fraud-detection")
    first = store.add_take(tmp_path / "a.wav", prompt_id="design-fraud-detection")
    probe = store.add_take(tmp_path / "b.wav", prompt_id="design-fraud-detection/monitoring")
    link_take(store, sid, first.id, 0)
    link_take(store, sid, probe.id, 1, follows_take_id=first.id, follow_up_id="monitoring",
              reason="asked because monitoring never came up")
    finish_session(store, sid)
    return sid, [first.id, probe.id]


def test_session_links_survive_reopening(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        sid, (first, probe) = a_session(store, tmp_path)
    with Store(path) as store:
        session = get_session(store, sid)
        assert session.prompt_id == "design-fraud-detection" and session.kind == "mock"
        assert session.finished_at is not None
        assert session.take_ids == [first, probe]
        assert session.turns[1].follows_take_id == first
        assert session.turns[1].reason == "asked because monitoring never came up"
        assert [s.id for s in list_sessions(store)] == [sid]
        links = session_links(store)
        assert links[probe]["turn"] == 1 and links[probe]["follows_take_id"] == first
        assert links[first]["session_id"] == sid and links[first]["follow_up_id"] is None
        # Each answer is still a normal take.
        assert store.get(probe).prompt_id == "design-fraud-detection/monitoring"


def test_deleting_a_take_drops_its_link_only(tmp_path):
    with Store(tmp_path / "voicecoach.sqlite3") as store:
        sid, (first, probe) = a_session(store, tmp_path)
        store.delete(first)
        session = get_session(store, sid)
        assert session.take_ids == [probe]
        assert session.turns[0].follows_take_id is None  # what it followed is gone
        store.delete(probe)
        assert list_sessions(store) == []  # an empty session is not listed


def test_bad_links_are_one_line_errors(tmp_path):
    with Store(tmp_path / "voicecoach.sqlite3") as store:
        sid, (first, _) = a_session(store, tmp_path)
        with pytest.raises(StoreError, match="cannot be turn 0 of session"):
            link_take(store, sid, first, 0)  # already linked
        with pytest.raises(StoreError, match="no session #99"):
            get_session(store, 99)
        with pytest.raises(ValueError, match="needs the take it follows"):
            link_take(store, sid, first, 2)


def test_a_v2_database_upgrades_and_keeps_its_takes(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:2]:
        migrate(db)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO drills (started_at, prompt_ids, think_s, answer_s) "
               "VALUES ('2026-01-01T10:00:00.000000+00:00', '[\"p\"]', 10, 60)")
    db.execute("INSERT INTO takes (prompt_id, created_at, duration_s, audio_path, status, "
               "drill_id, overall) VALUES ('p', '2026-01-01T10:00:00.000000+00:00', 3.0, "
               "'recordings/x.wav', 'recorded', 1, 70)")
    db.close()
    with Store(path) as store:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == \
            SCHEMA_VERSION == 3
        (take,) = store.takes()
        assert take.drill_id == 1 and take.prompt_id == "p"
        sid = start_session(store, "p", kind="drill", drill_id=1)
        link_take(store, sid, take.id, 0)
        assert get_session(store, sid).drill_id == 1
    with Store(path, read_only=True) as store:  # read-only opens the upgraded file
        assert session_links(store)[1]["session_id"] == sid
