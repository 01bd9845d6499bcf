"""Takes, reports and drills in SQLite (stdlib sqlite3), next to the recordings.

Layout in the data directory (0700):

    voicecoach.sqlite3      the database (0600; WAL mode, foreign keys on)
    recordings/             one audio file per take (0600), named by local start time

The package along its seams: `schema.py` (the tables and their migrations),
`connection.py` (opening, migrating, repairing, transactions), `records.py` (`Take`,
`Drill`, the words a take's message uses), this module (the queries and recovery),
`salvage.py`, `sidecar.py`, `lock.py`.

History lists and filters never parse report JSON: the numbers a list shows (overall
score, per-dimension scores, wpm, fillers/min, ...) are columns, filtered and sorted
through indexes. `Take.report` is loaded from the JSON column on first access.

Recording flow that survives a crash:
    take = store.begin_take(prompt_id)                # row with status "recording"
    Recorder(take.audio_path, source).start() ... .stop()
    store.finish_take(take.id, duration_s)            # status "recorded"
and at start-up `store.recover()` finalizes partial audio left by a crash, marks rows
still "recording" as recorded (or failed when no audio reached the disk) and re-imports
audio files that have no row (e.g. after a damaged database was moved aside).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicecoach.audio.takefile import (
    FINAL_SUFFIXES,
    PARTIAL_SUFFIX,
    partial_path_for,
    recover_unfinished,
    wav_duration_s,
)
from voicecoach.errors import StoreError, first_line, os_reason
from voicecoach.paths import DB_NAME, RECORDINGS, database_path  # noqa: F401 (DB_NAME: callers)
from voicecoach.private import private_dir
from voicecoach.report import Report
from voicecoach.store.connection import StoreFile
from voicecoach.store.lock import exclusive
from voicecoach.store.records import (
    INTERRUPTED,
    LOST,
    ORDER_COLUMNS,
    RECOVERED,
    REIMPORTED,
    STATUSES,
    Drill,
    Take,
    _Deferred,
    _dt,
    _ts,
)
from voicecoach.store.schema import _report_columns
from voicecoach.store.sidecar import TakeInfo, read_sidecar, remove_sidecar, write_sidecar

# --- the store ---------------------------------------------------------------------------


class Store(StoreFile):
    """Takes and drills in `path` (default `data_dir()/voicecoach.sqlite3`).

    Every failure is a `StoreError` with one line. A damaged database is salvaged as it
    opens: every readable row goes into a fresh database (SQLite's `.recover`, see
    voicecoach.store.salvage), the damaged file is kept beside it as
    `<name>.<time>.bak`, and `notice` says so; recordings are never touched, and
    `recover()` re-links the ones whose rows were lost through their sidecars.

    `read_only=True` (history, export) never changes a file: a damaged database is
    salvaged into memory for that run only. A database the user made read-only, an
    immutable one or a read-only data directory open read-only too, with `notice`
    "read-only: new takes cannot be saved"; every write then raises `StoreError`.

    One connection, shared by threads under a lock: a UI thread and worker threads may
    use the same Store.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        own_dir = path is None
        super().__init__(database_path() if path is None else path,
                         read_only=read_only, own_dir=own_dir)

    # -- recordings -----------------------------------------------------------------------
    def recordings_dir(self) -> Path:
        try:
            return private_dir(self.root / RECORDINGS)
        except OSError as err:
            raise StoreError(f"cannot create {self.root / RECORDINGS}: {os_reason(err)}"
                             ) from None

    def new_recording_path(self, suffix: str = ".wav") -> Path:
        """A fresh, unused file name in `recordings_dir()` (the file is not created)."""
        if suffix not in FINAL_SUFFIXES:
            raise ValueError(f"recordings are {' or '.join(FINAL_SUFFIXES)}")
        directory = self.recordings_dir()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        while True:
            path = directory / f"{stamp}-{secrets.token_hex(3)}{suffix}"
            if not path.exists() and not partial_path_for(path).exists():
                return path

    # -- takes ----------------------------------------------------------------------------
    def begin_take(self, prompt_id: str | None = None, drill_id: int | None = None,
                   category: str | None = None, audio_path: Path | None = None) -> Take:
        """A take row with status "recording", before the recorder starts.

        Record into `take.audio_path`; then `finish_take()`. If voicecoach dies in
        between, `recover()` links the recovered audio to this row.
        """
        if self.read_only:
            raise StoreError(self.notice or "read-only: new takes cannot be saved")
        path = audio_path or self.new_recording_path()
        return self.add_take(path, prompt_id=prompt_id, drill_id=drill_id,
                             status="recording", category=category)

    def finish_take(self, take_id: int, duration_s: float | None = None,
                    audio_path: Path | None = None, message: str | None = None) -> Take:
        """The recording of a `begin_take()` row is complete: status "recorded".

        `audio_path` is what `Recorder.stop()` returned (when it differs from the planned
        path); `message` e.g. the recorder's error ("device lost after 41 s").
        """
        take = self.get(take_id)
        path = Path(audio_path) if audio_path else take.audio_path
        if duration_s is None:
            duration_s = wav_duration_s(path)
        with self._write("saving the take") as db:
            db.execute("UPDATE takes SET status = 'recorded', duration_s = ?, audio_path = ?, "
                       "message = ? WHERE id = ?",
                       (float(duration_s), self._rel(path), message, take_id))
        return self.get(take_id)

    def add_take(self, audio_path: Path, prompt_id: str | None = None,
                 drill_id: int | None = None, duration_s: float = 0.0,
                 status: str = "recorded", *, category: str | None = None,
                 created_at: datetime | None = None, message: str | None = None) -> Take:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self._write("saving the take") as db:
            if category is None and prompt_id is not None:
                row = db.execute("SELECT category FROM prompts WHERE id = ?",
                                 (prompt_id,)).fetchone()
                category = row[0] if row else None
            created = _ts(created_at)
            cur = db.execute(
                "INSERT INTO takes (prompt_id, created_at, duration_s, audio_path, status, "
                "drill_id, category, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (prompt_id, created, float(duration_s), self._rel(Path(audio_path)),
                 status, drill_id, category, message))
            take_id = int(cur.lastrowid or 0)
        if Path(audio_path).absolute().parent == self.root / RECORDINGS:
            write_sidecar(Path(audio_path), TakeInfo(prompt_id, category, drill_id, created))
        return self.get(take_id)

    def set_status(self, take_id: int, status: str, message: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self._write("updating the take") as db:
            self._check(db.execute("UPDATE takes SET status = ?, message = ? WHERE id = ?",
                                   (status, message, take_id)), take_id)

    def save_report(self, take_id: int, report: Report) -> None:
        """Store a finished report (replacing any older one at once): status "scored"."""
        data = report.to_dict()
        values = _report_columns(data)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self._write("saving the report") as db:
            assignments = ", ".join(f"{k} = ?" for k in values)
            cur = db.execute(
                f"UPDATE takes SET report_json = ?, status = 'scored', message = NULL, "
                f"engine = ?, model = ?, scored_at = ?, "
                f"duration_s = CASE WHEN duration_s > 0 THEN duration_s ELSE ? END, "
                f"{assignments} WHERE id = ?",
                [text, report.engine_name, report.engine_model, _ts(),
                 float(report.duration_s), *values.values(), take_id])
            self._check(cur, take_id)

    def mark_failed(self, take_id: int, message: str) -> None:
        """Scoring (or recording) failed. A take that already has a report keeps it and
        stays "scored" (a failed re-score loses nothing); the message says what failed."""
        with self._write("updating the take") as db:
            cur = db.execute(
                "UPDATE takes SET message = ?, status = CASE WHEN report_json IS NULL "
                "THEN 'failed' ELSE 'scored' END WHERE id = ?", (message, take_id))
            self._check(cur, take_id)

    @staticmethod
    def _check(cur: sqlite3.Cursor, take_id: int) -> None:
        if cur.rowcount == 0:
            raise StoreError(f"no take #{take_id}")

    _COLUMNS = ("id, prompt_id, created_at, duration_s, audio_path, status, drill_id, engine, "
                "model, category, message, wpm, fillers_per_min, word_count, pause_count, "
                "longest_pause_s, think_time_s, scored_at, scores_json, "
                "report_json IS NOT NULL")

    def _take(self, row: Sequence[Any]) -> Take:
        scores_json, has_report = row[18], row[19]
        return Take(
            id=row[0], prompt_id=row[1], created_at=_dt(row[2]), duration_s=row[3],
            audio_path=self._abs(row[4]), status=row[5],
            report=_Deferred(self._load_report, row[0]) if has_report else None,
            drill_id=row[6], engine=row[7], model=row[8], category=row[9], message=row[10],
            wpm=row[11], fillers_per_min=row[12], word_count=row[13], pause_count=row[14],
            longest_pause_s=row[15], think_time_s=row[16],
            scored_at=_dt(row[17]) if row[17] else None,
            stored_scores=json.loads(scores_json) if scores_json else None,
        )

    def _load_report(self, take_id: int) -> Report | None:
        with self._read("loading a report") as db:
            row = db.execute("SELECT report_json FROM takes WHERE id = ?", (take_id,)
                             ).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return Report.from_dict(json.loads(row[0]))
        except (ValueError, TypeError, KeyError) as err:
            raise StoreError(f"the report of take #{take_id} is unreadable: "
                             f"{first_line(err)}") from None

    def get(self, take_id: int) -> Take:
        with self._read("reading a take") as db:
            row = db.execute(f"SELECT {self._COLUMNS} FROM takes WHERE id = ?", (take_id,)
                             ).fetchone()
        if row is None:
            raise StoreError(f"no take #{take_id}")
        return self._take(row)

    def takes(self, prompt_id: str | None = None, category: str | None = None,
              since: datetime | None = None, until: datetime | None = None,
              drill_id: int | None = None, order_by: str = "created_at",
              descending: bool = True, limit: int | None = None, *,
              status: str | Sequence[str] | None = None, scored_only: bool = False,
              offset: int = 0) -> list[Take]:
        """Takes matching every given filter, newest first by default.

        `category` matches the category stored with the take: given to `add_take`, or
        looked up from `sync_prompts()` (which also re-labels older takes). `since` is
        inclusive, `until` exclusive. Takes without a value for `order_by` come last.
        Reports are not read here; `take.report` loads one on access.
        """
        if order_by not in ORDER_COLUMNS:
            raise ValueError(f"order_by must be one of {', '.join(ORDER_COLUMNS)}")
        where, args = [], []
        if prompt_id is not None:
            where.append("prompt_id = ?")
            args.append(prompt_id)
        if category is not None:
            where.append("category = ?")
            args.append(category)
        if since is not None:
            where.append("created_at >= ?")
            args.append(_ts(since))
        if until is not None:
            where.append("created_at < ?")
            args.append(_ts(until))
        if drill_id is not None:
            where.append("drill_id = ?")
            args.append(drill_id)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            where.append(f"status IN ({', '.join('?' * len(wanted))})")
            args.extend(wanted)
        if scored_only:
            where.append("overall IS NOT NULL")
        direction = "DESC" if descending else "ASC"
        order = f"{order_by} {direction}"
        if order_by not in ("created_at", "id", "status"):
            order = f"{order_by} IS NULL, {order}, created_at {direction}"
        sql = f"SELECT {self._COLUMNS} FROM takes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}, id {direction}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if limit is None else int(limit), int(offset)]
        with self._read("listing takes") as db:
            rows = db.execute(sql, args).fetchall()
        return [self._take(row) for row in rows]

    def count(self, **filters: Any) -> int:
        """How many takes `takes(**filters)` would list (filters as there, no ordering)."""
        return len(self.takes(**filters))

    def last_overall_by_prompt(self) -> dict[str, int | None]:
        """The overall score of the latest scored take of each prompt: None when that
        answer was too short to judge (the prompt was practiced all the same)."""
        with self._read("reading scores") as db:
            # SQLite: bare columns come from the row holding max(created_at).
            rows = db.execute(
                "SELECT prompt_id, overall, max(created_at) FROM takes "
                "WHERE prompt_id IS NOT NULL AND status = 'scored' GROUP BY prompt_id"
            ).fetchall()
        return {prompt: None if overall is None else int(overall)
                for prompt, overall, _ in rows}

    def delete(self, take_id: int) -> None:
        """Remove the take and its audio file (the file first: nothing comes back)."""
        take = self.get(take_id)
        for path in (take.audio_path, partial_path_for(take.audio_path)):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as err:
                raise StoreError(f"cannot delete {path.name}: {os_reason(err)}") from None
        with self._write("deleting the take") as db:
            db.execute("DELETE FROM takes WHERE id = ?", (take_id,))
        remove_sidecar(take.audio_path)

    # -- prompts --------------------------------------------------------------------------
    def sync_prompts(self, prompts: Mapping[str, str] | Iterable[Any]) -> int:
        """Record each prompt's category ({id: category} or objects with .id/.category)
        and re-label existing takes. Returns how many takes changed category."""
        if isinstance(prompts, Mapping):
            pairs = [(str(k), str(v)) for k, v in prompts.items()]
        else:
            pairs = [(str(p.id), str(p.category)) for p in prompts]
        with self._write("saving prompt categories") as db:
            db.executemany("INSERT INTO prompts (id, category) VALUES (?, ?) "
                           "ON CONFLICT(id) DO UPDATE SET category = excluded.category", pairs)
            cur = db.execute(
                "UPDATE takes SET category = (SELECT category FROM prompts p "
                "WHERE p.id = takes.prompt_id) WHERE prompt_id IN (SELECT id FROM prompts) "
                "AND category IS NOT (SELECT category FROM prompts p "
                "WHERE p.id = takes.prompt_id)")
            return cur.rowcount

    def categories(self) -> list[str]:
        with self._read("listing categories") as db:
            rows = db.execute("SELECT DISTINCT category FROM takes WHERE category IS NOT NULL "
                              "ORDER BY category").fetchall()
        return [r[0] for r in rows]

    # -- drills ---------------------------------------------------------------------------
    def start_drill(self, prompt_ids: Sequence[str], think_s: int, answer_s: int) -> int:
        with self._write("starting the drill") as db:
            cur = db.execute(
                "INSERT INTO drills (started_at, prompt_ids, think_s, answer_s) "
                "VALUES (?, ?, ?, ?)", (_ts(), json.dumps(list(prompt_ids)), int(think_s),
                                        int(answer_s)))
            return int(cur.lastrowid or 0)

    def finish_drill(self, drill_id: int) -> None:
        with self._write("finishing the drill") as db:
            cur = db.execute("UPDATE drills SET finished_at = ? WHERE id = ?",
                             (_ts(), drill_id))
            if cur.rowcount == 0:
                raise StoreError(f"no drill #{drill_id}")

    def drill(self, drill_id: int) -> Drill:
        with self._read("reading the drill") as db:
            row = db.execute("SELECT id, started_at, finished_at, prompt_ids, think_s, "
                             "answer_s FROM drills WHERE id = ?", (drill_id,)).fetchone()
        if row is None:
            raise StoreError(f"no drill #{drill_id}")
        return Drill(row[0], _dt(row[1]), _dt(row[2]) if row[2] else None,
                     json.loads(row[3]), row[4], row[5])

    def drills(self, limit: int | None = None) -> list[Drill]:
        with self._read("listing drills") as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM drills ORDER BY started_at DESC, id DESC LIMIT ?",
                (-1 if limit is None else limit,)).fetchall()]
        return [self.drill(i) for i in ids]

    # -- recovery -------------------------------------------------------------------------
    def recover(self) -> list[Take]:
        """Make every recording on disk a take again; returns the takes it touched.

        1. finalize `.partial` audio left by a crashed recorder (`recover_unfinished`);
        2. rows still "recording": "recorded" (duration from the file, `message` says it
           was recovered), or "failed" when no audio reached the disk; rows left
           "scoring" by a crash go back to "recorded" saying so ("scored" if they have
           a report);
        3. audio files in recordings/ with no row become takes, linked to their prompt,
           drill and start time again through their sidecars (after a damaged database
           lost their rows, or a crash between recording and saving).
        A recording that another voicecoach is still making (locked) is left alone. Two
        voicecoach processes recovering at once take turns (a lock in the data
        directory), and each import re-checks inside its transaction, so no recording
        is imported twice. A read-only store recovers nothing.
        """
        if self.read_only:
            return []
        directory = self.recordings_dir()
        try:
            with exclusive(self.root):
                return self._recover(directory)
        except OSError as err:
            raise StoreError(f"cannot recover recordings in {directory}: {os_reason(err)}"
                             ) from None

    def _recover(self, directory: Path) -> list[Take]:
        recover_unfinished(directory)
        touched: list[int] = []
        with self._read("recovering takes") as db:
            pending = db.execute("SELECT id, audio_path FROM takes WHERE status = 'recording'"
                                 ).fetchall()
        for take_id, text in pending:
            path = self._abs(text)
            if not path.exists() and path.suffix == ".flac" and path.with_suffix(".wav").exists():
                path = path.with_suffix(".wav")  # FLAC encoding failed: kept as WAV
            if path.exists():
                self.finish_take(take_id, wav_duration_s(path), audio_path=path,
                                 message=RECOVERED)
                touched.append(take_id)
            elif partial_path_for(path).exists():
                continue  # still being recorded by another process
            else:
                self.set_status(take_id, "failed", LOST)
        with self._write("recovering takes") as db:
            db.execute("UPDATE takes SET status = 'recorded', message = ? "
                       "WHERE status = 'scoring' AND report_json IS NULL", (INTERRUPTED,))
            db.execute("UPDATE takes SET status = 'scored' WHERE status = 'scoring'")
        for path in sorted(directory.iterdir()):
            if (path.suffix.lower() not in FINAL_SUFFIXES or path.name.endswith(PARTIAL_SUFFIX)
                    or not path.is_file()):
                continue
            take_id = self._reimport(path)
            if take_id is not None:
                touched.append(take_id)
        return sorted((self.get(i) for i in touched), key=lambda t: t.created_at)

    def _reimport(self, path: Path) -> int | None:
        """A take for a recording with none: checked and inserted in one transaction."""
        rel = self._rel(path)
        with self._read("recovering takes") as db:
            if db.execute("SELECT 1 FROM takes WHERE audio_path = ?", (rel,)).fetchone():
                return None
        duration = wav_duration_s(path)
        if duration <= 0:
            return None
        info = read_sidecar(path)
        created = info.created_at if info else _ts(datetime.fromtimestamp(
            path.stat().st_mtime - duration, timezone.utc))
        with self._write("recovering takes") as db:
            if db.execute("SELECT 1 FROM takes WHERE audio_path = ?", (rel,)).fetchone():
                return None
            drill = info.drill_id if info else None
            if drill is not None and not db.execute("SELECT 1 FROM drills WHERE id = ?",
                                                    (drill,)).fetchone():
                drill = None  # the drill's row was lost with the database
            cur = db.execute(
                "INSERT INTO takes (prompt_id, created_at, duration_s, audio_path, status, "
                "drill_id, category, message) VALUES (?, ?, ?, ?, 'recorded', ?, ?, ?)",
                (info.prompt_id if info else None, created, duration, rel, drill,
                 info.category if info else None, REIMPORTED))
            return int(cur.lastrowid or 0)

    def check(self) -> str:
        """SQLite's own consistency check: "ok" or the first problem (slow on big DBs)."""
        with self._read("checking the database") as db:
            return str(db.execute("PRAGMA quick_check").fetchone()[0])
