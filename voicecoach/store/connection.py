"""Opening the take database: creating it private, migrating it, repairing it.

A damaged database is salvaged as it opens (voicecoach.store.salvage); a read-only one
(or a read-only data directory) opens read-only with a notice. Every SQLite failure
becomes a `StoreError` with one line (disk full, damaged, busy, read-only).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from voicecoach.audio.takefile import fsync_dir
from voicecoach.errors import DiskFullError, StoreError, first_line, os_reason
from voicecoach.private import private_dir
from voicecoach.store.lock import exclusive
from voicecoach.store.records import METRIC_COLUMNS, REPORT_LOST, STATUSES, _dt
from voicecoach.store.salvage import salvage
from voicecoach.store.schema import MIGRATIONS, SCHEMA_VERSION, _backfill_report_columns

S = TypeVar("S", bound="StoreFile")


# --- errors ------------------------------------------------------------------------------


def _is_full(err: BaseException) -> bool:
    return (isinstance(err, OSError) and err.errno == errno.ENOSPC) or (
        "database or disk is full" in str(err))


def _is_damaged(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
        or "could not decode" in text)


# --- the database file -------------------------------------------------------------------


class StoreFile:
    """The database file: opened (created 0600, migrated), repaired when damaged, closed;
    transactions that turn every SQLite failure into a one-line `StoreError`.
    `voicecoach.store.db.Store` adds the takes, drills and recovery on top."""

    def __init__(self, path: Path | str, *, read_only: bool = False,
                 own_dir: bool = False) -> None:
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
            fresh = StoreFile(fresh_path)
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

    def __enter__(self: S) -> S:
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
                os.write(fd, first_line(err).encode())
                os.close(fd)
            return StoreError(f"{self.path.name} is damaged ({first_line(err)}); restart "
                              "voicecoach to repair it (recordings are kept)")
        if "locked" in str(err) or "busy" in str(err):
            return StoreError(f"{self.path.name} is busy (another voicecoach running?) "
                              f"while {action}")
        return StoreError(f"database error while {action}: {first_line(err)}")

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
            raise _Damaged(first_line(err)) from None
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
