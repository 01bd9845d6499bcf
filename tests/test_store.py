"""The take store on real SQLite files: schema, migrations, damage, permissions, speed."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import ArraySource
from voicecoach.audio.takefile import partial_path_for, wav_header
from voicecoach.audio.vad import Span
from voicecoach.errors import StoreError
from voicecoach.report import Filler, Finding, Metrics, Report
from voicecoach.store.db import Store
from voicecoach.store.records import LOST, RECOVERED, REIMPORTED, REPORT_LOST
from voicecoach.store.schema import SCHEMA_VERSION

UTC = timezone.utc


def make_report(overall: int | None = 70, wpm: float = 150.0, n_words: int = 40,
                prompt_id: str | None = "p1", fillers_per_min: float = 2.0) -> Report:
    words = [Word(f"word{i}", i * 0.4, i * 0.4 + 0.3, 0.9) for i in range(n_words)]
    scores = None if overall is None else {"overall": overall, "structure": overall - 5,
                                           "delivery": overall + 5}
    return Report(
        audio_path="take.wav", duration_s=n_words * 0.4 + 1, engine_name="faster-whisper",
        engine_model="tiny.en", words=words, pauses=[Span(3.0, 4.2)],
        speech=[Span(0.0, 3.0), Span(4.2, n_words * 0.4)],
        fillers=[Filler("um", 1.0, 1.2, "filled_pause")],
        metrics=Metrics(word_count=n_words, speaking_span_s=n_words * 0.4, speech_s=14.0,
                        wpm=wpm, articulation_wpm=wpm + 10, pause_count=1,
                        longest_pause_s=1.2, think_time_s=0.5, filler_count=1,
                        fillers_per_min=fillers_per_min),
        prompt_id=prompt_id, scores=scores,
        findings=[Finding("filler", "fillers", "minor", "one um", "breathe", 1.0, 1.2, "um")],
        extra={"coverage": {"key_points": []}},
    )


def wav(path: Path, seconds: float = 1.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.zeros(int(seconds * SAMPLE_RATE), np.float32), SAMPLE_RATE,
             subtype="PCM_16")
    return path


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data" / "voicecoach.sqlite3")
    yield s
    s.close()


def test_takes_reports_and_lazy_loading(store):
    path = wav(store.new_recording_path())
    take = store.add_take(path, prompt_id="p1", duration_s=1.0)
    assert take.status == "recorded" and take.report is None and take.scores is None
    assert take.created_at.tzinfo is not None
    assert take.audio_path == path

    report = make_report(overall=72, wpm=151.5)
    store.save_report(take.id, report)
    [listed] = store.takes()
    assert not listed.report_loaded  # lists never parse report JSON
    assert listed.status == "scored" and listed.overall == 72
    assert listed.scores == {"overall": 72, "structure": 67, "delivery": 77}
    assert listed.wpm == 151.5 and listed.fillers_per_min == 2.0 and listed.word_count == 40
    assert (listed.engine, listed.model) == ("faster-whisper", "tiny.en")
    assert not listed.report_loaded
    assert listed.report.to_dict() == report.to_dict()  # loaded on access
    assert listed.report_loaded
    assert store.get(take.id).report.text == report.text


def test_failed_rescoring_keeps_the_old_report(store):
    take = store.add_take(wav(store.new_recording_path()), prompt_id="p1")
    store.mark_failed(take.id, "no speech found")
    assert store.get(take.id).status == "failed"
    store.save_report(take.id, make_report(overall=60))
    assert store.get(take.id).message is None
    store.mark_failed(take.id, "rescoring with base.en failed: model missing")
    again = store.get(take.id)
    assert again.status == "scored" and again.overall == 60
    assert again.message == "rescoring with base.en failed: model missing"
    store.save_report(take.id, make_report(overall=80))  # the new report replaces it
    assert store.get(take.id).overall == 80


def test_filters_order_and_categories(store):
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    drill = store.start_drill(["p1", "p2"], think_s=30, answer_s=120)
    specs = [("p1", 50, 0, None), ("p2", 90, 1, drill), ("p1", 70, 2, drill),
             ("p3", None, 3, None), (None, 65, 4, None)]
    ids = []
    for prompt, overall, day, drill_id in specs:
        take = store.add_take(wav(store.new_recording_path()), prompt_id=prompt,
                              drill_id=drill_id, created_at=base + timedelta(days=day))
        if overall is not None:
            store.save_report(take.id, make_report(overall=overall, prompt_id=prompt))
        ids.append(take.id)

    assert [t.id for t in store.takes()] == ids[::-1]  # newest first
    assert [t.id for t in store.takes(descending=False, limit=2)] == ids[:2]
    assert [t.id for t in store.takes(limit=2, offset=1)] == [ids[3], ids[2]]
    assert [t.id for t in store.takes(prompt_id="p1")] == [ids[2], ids[0]]
    assert [t.id for t in store.takes(drill_id=drill)] == [ids[2], ids[1]]
    assert [t.id for t in store.takes(since=base + timedelta(days=1),
                                      until=base + timedelta(days=3))] == [ids[2], ids[1]]
    # unscored takes come last whichever way scores are sorted
    assert [t.overall for t in store.takes(order_by="overall")] == [90, 70, 65, 50, None]
    assert [t.overall for t in store.takes(order_by="overall", descending=False)] == [
        50, 65, 70, 90, None]
    assert [t.id for t in store.takes(status="recorded")] == [ids[3]]
    assert len(store.takes(scored_only=True)) == 4
    with pytest.raises(ValueError):
        store.takes(order_by="overall; DROP TABLE takes")

    # categories: synced from the prompt bank, older takes re-labelled
    assert store.takes(category="ml-design") == []
    assert store.sync_prompts({"p1": "ml-design", "p2": "behavioral"}) == 3
    assert [t.id for t in store.takes(category="ml-design")] == [ids[2], ids[0]]
    new = store.add_take(wav(store.new_recording_path()), prompt_id="p2")
    assert new.category == "behavioral"
    assert store.categories() == ["behavioral", "ml-design"]

    assert store.last_overall_by_prompt() == {"p1": 70, "p2": 90}  # latest, not best
    # An answer too short to judge is scored with no overall: practiced, no score shown.
    short = store.add_take(wav(store.new_recording_path()), prompt_id="p2",
                           created_at=base + timedelta(days=5))
    store.save_report(short.id, make_report(overall=None, prompt_id="p2"))
    assert store.last_overall_by_prompt() == {"p1": 70, "p2": None}
    assert store.drill(drill).prompt_ids == ["p1", "p2"]
    store.finish_drill(drill)
    assert store.drill(drill).finished_at is not None
    assert [d.id for d in store.drills()] == [drill]


def test_delete_removes_the_audio(store):
    path = wav(store.new_recording_path())
    take = store.add_take(path)
    store.delete(take.id)
    assert not path.exists()
    with pytest.raises(StoreError, match="no take"):
        store.get(take.id)
    store.recover()
    assert store.takes() == []  # a deleted take does not come back


def test_files_and_directories_are_private(tmp_path, monkeypatch):
    data = tmp_path / "home" / "voicecoach"
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(data))
    with Store() as store:
        assert store.path == data / "voicecoach.sqlite3"
        out = store.new_recording_path()
        rec = Recorder(out, ArraySource(np.zeros(1600, np.float32), realtime=False))
        rec.start()
        while not rec.source_finished:
            time.sleep(0.01)
        store.add_take(rec.stop())
        files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm"), out]
        for f in files:
            assert f.exists(), f
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        for d in (data, store.recordings_dir()):
            assert stat.S_IMODE(d.stat().st_mode) == 0o700, d


def test_fresh_database_has_the_current_schema(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"takes_created", "takes_prompt", "takes_category", "takes_overall"} <= indexes
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM takes WHERE category = ? ORDER BY created_at DESC",
        ("x",)))
    assert "takes_category" in plan
    db.close()


def make_v1_database(path: Path, audio: Path) -> dict:
    """A database exactly as schema v1 wrote it."""
    report = make_report(overall=81, wpm=142.0, prompt_id="p9").to_dict()
    db = sqlite3.connect(path)
    db.executescript("""
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
        );
        PRAGMA user_version = 1;
    """)
    db.execute("INSERT INTO takes VALUES (1, 'p9', '2024-05-01T10:00:00.000000+00:00', 17.0,"
               " ?, 'scored', ?, 'faster-whisper', 'tiny.en')",
               ("recordings/old.wav", json.dumps(report)))
    db.execute("INSERT INTO takes VALUES (2, NULL, '2024-05-02T10:00:00.000000+00:00', 3.0,"
               " ?, 'recorded', NULL, '', '')", (str(audio),))
    db.commit()
    db.close()
    return report


def test_upgrade_from_v1_keeps_every_take(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    elsewhere = wav(tmp_path / "elsewhere" / "two.wav")
    report = make_v1_database(path, elsewhere)
    with Store(path) as store:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
        old, other = store.takes(descending=False)
        assert old.overall == 81 and old.wpm == 142.0 and old.scores["structure"] == 76
        assert old.audio_path == tmp_path / "recordings" / "old.wav"
        assert old.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert old.report.to_dict() == report
        assert other.status == "recorded" and other.audio_path == elsewhere
        assert other.overall is None and other.drill_id is None
        assert store.takes(order_by="overall")[0].id == 1
        assert store.last_overall_by_prompt() == {"p9": 81}
        store.sync_prompts({"p9": "ml-design"})
        assert [t.id for t in store.takes(category="ml-design")] == [1]
        store.start_drill(["p9"], 10, 60)  # the v2 tables exist
    with Store(path) as again:  # opening an upgraded database changes nothing
        assert len(again.takes()) == 2


def test_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="newer voicecoach") as err:
        Store(path)
    assert "\n" not in str(err.value)
    assert path.exists() and not list(tmp_path.glob("*.bak"))


def test_damaged_database_is_repaired_as_it_opens_and_recordings_come_back(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        kept = store.add_take(wav(store.new_recording_path(), 2.0), prompt_id="p1",
                              category="ml-design")
        audio = kept.audio_path
    path.write_bytes(b"this is no database " * 500)  # e.g. a sync tool wrote over it

    with Store(path) as fresh:  # the first start after the damage works
        message = fresh.notice
        assert message and "\n" not in message
        assert message.startswith("voicecoach.sqlite3 was damaged")
        [bak] = tmp_path.glob("voicecoach.sqlite3.*.bak")
        assert bak.name in message and bak.read_bytes().startswith(b"this is no database")
        assert audio.exists() and fresh.takes() == []
        [back] = fresh.recover()  # the recording comes back, linked to its prompt again
        assert back.audio_path == audio and back.duration_s == pytest.approx(2.0)
        assert back.message == REIMPORTED and back.status == "recorded"
        assert (back.prompt_id, back.category) == ("p1", "ml-design")
        assert back.created_at == kept.created_at


def test_damage_inside_the_file_is_found_and_readable_takes_are_salvaged(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        for i in range(300):
            store.save_report(store.add_take(tmp_path / f"{i}.wav", prompt_id="p1").id,
                              make_report(n_words=60, overall=50 + i % 40))
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(4 * page, len(data) - page, 7 * page):  # smash pages, keep page 1
        data[offset:offset + page] = b"\xa5" * page
    path.write_bytes(bytes(data))

    # The header is intact, but opening walks each table's tree: the damage shows at
    # once, and the first start repairs the file, keeping what is readable.
    with Store(path) as repaired:
        message = repaired.notice
    print(message)
    assert message and "\n" not in message and "is kept as voicecoach.sqlite3." in message
    saved = int(message.split("salvaged ")[1].split()[0])
    with Store(path) as fresh:
        takes = fresh.takes()
        assert len(takes) == saved and 0 < saved < 300
        assert fresh.check() == "ok"
        for take in takes:  # salvaged rows are whole: scores and reports agree, or a
            if take.report is None:  # report lost with its page is said and scored again
                assert take.status == "recorded" and take.message == REPORT_LOST
            else:
                assert take.overall == take.report.scores["overall"]


def test_recover_after_a_crash(store):
    # 1. voicecoach died while recording: a partial with audio and a "recording" row
    crashed = store.begin_take(prompt_id="p1")
    assert crashed.status == "recording"
    partial = partial_path_for(crashed.audio_path)
    pcm = (np.sin(np.arange(2 * SAMPLE_RATE) / 9) * 8000).astype("<i2").tobytes()
    partial.write_bytes(wav_header(0) + pcm)
    # 2. died before any audio reached the disk
    lost = store.begin_take(prompt_id="p2")
    # 3. died after the recording finished but before the take was saved
    orphan = wav(store.new_recording_path(), 1.5)
    # 4. a recording in progress in another voicecoach: left alone
    live = store.begin_take(prompt_id="p3")
    rec = Recorder(live.audio_path, ArraySource(np.zeros(10 * SAMPLE_RATE, np.float32)))
    rec.start()
    # 5. died while scoring
    scoring = store.add_take(wav(store.new_recording_path()), status="scoring")

    try:
        recovered = store.recover()
        assert {t.id for t in recovered} == {crashed.id} | {
            t.id for t in recovered if t.audio_path == orphan}
        assert len(recovered) == 2
        first = store.get(crashed.id)
        assert first.status == "recorded" and first.message == RECOVERED
        assert first.duration_s == pytest.approx(2.0)
        assert sf.info(str(first.audio_path)).duration == pytest.approx(2.0)
        assert store.get(lost.id).status == "failed" and store.get(lost.id).message == LOST
        assert store.get(live.id).status == "recording"
        assert store.get(scoring.id).status == "recorded"
        assert store.recover() == []  # idempotent
    finally:
        path = rec.stop()
    assert store.finish_take(live.id, rec.elapsed_s, audio_path=path).status == "recorded"


KILLED_APP = """
import sys, time
from pathlib import Path
from voicecoach.audio.recorder import Recorder
from voicecoach.audio.sources import FileSource
from voicecoach.store.db import Store
store = Store(Path(sys.argv[1]))
take = store.begin_take(prompt_id="p1")
rec = Recorder(take.audio_path, FileSource(sys.argv[2], realtime=True))
rec.start()
print(take.id, flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_take_killed_mid_recording_is_back_on_the_next_start(tmp_path):
    from conftest import JFK

    path = tmp_path / "voicecoach.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_APP, str(path), str(JFK)],
                            stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert proc.stdout is not None
    take_id = int(proc.stdout.readline())
    t0 = time.monotonic()
    time.sleep(2.0)
    proc.kill()
    wall = time.monotonic() - t0
    proc.wait()
    with Store(path) as store:
        assert store.get(take_id).status == "recording"
        [take] = store.recover()
        assert take.id == take_id and take.status == "recorded" and take.message == RECOVERED
        assert take.prompt_id == "p1"
        assert wall - 1.0 <= take.duration_s <= wall + 0.05
        assert sf.info(str(take.audio_path)).duration == pytest.approx(take.duration_s)


@pytest.fixture
def tiny_disk(tmp_path):
    from conftest import small_tmpfs

    yield from small_tmpfs(tmp_path / "tiny", "512k")


def test_full_disk_is_a_one_line_error_and_keeps_the_audio(tiny_disk):
    store = Store(tiny_disk / "voicecoach.sqlite3")
    audio = wav(store.new_recording_path(), 2.0)
    saved = 0
    with pytest.raises(StoreError) as err:
        for _ in range(500):
            take = store.add_take(audio)
            store.save_report(take.id, make_report(n_words=400))
            saved += 1
    message = str(err.value)
    print(f"disk full after {saved} reports: {message}")
    assert "\n" not in message and message.startswith("disk full")
    assert audio.exists() and sf.info(str(audio)).duration == pytest.approx(2.0)
    assert len(store.takes()) >= saved  # what was committed is still there
    store.close()


@pytest.mark.slow
def test_history_of_2000_takes_lists_and_filters(tmp_path):
    path = tmp_path / "voicecoach.sqlite3"
    prompts = {f"p{i}": ("ml-design", "behavioral", "coding", "ml-theory")[i % 4]
               for i in range(40)}
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rng = np.random.default_rng(0)
    with Store(path) as store:
        store.sync_prompts(prompts)
        reports = [make_report(overall=int(o), wpm=float(w), n_words=300).to_dict()
                   for o, w in zip(rng.integers(30, 95, 20), rng.uniform(100, 190, 20))]
        # 2,000 takes with ~300-word reports, inserted through the public API
        for i in range(2000):
            take = store.add_take(tmp_path / f"r{i}.wav", prompt_id=f"p{i % 40}",
                                  duration_s=120.0, created_at=base + timedelta(hours=i))
            report = Report.from_dict(reports[i % 20])
            store.save_report(take.id, report)
    size_mb = path.stat().st_size / 1e6

    def best(fn, n=5):
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return min(times), result

    def open_and_list():
        with Store(path) as s:
            return s.takes()

    t_open, listed = best(open_and_list)
    assert len(listed) == 2000
    with Store(path) as store:
        t_cat, cat = best(lambda: store.takes(category="ml-design"))
        t_prompt, by_prompt = best(lambda: store.takes(prompt_id="p7"))
        t_range, ranged = best(lambda: store.takes(since=base + timedelta(days=30),
                                                   until=base + timedelta(days=40)))
        t_sort, _ = best(lambda: store.takes(order_by="overall", limit=50))
        t_last, last = best(lambda: store.last_overall_by_prompt())
    assert len(cat) == 500 and len(by_prompt) == 50 and len(ranged) == 240
    assert len(last) == 40
    print(f"db {size_mb:.1f} MB; open+list 2000: {t_open * 1e3:.1f} ms; category filter "
          f"(500 rows): {t_cat * 1e3:.1f} ms; prompt filter: {t_prompt * 1e3:.1f} ms; "
          f"date range: {t_range * 1e3:.1f} ms; top 50 by score: {t_sort * 1e3:.1f} ms; "
          f"last overall by prompt: {t_last * 1e3:.1f} ms")


def test_damage_found_while_reading_is_one_line_and_repaired_at_the_next_start(tmp_path):
    """A report's overflow page is not read when the database opens: the read that meets
    it fails in one line, and the next start checks every page and repairs the file."""
    path = tmp_path / "voicecoach.sqlite3"
    with Store(path) as store:
        for i in range(20):
            store.save_report(store.add_take(tmp_path / f"{i}.wav", prompt_id="p1").id,
                              make_report(n_words=300))
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page,) = db.execute("SELECT max(pageno) FROM dbstat WHERE name = 'takes' AND "
                         "pagetype = 'overflow'").fetchone()
    db.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * 4096: page * 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))

    store = Store(path)
    assert store.notice is None
    with pytest.raises(StoreError) as err:
        for take in store.takes():
            take.report  # noqa: B018 - reads every page
    assert "\n" not in str(err.value) and "restart voicecoach to repair it" in str(err.value)
    store.close()
    with Store(path) as repaired:
        assert repaired.notice and "salvaged 20 take(s)" in repaired.notice
        lost = [t for t in repaired.takes() if t.status == "recorded"]
        assert len(lost) == 1 and lost[0].message == REPORT_LOST
