"""Re-scoring from stored audio: old reports stay until the new ones are complete."""

from __future__ import annotations

import pytest
from history_seed import DAYS, SEED_SETTINGS, add_scored, days_ago, scored_takes

from voicecoach.cli import main
from voicecoach.config import Settings
from voicecoach.report import Report
from voicecoach.rescore import rescorable, rescore
from voicecoach.store.db import DB_NAME, Store

pytestmark = pytest.mark.slow  # transcribes real audio


def stale(report: Report) -> Report:
    """The report as an older model and older rules would have left it."""
    old = Report.from_dict(report.to_dict())
    old.engine_model = "tiny-2023"
    old.scores = {"overall": 1, "structure": 1, "delivery": 1, "fillers": 1, "flow": 1}
    old.findings = []
    return old


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / DB_NAME)
    takes = scored_takes()
    for i, name in enumerate(("weak", "jfk")):
        take = add_scored(store, takes[name], days_ago(DAYS - i))
        store.save_report(take.id, stale(take.report))
    yield store
    store.close()


def test_old_report_kept_until_the_new_one_is_complete(store, faster_engine):
    takes = store.takes(order_by="created_at", descending=False)
    seen_during: list[int | None] = []

    def progress(fraction: float, message: str) -> None:
        if "(1/2): transcribed" in message:  # mid-way through the first take
            seen_during.append(store.get(takes[0].id).overall)

    outcomes = rescore(store, takes, faster_engine, SEED_SETTINGS, progress)
    assert seen_during and set(seen_during) == {1}
    assert [o.ok for o in outcomes] == [True, True]
    weak = scored_takes()["weak"].report
    after = store.get(takes[0].id)
    assert after.model == "tiny.en" and after.report.scores == weak.scores
    assert [f.id for f in after.report.findings] == [f.id for f in weak.findings]
    assert outcomes[0].before == 1 and outcomes[0].after == weak.scores["overall"]


def test_missing_audio_or_a_crash_keeps_the_old_report(store, faster_engine):
    first, second = store.takes(order_by="created_at", descending=False)
    first.audio_path.unlink()

    class Crashing:
        name, model = faster_engine.name, faster_engine.model

        def transcribe(self, samples, offset=0.0):
            raise RuntimeError("power cut")

    outcomes = rescore(store, [first], faster_engine, Settings())
    assert not outcomes[0].ok and "missing" in outcomes[0].error
    kept = store.get(first.id)
    assert kept.status == "scored" and kept.overall == 1 and "missing" in kept.message
    with pytest.raises(RuntimeError):
        rescore(store, [second], Crashing(), Settings())
    assert store.get(second.id).overall == 1 and store.get(second.id).model == "tiny-2023"


def test_stale_selection_and_cli(store, monkeypatch, capsys):
    assert len(rescorable(store, "faster-whisper", "tiny.en")) == 2
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(store.root))
    take = store.takes()[0]
    assert main(["rescore", str(take.id)]) == 0
    out = capsys.readouterr().out
    assert f"take {take.id}: overall 1 -> " in out
    assert store.get(take.id).model == "tiny.en"
    assert len(rescorable(store, "faster-whisper", "tiny.en")) == 1
    assert main(["rescore"]) == 2
