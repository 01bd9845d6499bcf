"""Issue #12's done-when: the rambling answer, as text and as a spoken clip through
Whisper, gets no praise for clarifying or pausing, a lost-thread finding at 0:28,
three fixes that each point at a moment with a play key, and no contradiction."""

from __future__ import annotations

import pytest
from conftest import cached_answer

from tools.synthetic import report_from_text
from tools.validate.judgments import _parts, answers
from voicecoach.analysis.consistency import contradictions, fault_keys
from voicecoach.analysis.scoring import score_report
from voicecoach.prompts import get_prompt
from voicecoach.report import Report
from voicecoach.scorecard import top_fixes, where
from voicecoach.timefmt import clock

PROMPT = get_prompt("design-fraud-detection")
RAMBLING = next(a for a in answers() if a["id"] == "rambling-issue-12")["text"]


def check_rambling(report: Report, silence_at: float) -> None:
    praised = {s["id"] for s in report.extra["strengths"]}
    assert not praised & {"clarify", "deliberate-pauses", "tradeoffs", "key-points"}
    (lost,) = [f for f in report.findings if f.id == "lost-thread"]
    assert abs(lost.start - silence_at) < 0.6 and clock(lost.start) == "0:28"
    assert "sorry" in lost.evidence.lower() and '"' not in lost.evidence
    fixes = top_fixes(report.findings)
    assert len(fixes) == 3 and all(f.start is not None for f in fixes)
    assert all(not where(f).endswith(clock(f.start) + "-" + clock(f.start)) for f in
               report.findings if f.start is not None)  # no "0:20-0:20"
    assert {"no-clarifying", "depth-for-time", "missed-key-points"} <= \
        {f.id for f in report.findings}
    missed = [p["topic"] for p in report.extra["coverage"]["key_points"]
              if not p["touched"] and p["topic"]]
    faults = fault_keys([f.id for f in report.findings if f.severity != "info"], missed)
    assert contradictions(sorted(praised), faults) == []
    for f in report.findings:  # evidence quotes words, once, well formed
        assert '"' not in f.evidence and (not f.evidence or f.evidence not in f.message)


def test_rambling_answer_as_text():
    report = report_from_text(RAMBLING, prompt_id=PROMPT.id)
    score_report(report, PROMPT)
    silence = next(p for p in report.pauses if p.duration > 3)
    check_rambling(report, silence.start)
    repeats = [f for f in report.fillers if f.kind == "repetition"]
    assert [f.text.strip(", ").lower() for f in repeats] == ["we should"]


@pytest.mark.slow
def test_rambling_answer_spoken(faster_engine):
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file

    parts = _parts(RAMBLING)
    path, segments = cached_answer("rambling-issue-12", parts, wpm=150, lead_s=2.0)
    silence = next(s for s in segments if s.kind == "silence" and s.end - s.start >= 3)
    assert clock(silence.start) == "0:28"  # the clip is built like the answer
    report = score_file(path, faster_engine, Settings(), PROMPT)
    check_rambling(report, silence.start)
