"""Comparing two real scored takes of one prompt: score and metric deltas, findings."""

from __future__ import annotations

import pytest
from history_seed import scored_takes

from voicecoach.compare import Delta, compare, finding_changes
from voicecoach.report import Finding, Report

pytestmark = pytest.mark.slow  # transcribes three clips once per session


@pytest.fixture(scope="module")
def weak_strong() -> tuple[Report, Report]:
    takes = scored_takes()
    return takes["weak"].report, takes["strong"].report


def test_score_deltas_follow_the_reports(weak_strong):
    weak, strong = weak_strong
    c = compare(weak, strong)
    assert c.same_prompt
    by_name = {d.name: d for d in c.scores}
    assert list(by_name)[:5] == ["overall", "structure", "delivery", "fillers", "flow"]
    for name, d in by_name.items():
        assert d.before == weak.scores[name] and d.after == strong.scores[name]
        assert d.delta == strong.scores[name] - weak.scores[name]
        assert d.improved is (None if d.delta == 0 else d.delta > 0)
    assert by_name["overall"].improved  # the structured answer scores higher


def test_metric_deltas_know_which_way_is_better(weak_strong):
    weak, strong = weak_strong
    m = {d.name: d for d in compare(weak, strong).metrics}
    assert m["long pauses"].before == weak.metrics.pause_count == 2
    assert m["long pauses"].after == strong.metrics.pause_count == 0
    assert m["long pauses"].improved is True
    assert m["longest pause"].improved is True
    assert m["words"].improved is None  # more words is not better in itself
    # 103 wpm (below the band) -> 137 wpm (inside it): better
    assert m["wpm"].before < 120 <= m["wpm"].after <= 175
    assert m["wpm"].improved is True
    assert m["key points"].after > m["key points"].before


def test_findings_that_disappeared_and_appeared(weak_strong):
    weak, strong = weak_strong
    c = compare(weak, strong)
    weak_ids = {f.id for f in weak.findings}
    strong_ids = {f.id for f in strong.findings}
    assert {f.id for f in c.disappeared} == weak_ids - strong_ids
    assert {f.id for f in c.appeared} == strong_ids - weak_ids
    assert {a.id for a, _ in c.kept} == weak_ids & strong_ids
    assert "hedging" in {f.id for f in c.disappeared}  # "I guess", "maybe", ...
    back = compare(strong, weak)
    assert {f.id for f in back.appeared} == {f.id for f in c.disappeared}


def test_repeated_findings_pair_up_by_count():
    def finding(fid: str, at: float) -> Finding:
        return Finding(fid, "flow", "minor", fid, "", at, at + 1)

    before = [finding("run-on", 1), finding("run-on", 5), finding("hedging", 2)]
    after = [finding("run-on", 3)]
    rb = type("R", (), {"findings": before})
    ra = type("R", (), {"findings": after})
    appeared, disappeared, kept = finding_changes(rb, ra)  # type: ignore[arg-type]
    assert appeared == []
    assert [(f.id, f.start) for f in disappeared] == [("run-on", 5), ("hedging", 2)]
    assert [(a.start, b.start) for a, b in kept] == [(1, 3)]


def test_delta_band_and_missing_values():
    assert Delta("wpm", 200, 180, band=(120, 175)).improved is True
    assert Delta("wpm", 150, 160, band=(120, 175)).improved is None  # both inside
    assert Delta("wpm", 130, 190, band=(120, 175)).improved is False
    assert Delta("overall", None, 70).delta is None
    assert Delta("overall", None, 70).improved is None
