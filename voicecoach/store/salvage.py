"""Rows still readable in a damaged database, copied into a fresh one.

SQLite's own recovery, the `.recover` command of the sqlite3 shell (Debian package
`sqlite3`), reads every page it can: rows under a damaged root page come back in
its `lost_and_found` table with their rowid, and are mapped back to `takes` here
by their field count. `.recover` needs a shell built with the `sqlite_dbpage`
table; where the shell is missing or lacks it (Debian 12's build does), rows are
read one rowid at a time instead, which finds the rows under intact pages only.
Either way recordings lost with their rows come back through their sidecars.
"""

from __future__ import annotations

import functools
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import first_line

TABLES = ("drills", "prompts", "takes", "sessions", "session_takes")  # parents first
MAX_MISSES = 2000  # rowids read past the last one found when max(rowid) is unreadable
Check = Callable[[str, dict[str, Any]], bool]


@dataclass(frozen=True)
class Salvaged:
    takes: int
    method: str  # "SQLite's .recover" or "row by row"
    note: str = ""  # why .recover was not used


class _Unavailable(Exception):
    pass


def salvage(damaged: Path, into: sqlite3.Connection, keep: Check) -> Salvaged:
    """Copy what is readable in `damaged` into `into` (in one transaction). The damaged
    file itself is only read: the work happens on a copy."""
    with tempfile.TemporaryDirectory(prefix="voicecoach-salvage-") as tmp:
        try:
            copy = _working_copy(damaged, Path(tmp))
        except OSError:
            return Salvaged(0, "nothing", "the damaged file cannot be read")
        return _salvage(copy, into, keep)


def _working_copy(damaged: Path, tmp: Path) -> Path:
    """A copy of the file (and its write-ahead log) whose header's page count is no
    larger than the file: a cut-off database is unreadable until then, yet the rows on
    its remaining pages read fine once it is (offset 28 of the documented header)."""
    copy = tmp / damaged.name
    shutil.copyfile(damaged, copy)
    wal = Path(f"{damaged}-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{copy}-wal"))
    with copy.open("r+b") as fh:
        head = fh.read(100)
        if len(head) == 100 and head.startswith(b"SQLite format 3\0"):
            page_size = struct.unpack(">H", head[16:18])[0]
            page_size = 65536 if page_size == 1 else page_size
            pages = copy.stat().st_size // page_size if page_size else 0
            if 0 < pages < struct.unpack(">I", head[28:32])[0]:
                fh.seek(28)
                fh.write(struct.pack(">I", pages))
    return copy


def _salvage(damaged: Path, into: sqlite3.Connection, keep: Check) -> Salvaged:
    try:
        source = _recovered_copy(damaged)
        method, note = "SQLite's .recover", ""
    except _Unavailable as why:
        source = sqlite3.connect(damaged)
        method, note = "row by row", str(why)
    try:
        into.execute("BEGIN IMMEDIATE")
        counts = {t: _copy_table(source, into, t, keep) for t in TABLES}
        counts["takes"] += _copy_lost_and_found(source, into, keep)
        into.execute("COMMIT")
    except sqlite3.Error:
        if into.in_transaction:
            into.execute("ROLLBACK")
        counts = {"takes": 0}
    finally:
        source.close()
    return Salvaged(counts["takes"], method, note)


def _recovered_copy(damaged: Path) -> sqlite3.Connection:
    """An in-memory database rebuilt by `sqlite3 DAMAGED .recover`."""
    exe = shutil.which("sqlite3")
    if exe is None:
        raise _Unavailable("the sqlite3 command is not installed (Debian package sqlite3)")
    if not _has_dbpage(exe):
        raise _Unavailable("this sqlite3 lacks the sqlite_dbpage table .recover needs")
    try:
        done = subprocess.run([exe, "-readonly", str(damaged), ".recover"],
                              capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise _Unavailable(f"sqlite3 .recover did not run: {first_line(err)}") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        raise _Unavailable(f"sqlite3 .recover failed: {first_line(Exception(err))}")
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(done.stdout.decode("utf-8", "replace"))
    except sqlite3.Error as err:
        db.close()
        raise _Unavailable(f"the SQL from .recover did not load: {first_line(err)}") from None
    return db


@functools.cache
def _has_dbpage(exe: str) -> bool:
    """Debian's and Ubuntu's shells are built without it: .recover then fails outright."""
    try:
        done = subprocess.run([exe, ":memory:", "SELECT count(*) FROM sqlite_dbpage"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def recover_available() -> bool:
    """Can this machine run SQLite's .recover?"""
    exe = shutil.which("sqlite3")
    return exe is not None and _has_dbpage(exe)


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str,
                keep: Check) -> int:
    try:
        columns = _columns(src, table)
    except sqlite3.Error:
        return 0
    wanted = set(_columns(dst, table))
    columns = [c for c in columns if c in wanted]
    if not columns:
        return 0
    return sum(_insert(dst, table, dict(zip(columns, row)), keep)
               for row in _rows(src, table, columns))


def _rows(src: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """Every row that reads. A row on a damaged page is skipped, not the whole table:
    when even max(rowid) fails (a cut-off file), rowids are tried until a long run
    reads nothing."""
    select = f"SELECT {', '.join(columns)} FROM {table} WHERE rowid = ?"
    # A large value (a report) spills onto overflow pages, and every column stored after
    # it with it; when one of those pages is damaged the row still comes back with the
    # columns before it.
    cut = columns.index("report_json") if "report_json" in columns else len(columns)
    lean = (f"SELECT {', '.join(c if i < cut else 'NULL' for i, c in enumerate(columns))} "
            f"FROM {table} WHERE rowid = ?")
    try:
        last = src.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
        bounded = True
    except sqlite3.Error:
        last, bounded = 0, False
    rows, rowid, misses = [], 0, 0
    while (rowid < last) if bounded else (misses < MAX_MISSES):
        rowid += 1
        row = None
        for query in dict.fromkeys((select, lean)):
            try:
                row = src.execute(query, (rowid,)).fetchone()
                break
            except sqlite3.Error:
                continue
        if row is None:
            misses += 1
            continue
        misses = 0
        rows.append(row)
    return rows


def _copy_lost_and_found(src: sqlite3.Connection, dst: sqlite3.Connection, keep: Check) -> int:
    """Rows `.recover` found on pages no table reaches any more: takes, by field count."""
    try:
        takes = _columns(src, "takes")
        rows = src.execute("SELECT * FROM lost_and_found").fetchall()
        names = [d[0] for d in src.execute("SELECT * FROM lost_and_found LIMIT 0").description]
    except sqlite3.Error:
        return 0
    wanted = set(_columns(dst, "takes"))
    saved = 0
    for row in rows:
        fields = dict(zip(names, row))
        if fields.get("nfield") != len(takes):
            continue
        record = {c: fields.get(f"c{i}") for i, c in enumerate(takes)}
        record["id"] = fields.get("id")  # the rowid: INTEGER PRIMARY KEY is stored as NULL
        saved += _insert(dst, "takes", {k: v for k, v in record.items() if k in wanted}, keep)
    return saved


def _insert(dst: sqlite3.Connection, table: str, record: dict[str, Any], keep: Check) -> int:
    if not keep(table, record):
        return 0
    record = {k: v for k, v in record.items() if v is not None}  # NOT NULL columns: defaults
    columns = list(record)
    try:
        cur = dst.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
                          f"VALUES ({', '.join('?' * len(columns))})", list(record.values()))
    except sqlite3.Error:
        return 0
    return cur.rowcount
