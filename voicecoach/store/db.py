"""Takes, reports and drills in SQLite (stdlib sqlite3), next to the recordings.

Layout in the data directory (0700):

    voicecoach.sqlite3      the database (0600; WAL mode, foreign keys on)
    recordings/             one audio file per take (0600), named by local start time

Schema versions live in `PRAGMA user_version`; `MIGRATIONS[i]` brings a database from
version i to i + 1 inside one transaction, so a fresh database replays the whole history
(v1 included) and an old one picks up where it stopped.

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

import contextlib
import errno
import json
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicecoach.audio.takefile import (
    FINAL_SUFFIXES,
    PARTIAL_SUFFIX,
    fsync_dir,
    partial_path_for,
    recover_unfinished,
    wav_duration_s,
)
from voicecoach.errors import DiskFullError, StoreError, os_reason
from voicecoach.private import private_dir
from voicecoach.report import Report
from voicecoach.store.lock import exclusive
from voicecoach.store.salvage import salvage
from voicecoach.store.sidecar import TakeInfo, read_sidecar, remove_sidecar, write_sidecar

DB_NAME = "voicecoach.sqlite3"
RECORDINGS = "recordings"
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


# --- errors ------------------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:160]


def _is_full(err: BaseException) -> bool:
    return (isinstance(err, OSError) and err.errno == errno.ENOSPC) or (
        "database or disk is full" in str(err))


def _is_damaged(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
        or "could not decode" in text)


# --- the store ---------------------------------------------------------------------------


class Store:
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
        if path is None:
            from voicecoach.paths import data_dir

            path = data_dir() / DB_NAME
        self.path = Path(path).expanduser().absolute()
        self.root = self.path.parent
        self.notice: str | None = None
        self.read_only = read_only
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        why = self._read_only_reason()
        if why and not read_only:
            self.read_only = True
            self.notice = f"read-only: new takes cannot be saved ({why})"
        if not self.read_only:
            try:
                private_dir(self.root)
                if own_dir and stat.S_IMODE(self.root.stat().st_mode) & 0o077:
                    os.chmod(self.root, 0o700)
            except OSError as err:
                raise StoreError(f"cannot use data directory {self.root}: {os_reason(err)}"
                                 ) from None
        try:
            self._db = self._open()
        except _Damaged as damage:
            if self.read_only:
                self._db = self._salvaged_in_memory(str(damage))
            else:
                self._repair(str(damage))

    def _read_only_reason(self) -> str | None:
        """Why this database cannot be written, checked before anything is touched."""
        if self.path.exists():
            if not self.path.stat().st_mode & stat.S_IWUSR:
                return f"{self.path.name} is marked read-only"
            if not os.access(self.path, os.W_OK):  # immutable, or a read-only file system
                return f"{self.path.name} cannot be written"
            if not os.access(self.root, os.W_OK):
                return f"the data directory {self.root} cannot be written"
        elif self.root.exists() and not os.access(self.root, os.W_OK):
            return f"the data directory {self.root} cannot be written"
        return None

    # -- opening --------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            return self._open_read_only()
        try:
            if not self.path.exists():
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
            elif stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                os.chmod(self.path, 0o600)  # tighten, never loosen what the user chose
        except FileExistsError:
            pass
        except OSError as err:
            raise StoreError(f"cannot create {self.path}: {os_reason(err)}") from None
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None,
                             check_same_thread=False)
        try:
            with _opening(db):
                version = self._version(db)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        MIGRATIONS[target - 1](db)
                        db.execute(f"PRAGMA user_version = {target}")
                        db.execute("COMMIT")
                    except BaseException:
                        db.execute("ROLLBACK")
                        raise
        except sqlite3.DatabaseError as err:
            raise self._error(err, "opening the database") from None
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.chmod(str(self.path) + extra, 0o600)
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        """Read without writing a byte: no chmod, no WAL switch, no migration."""
        if not self.path.exists():
            return self._empty_in_memory()
        last: sqlite3.Error | None = None
        # `mode=ro` reads a WAL database's log; `immutable=1` works where even the
        # shared-memory file cannot be made (a read-only directory).
        for query in ("mode=ro", "immutable=1"):
            db = sqlite3.connect(f"file:{self.path}?{query}", uri=True, timeout=5.0,
                                 isolation_level=None, check_same_thread=False)
            try:
                with _opening(db):
                    version = self._version(db)
            except sqlite3.DatabaseError as err:
                last = err
                continue
            if version < SCHEMA_VERSION:
                db.close()
                raise StoreError(f"{self.path.name} is from an older voicecoach (schema "
                                 f"v{version}): start voicecoach once to upgrade it")
            return db
        raise self._error(last or sqlite3.OperationalError("cannot open"),
                          "opening the database")

    def _version(self, db: sqlite3.Connection) -> int:
        """The schema version, after SQLite has read the schema (and, when damage was
        seen last time, checked every page)."""
        db.execute("PRAGMA foreign_keys = ON")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in sorted(tables & {"takes", "drills", "prompts"}):
            # Walks each table's tree (not the reports' overflow pages): a damaged root or
            # interior page shows now, not halfway through a history list.
            db.execute(f"SELECT count(*) FROM {table} NOT INDEXED").fetchone()
        if self._marker.exists():  # damage was seen last time: look closer now
            rows = [str(r[0]) for r in db.execute("PRAGMA quick_check(3)").fetchall()]
            lines = "\n".join(rows).splitlines() or ["ok"]
            verdict = next((r for r in lines if not r.startswith("***")), lines[0])
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
            if not self.read_only:
                with contextlib.suppress(OSError):
                    self._marker.unlink()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path.name} was written by a newer voicecoach (schema v{version}; "
                f"this version knows v{SCHEMA_VERSION}): upgrade voicecoach")
        return version

    @property
    def _marker(self) -> Path:
        return self.path.with_name(self.path.name + ".damaged")

    def _empty_in_memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        for migrate in MIGRATIONS:
            migrate(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return db

    def _salvaged_in_memory(self, damage: str) -> sqlite3.Connection:
        """A read-only command on a damaged database: show what is readable, move nothing."""
        db = self._empty_in_memory()
        done = salvage(self.path, db, _keep_row)
        self.notice = (f"{self.path.name} is damaged ({damage}); showing the {done.takes} "
                       "take(s) still readable; start voicecoach to repair it")
        return db

    def _repair(self, damage: str) -> None:
        """Salvage into a fresh file, then swap it in; the damaged file stays as .bak.
        One process at a time: a second one waits, then finds the repaired database."""
        with exclusive(self.root):
            try:
                self._db = self._open()  # another voicecoach repaired it meanwhile
                return
            except _Damaged:
                pass
            fresh_path = self.path.with_name(f"{self.path.name}.salvage-{os.getpid()}")
            for old in (fresh_path, Path(f"{fresh_path}-wal"), Path(f"{fresh_path}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
            fresh = Store(fresh_path)
            try:
                assert fresh._db is not None
                done = salvage(self.path, fresh._db, _keep_row)
                _backfill_report_columns(fresh._db)
                fresh._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                fresh.close()
            moved = self._move_aside()
            try:
                os.replace(fresh_path, self.path)
                fsync_dir(self.root)
            except OSError as err:
                raise StoreError(f"cannot put the repaired {self.path.name} in place: "
                                 f"{os_reason(err)}") from None
            self._db = self._open()
        how = done.method + (f"; {done.note}" if done.note else "")
        self.notice = (f"{self.path.name} was damaged ({damage}); salvaged {done.takes} "
                       f"take(s) ({how}); the damaged file is kept as {moved.name}, and "
                       "recordings are re-linked from their sidecars")

    def _move_aside(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.{stamp}.bak")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.{stamp}-{n}.bak")
        try:
            os.replace(self.path, target)
            with contextlib.suppress(FileNotFoundError):
                self._marker.unlink()
            for extra in ("-wal", "-shm"):
                side = Path(str(self.path) + extra)
                if side.exists():
                    os.replace(side, Path(str(target) + extra))
        except OSError as err:
            raise StoreError(f"{self.path.name} is damaged and cannot be moved aside: "
                             f"{os_reason(err)}") from None
        return target

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------
    def _error(self, err: BaseException, action: str) -> StoreError:
        if _is_full(err):
            return DiskFullError(f"disk full: cannot save to {self.path.name} while {action}; "
                                 "free some space (recorded audio is kept)")
        if self.read_only or "readonly" in str(err):
            return StoreError(f"read-only: new takes cannot be saved ({self.path.name}, "
                              f"while {action})")
        if _is_damaged(err):
            with contextlib.suppress(OSError):
                fd = os.open(self._marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.write(fd, _one_line(err).encode())
                os.close(fd)
            return StoreError(f"{self.path.name} is damaged ({_one_line(err)}); restart "
                              "voicecoach to repair it (recordings are kept)")
        if "locked" in str(err) or "busy" in str(err):
            return StoreError(f"{self.path.name} is busy (another voicecoach running?) "
                              f"while {action}")
        return StoreError(f"database error while {action}: {_one_line(err)}")

    @contextlib.contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._db is None:
                raise StoreError("the take store is closed")
            try:
                yield self._db
            except sqlite3.Error as err:
                raise self._error(err, action) from None

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._db is None:
                raise StoreError("the take store is closed")
            if self.read_only:
                raise StoreError(f"read-only: new takes cannot be saved ({action})")
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as err:
                if db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise self._error(err, action) from None

    def _rel(self, path: Path) -> str:
        path = Path(path).absolute()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _abs(self, text: str) -> Path:
        path = Path(text)
        return path if path.is_absolute() else self.root / path

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
                             f"{_one_line(err)}") from None

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

    def last_overall_by_prompt(self) -> dict[str, int]:
        """The overall score of the latest scored take of each prompt."""
        with self._read("reading scores") as db:
            # SQLite: bare columns come from the row holding max(created_at).
            rows = db.execute(
                "SELECT prompt_id, overall, max(created_at) FROM takes "
                "WHERE prompt_id IS NOT NULL AND overall IS NOT NULL GROUP BY prompt_id"
            ).fetchall()
        return {prompt: int(overall) for prompt, overall, _ in rows}

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


class _Damaged(Exception):
    pass


@contextlib.contextmanager
def _opening(db: sqlite3.Connection) -> Iterator[None]:
    """Close `db` when opening it fails; damage becomes `_Damaged` (to be repaired)."""
    try:
        yield
    except (StoreError, sqlite3.DatabaseError) as err:
        db.close()
        if isinstance(err, sqlite3.DatabaseError) and _is_damaged(err):
            raise _Damaged(_one_line(err)) from None
        raise


def _keep_row(table: str, record: dict[str, Any]) -> bool:
    return _plausible_take(record) if table == "takes" else True


def _plausible_take(record: dict[str, Any]) -> bool:
    """Rows from damaged pages can hold garbage that still decodes: keep sane ones."""
    try:
        _dt(record["created_at"])
    except (TypeError, ValueError, KeyError):
        return False
    if record.get("status") not in STATUSES or not record.get("audio_path"):
        return False
    if record.get("status") == "scored" and record.get("report_json") is None:
        record["status"], record["message"] = "recorded", REPORT_LOST
    text = record.get("report_json")
    if text is not None:
        try:
            json.loads(text)
        except (TypeError, ValueError):
            record["report_json"] = None
            for column in ("scores_json", "overall", *METRIC_COLUMNS):
                if column in record:
                    record[column] = None
    return True

