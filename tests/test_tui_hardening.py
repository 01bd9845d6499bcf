"""Issue #16 in the app: outside text shown literally (item 7), takes left without a
score are scored in the background at start (item 3), results that meet a full disk
wait for space (item 2), SIGTERM and SIGHUP quit like ctrl+q under a real terminal
(item 5), and the files the app writes are private (item 9).
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import JFK, small_tmpfs
from test_store import make_report, wav
from test_store_faults import read_only_mount  # noqa: F401,F811 - a fixture
from test_tui_app import SIZE, make_prompts, start_take, text_of, wait_for

from voicecoach.app.sources import microphone_source
from voicecoach.app.takes import WAITING, TakeLog
from voicecoach.audio.io import load_audio
from voicecoach.audio.takefile import partial_path_for, wav_header
from voicecoach.config import Settings
from voicecoach.errors import ModelError
from voicecoach.store.db import Store
from voicecoach.store.records import INTERRUPTED
from voicecoach.tui.app import create_app

ROOT = Path(__file__).resolve().parents[1]


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


# --- item 7: brackets from outside are text, not markup ------------------------------------


@pytest.mark.asyncio
async def test_a_device_name_with_brackets_is_shown_literally(tmp_path: Path) -> None:
    """Before: VOICECOACH_INPUT_DEVICE='[/]', then r: a full-screen MarkupError."""
    with Store(tmp_path / "data" / "voicecoach.sqlite3") as store:
        app = create_app(Settings(input_device="[/]"), store, microphone_source,
                         lambda s, p: (_ for _ in ()).throw(ModelError("no [b]model[/b]")),
                         make_prompts())
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: any("no [b]model[/b]" in t for t in toasts(app)),
                           what="the engine error, brackets and all")
            await start_take(pilot, app)
            await wait_for(pilot, lambda: "[/]" in text_of(app, "#rec-warning"), 30,
                           "the device warning")
            assert app.screen.panel.state == "idle"
        assert store.takes() == []  # a failed start leaves no empty take (#17)


# --- item 3: takes without a score are scored at start ----------------------------------------


@pytest.mark.slow
@pytest.mark.asyncio
async def test_recovered_and_interrupted_takes_are_scored_in_the_background(
        tmp_path: Path, faster_engine) -> None:
    """Before: history showed them as [recorded] "–" for ever, and a take killed while
    scoring went back to recorded with no message."""
    pcm = (load_audio(JFK).samples * 32767).astype("<i2").tobytes()
    with Store(tmp_path / "data" / "voicecoach.sqlite3") as store:
        crashed = store.begin_take(prompt_id="p1")  # killed while recording
        partial_path_for(crashed.audio_path).write_bytes(wav_header(0) + pcm)
        killed = store.begin_take(prompt_id="p2")  # killed while scoring
        store.finish_take(killed.id, None, audio_path=Path(
            __import__("shutil").copyfile(JFK, killed.audio_path)))
        store.set_status(killed.id, "scoring")

        # jfk is too short to judge by default: judged here, so it gets an overall.
        judged = Settings(scoring={"min_judged_words": 0, "min_judged_s": 0.0})
        app = create_app(judged, store, microphone_source,
                         lambda s, p: faster_engine, make_prompts())
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: any("Scoring 2 take(s)" in t for t in toasts(app)),
                           what="the background scoring notice")
            assert store.get(killed.id).message == INTERRUPTED
            await wait_for(pilot, lambda: any("Scored 2 of 2" in t for t in toasts(app)), 120,
                           "the background scoring to finish")
        for take_id in (crashed.id, killed.id):
            take = store.get(take_id)
            assert take.status == "scored" and take.overall is not None, take
        assert set(store.last_overall_by_prompt()) == {"p1", "p2"}  # Home counts them


# --- item 2: a full disk -----------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    yield from small_tmpfs(tmp_path / "tiny", "1m")


def fill(directory: Path) -> Path:
    """Take every free byte of the file system, as a full disk would."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_result_that_meets_a_full_disk_is_saved_when_space_returns(tiny_disk):
    """Before: the score shown on screen was not stored; the row stayed "recording" and
    was later labelled "recovered after voicecoach stopped"."""
    store = Store(tiny_disk / "voicecoach.sqlite3")
    takes = TakeLog(store)
    take_id, path = takes.begin("p1")
    wav(path, 2.0)  # the recorder wrote the audio before the disk filled
    filler = fill(tiny_disk)
    assert takes.recorded(take_id, 2.0, path, None) == WAITING
    assert takes.scored(take_id, make_report(n_words=400)) == WAITING
    assert store.get(take_id).status == "recording"
    assert takes.flush() == 0 and "not saved" in (takes.unsaved_line() or "")
    filler.unlink()  # space returns
    assert takes.flush() == 2 and takes.unsaved_line() is None
    take = store.get(take_id)
    assert take.status == "scored" and take.overall == 70 and take.message is None
    store.close()


# --- item 5: SIGTERM and SIGHUP under a pseudo-terminal ----------------------------------------


def read_until(fd: int, done, timeout: float) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done(out):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def take_status(db: Path) -> tuple[str, str | None] | None:
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT status, message FROM takes ORDER BY id DESC").fetchone()
    except sqlite3.Error:
        row = None
    con.close()
    return row


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_mid_take_closes_it_and_restores_the_terminal(tmp_path: Path, sig) -> None:
    """Before: the take was left for the next start's recovery, and SIGTERM left the
    terminal in the alternate screen with mouse tracking on."""
    if subprocess.run(["pactl", "info"], capture_output=True).returncode != 0:
        pytest.skip("no PulseAudio server for the microphone (scripts/virtual-mic.sh)")
    env = {**os.environ, "VOICECOACH_DATA_DIR": str(tmp_path / "data"),
           "VOICECOACH_CONFIG_DIR": str(tmp_path / "config"), "TERM": "xterm-256color",
           "COLUMNS": "120", "LINES": "40"}
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "voicecoach"], stdin=slave, stdout=slave,
                            stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    db = tmp_path / "data" / "voicecoach.sqlite3"
    try:
        read_until(master, lambda out: b"prompts" in out, 30)  # Home is drawn
        os.write(master, b"r")  # a random prompt
        read_until(master, lambda out: b"record" in out, 10)
        time.sleep(0.5)
        os.write(master, b"r")  # record
        deadline = time.monotonic() + 20
        while (take_status(db) or ("",))[0] != "recording" and time.monotonic() < deadline:
            read_until(master, lambda out: False, 0.2)
        assert take_status(db) is not None, "the take never started"
        recordings = tmp_path / "data" / "recordings"
        deadline = time.monotonic() + 20  # PulseAudio may take ~2 s to deliver audio
        while time.monotonic() < deadline and not any(
                p.stat().st_size > 44 + 32000 for p in recordings.glob("*.partial")):
            read_until(master, lambda out: False, 0.2)
        assert list(recordings.glob("*.partial")), "no audio reached the disk"
        proc.send_signal(sig)
        tail = read_until(master, lambda out: proc.poll() is not None and b"\x1b[?1049l" in out,
                          20)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert code == 128 + sig
    assert b"\x1b[?1049l" in tail  # back from the alternate screen
    assert b"\x1b[?1000l" in tail  # mouse tracking off
    status, message = take_status(db)
    assert status == "recorded" and message == "stopped when voicecoach was closed"


# --- item 9: private files ---------------------------------------------------------------------


def test_logs_exports_screenshots_and_export_output_are_private(tmp_path, monkeypatch):
    from voicecoach.private import private_dir, write_private
    from voicecoach.tui.terminal import stderr_to_log

    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)  # as an older version left it
    os.chmod(logs, 0o755)
    with stderr_to_log(logs / "stderr.log"):
        pass
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    assert stat.S_IMODE((logs / "stderr.log").stat().st_mode) == 0o600
    out = write_private(private_dir(tmp_path / "exports", tighten=True) / "t.html", "<p>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700

    # `voicecoach export -o` with a umask of 022
    data = tmp_path / "data"
    with Store(data / "voicecoach.sqlite3") as store:
        take = store.add_take(wav(store.new_recording_path()), prompt_id="p1")
        store.save_report(take.id, make_report())
    env = {**os.environ, "VOICECOACH_DATA_DIR": str(data),
           "VOICECOACH_CONFIG_DIR": str(tmp_path / "config")}
    target = tmp_path / "take.md"
    done = subprocess.run(["sh", "-c", f'umask 022; "{sys.executable}" -m voicecoach export '
                           f'{take.id} -o "{target}"'], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.asyncio
async def test_a_screenshot_is_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "data"))
    with Store(tmp_path / "data" / "voicecoach.sqlite3") as store:
        app = create_app(Settings(), store, microphone_source,
                         lambda s, p: (_ for _ in ()).throw(ModelError("none")), make_prompts())
        async with app.run_test(size=SIZE) as pilot:
            app.action_save_screenshot()
            await pilot.pause()
    [shot] = (tmp_path / "data" / "screenshots").iterdir()
    assert stat.S_IMODE(shot.stat().st_mode) == 0o600
    assert stat.S_IMODE(shot.parent.stat().st_mode) == 0o700




@pytest.mark.asyncio
async def test_a_read_only_data_directory_opens_the_app_for_browsing(
        read_only_mount: Path) -> None:  # noqa: F811 - the fixture
    with Store(read_only_mount / "voicecoach.sqlite3") as store:
        app = create_app(Settings(), store, microphone_source,
                         lambda s, p: (_ for _ in ()).throw(ModelError("none")), make_prompts())
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: any(t.startswith("read-only: new takes cannot be "
                                                           "saved") for t in toasts(app)),
                           what="the read-only notice")
            assert app.last_scores() == {"p1": 70}  # history is there
            await start_take(pilot, app)
            await wait_for(pilot, lambda: "read-only" in text_of(app, "#rec-warning"),
                           what="why recording is not possible")
