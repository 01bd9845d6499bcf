"""Mock-interview sessions in the take store: which takes belong to a session, in what
order, and which question each answer follows.

Schema v3 adds two tables next to `takes` (each answer stays a normal take: scored,
replayable, listed in history):

    sessions        one mock interview: the prompt asked, kind, start and finish
    session_takes   one row per answer: its turn (0 = the question, 1.. = follow-ups),
                    the take it follows, the follow-up asked and why

Deleting a take removes its link (ON DELETE CASCADE); a session whose takes are all
deleted is left empty and not listed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from voicecoach.errors import StoreError
from voicecoach.store.records import _dt, _ts

if TYPE_CHECKING:
    from voicecoach.store.db import Store

KINDS = ("mock", "drill")


@dataclass(frozen=True)
class Turn:
    """One answer of a session."""

    take_id: int
    turn: int  # 0: the question itself; 1, 2: follow-ups
    follows_take_id: int | None = None
    follow_up_id: str | None = None
    reason: str | None = None  # why this follow-up was asked

    def to_dict(self) -> dict[str, Any]:
        return {"take_id": self.take_id, "turn": self.turn,
                "follows_take_id": self.follows_take_id, "follow_up_id": self.follow_up_id,
                "reason": self.reason}


@dataclass
class Session:
    id: int
    kind: str
    prompt_id: str
    started_at: datetime
    finished_at: datetime | None
    drill_id: int | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def take_ids(self) -> list[int]:
        return [t.take_id for t in self.turns]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "prompt_id": self.prompt_id,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "drill_id": self.drill_id, "turns": [t.to_dict() for t in self.turns]}


def start_session(store: Store, prompt_id: str, kind: str = "mock",
                  drill_id: int | None = None) -> int:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    with store._write("starting the session") as db:
        cur = db.execute("INSERT INTO sessions (kind, prompt_id, started_at, drill_id) "
                         "VALUES (?, ?, ?, ?)", (kind, prompt_id, _ts(), drill_id))
        return int(cur.lastrowid or 0)


def link_take(store: Store, session_id: int, take_id: int, turn: int,
              follows_take_id: int | None = None, follow_up_id: str | None = None,
              reason: str | None = None) -> Turn:
    """Record that `take_id` is answer number `turn` of the session."""
    if turn > 0 and (follows_take_id is None or follow_up_id is None):
        raise ValueError("a follow-up answer needs the take it follows and the follow-up id")
    with store._write("linking the take to its session") as db:
        try:
            db.execute("INSERT INTO session_takes (take_id, session_id, turn, follows_take_id, "
                       "follow_up_id, reason) VALUES (?, ?, ?, ?, ?, ?)",
                       (take_id, session_id, turn, follows_take_id, follow_up_id, reason))
        except sqlite3.IntegrityError:
            raise StoreError(f"take #{take_id} cannot be turn {turn} of session "
                             f"#{session_id} (no such take or session, or the turn is taken)"
                             ) from None
    return Turn(take_id, turn, follows_take_id, follow_up_id, reason)


def finish_session(store: Store, session_id: int) -> None:
    with store._write("finishing the session") as db:
        cur = db.execute("UPDATE sessions SET finished_at = ? WHERE id = ?", (_ts(), session_id))
        if cur.rowcount == 0:
            raise StoreError(f"no session #{session_id}")


_SESSION = "SELECT id, kind, prompt_id, started_at, finished_at, drill_id FROM sessions"
_TURNS = ("SELECT take_id, turn, follows_take_id, follow_up_id, reason FROM session_takes "
          "WHERE session_id = ? ORDER BY turn")


def get_session(store: Store, session_id: int) -> Session:
    with store._read("reading the session") as db:
        row = db.execute(f"{_SESSION} WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"no session #{session_id}")
        turns = db.execute(_TURNS, (session_id,)).fetchall()
    return _session(row, turns)


def list_sessions(store: Store, limit: int | None = None) -> list[Session]:
    """Sessions with at least one take, newest first."""
    with store._read("listing sessions") as db:
        rows = db.execute(f"{_SESSION} WHERE id IN (SELECT session_id FROM session_takes) "
                          "ORDER BY started_at DESC, id DESC LIMIT ?",
                          (-1 if limit is None else limit,)).fetchall()
        turns = {r[0]: db.execute(_TURNS, (r[0],)).fetchall() for r in rows}
    return [_session(r, turns[r[0]]) for r in rows]


def session_links(store: Store) -> dict[int, dict[str, Any]]:
    """take id -> its session link (session id, kind, turn, follows, follow-up, reason),
    for history lists and exports; takes outside any session are absent."""
    with store._read("reading session links") as db:
        rows = db.execute(
            "SELECT st.take_id, st.session_id, s.kind, s.prompt_id, st.turn, "
            "st.follows_take_id, st.follow_up_id, st.reason FROM session_takes st "
            "JOIN sessions s ON s.id = st.session_id").fetchall()
    return {r[0]: {"session_id": r[1], "kind": r[2], "session_prompt_id": r[3], "turn": r[4],
                   "follows_take_id": r[5], "follow_up_id": r[6], "reason": r[7]}
            for r in rows}


def _session(row: tuple[Any, ...], turns: list[tuple[Any, ...]]) -> Session:
    return Session(row[0], row[1], row[2], _dt(row[3]), _dt(row[4]) if row[4] else None,
                   row[5], [Turn(*t) for t in turns])
