"""Issue #16 items 1, 4 and 9: the take store under page-level damage, two recovering
processes, and read-only or immutable files. Real SQLite files, real WAVs, real
subprocesses; the damage is written into the database file's pages by hand.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import small_tmpfs
from test_store import make_report, wav

from voicecoach.store.db import Store
from voicecoach.store.records import REIMPORTED
from voicecoach.store.salvage import recover_available

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096


def twelve_takes(tmp_path: Path) -> tuple[Path, list[tuple[int, str, Path]]]:
    """The fault probe's database: 12 scored takes with recordings (prompt p0..p11)."""
    path = tmp_path / "data" / "voicecoach.sqlite3"
    takes = []
    with Store(path) as store:
        for i in range(12):
            take = store.begin_take(prompt_id=f"p{i}", category="ml-design")
            wav(take.audio_path, 1.0 + i / 10)
            store.finish_take(take.id)
            store.save_report(take.id, make_report(n_words=120, overall=40 + i))
            takes.append((take.id, f"p{i}", take.audio_path))
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path, takes


def root_page(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
                         ).fetchone()
    db.close()
    return int(page)


def smash(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[(page - 1) * PAGE: page * PAGE] = os.urandom(PAGE)
    path.write_bytes(bytes(data))


def test_garbage_over_the_takes_root_page_loses_no_take(tmp_path):
    """Before: 0 of 12 salvaged, 11 recordings back as "free answer" for ever."""
    path, takes = twelve_takes(tmp_path)
    smash(path, root_page(path, "takes"))
    with Store(path) as store:
        assert store.notice and "was damaged" in store.notice
        store.recover()
        back = {t.audio_path: t for t in store.takes()}
        assert len(back) == 12
        for _, prompt, audio in takes:
            take = back[audio]
            assert take.prompt_id == prompt and take.category == "ml-design"
            # salvaged with its report, or re-linked from its sidecar to be scored again
            assert take.status == "scored" or (take.status == "recorded"
                                               and take.message == REIMPORTED)


def test_a_cut_off_database_keeps_the_rows_on_its_intact_pages(tmp_path):
    """Before: a database cut off after 20 of its 36 pages gave 0 takes, though the rows
    on the pages that remained read fine once the header's page count was corrected."""
    path, takes = twelve_takes(tmp_path)
    db = sqlite3.connect(path)  # dbstat: the first leaf of takes and its reports' pages
    (ncell,) = db.execute("SELECT ncell FROM dbstat WHERE name = 'takes' AND path = '/000/'"
                          ).fetchone()
    (last,) = db.execute("SELECT max(pageno) FROM dbstat WHERE name = 'takes' AND "
                         "path LIKE '/000/%'").fetchone()
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.close()
    assert ncell >= 1 and last < pages
    with path.open("r+b") as fh:
        fh.truncate(last * PAGE)  # cut right after them
    with Store(path) as store:
        print(f"cut at page {last} of {pages}: {store.notice}")
        scored = {t.id: t for t in store.takes() if t.status == "scored"}
        assert set(scored) == {takes[i][0] for i in range(ncell)}
        assert all(t.report is not None for t in scored.values())
        store.recover()  # the rest come back through their sidecars
        assert sorted(t.prompt_id for t in store.takes()) == sorted(p for _, p, _ in takes)


@pytest.mark.skipif(not recover_available(), reason="this machine's sqlite3 shell has no "
                    "working .recover (Debian 12 builds it without sqlite_dbpage)")
def test_recover_brings_back_the_reports_under_a_damaged_root(tmp_path):
    path, takes = twelve_takes(tmp_path)
    smash(path, root_page(path, "takes"))
    with Store(path) as store:
        assert "SQLite's .recover" in (store.notice or "")
        assert sum(t.status == "scored" for t in store.takes()) >= 10


def history(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
           "VOICECOACH_CONFIG_DIR": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "voicecoach", "history", *args], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_history_never_moves_a_damaged_database_and_works_the_first_time(tmp_path):
    path, takes = twelve_takes(tmp_path)
    smash(path, root_page(path, "drills"))
    before = path.read_bytes()
    for _ in range(2):
        done = history(tmp_path)
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 13  # the header and every take
        [warning] = done.stderr.splitlines()
        assert warning.startswith("voicecoach: warning: voicecoach.sqlite3")
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.suffix == ".bak" or "salvage" in p.name]


def test_damage_found_by_history_is_repaired_by_the_next_writable_start(tmp_path):
    path, takes = twelve_takes(tmp_path)
    smash(path, root_page(path, "takes"))
    done = history(tmp_path)
    assert done.returncode == 0 and "start voicecoach to repair it" in done.stderr
    with Store(path) as store:  # the app's open: repaired in one go
        assert store.notice and "was damaged" in store.notice
        store.recover()
        assert len(store.takes()) == 12
    assert not Store(path).notice


# --- item 4: two processes recovering at once ------------------------------------------------

RECOVER = """
import sys, time
from pathlib import Path
from voicecoach.store.db import Store
store = Store(Path(sys.argv[1]))
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
print(len(store.recover()))
"""


@pytest.mark.parametrize("attempt", range(6))
def test_two_processes_recovering_at_once_import_each_recording_once(tmp_path, attempt):
    """Before: 6 of 6 tries imported the same orphan recording twice."""
    import time

    path = tmp_path / "data" / "voicecoach.sqlite3"
    with Store(path) as store:
        orphans = [wav(store.new_recording_path(), 1.0) for _ in range(5)]
    start = time.time() + 1.5  # both start recovering at the same moment
    procs = [subprocess.Popen([sys.executable, "-c", RECOVER, str(path), str(start)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
    counts = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sorted(counts) == [0, 5]
    with Store(path) as store:
        paths = [t.audio_path for t in store.takes()]
    assert sorted(paths) == sorted(orphans)


# --- item 9: read-only and immutable databases ---------------------------------------------------


@pytest.fixture
def read_only_mount(tmp_path):
    """A tmpfs holding a data directory with takes, then remounted read-only (needs root)."""
    for mount in small_tmpfs(tmp_path / "ro", "8m"):
        with Store(mount / "voicecoach.sqlite3") as store:
            take = store.add_take(wav(store.new_recording_path(), 1.0), prompt_id="p1")
            store.save_report(take.id, make_report())
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount


def test_a_read_only_data_directory_still_shows_history(read_only_mount):
    with Store(read_only_mount / "voicecoach.sqlite3") as store:
        assert store.notice and store.notice.startswith("read-only: new takes cannot be saved")
        [take] = store.takes()
        assert take.report is not None and take.prompt_id == "p1"
        assert store.recover() == []
        with pytest.raises(Exception) as err:
            store.begin_take("p2")
        assert str(err.value).startswith("read-only: new takes cannot be saved")


def test_a_database_the_user_made_read_only_stays_read_only(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        store.add_take(wav(store.new_recording_path()), prompt_id="p1")
    os.chmod(path, 0o400)
    with Store(path) as store:  # before: silently chmod-ed back to 0600
        assert store.notice and "read-only" in store.notice
        assert len(store.takes()) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


def test_an_immutable_database_is_read_only_not_cannot_create(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        store.add_take(wav(store.new_recording_path()), prompt_id="p1")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {done.stderr.strip()}")
    try:
        with Store(path) as store:
            assert store.notice and store.notice.startswith("read-only")
            assert "cannot create" not in store.notice and len(store.takes()) == 1
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)
