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


def test_a_missed_point_is_fixed_where_it_belongs():
    """A missing question about the goal belongs where structure would add the missing
    clarifying question (before the first choice, else at the opening); any other open
    point before the close. Both findings point at one moment, and the tip says where."""
    body = ("The labels come from chargebacks, which arrive weeks late. "
            "Scoring must fit a latency budget of fifty milliseconds. "
            "Fraud is rare and the classes are imbalanced, so I would use precision and "
            "recall. Fraudsters adapt, so I would monitor drift and retrain weekly. "
            "If the model is down, a rules based fallback keeps payments flowing. "
            "That is my plan.")
    chose = body.replace("so I would use precision",
                         "so I would train a gradient boosted tree and use precision")
    for text, place, quoted in ((body, "at the start", "labels"),
                                (chose, "where the first choice is made", "fraud is rare")):
        no_question = report_from_text(text, prompt_id=PROMPT.id)
        score_report(no_question, PROMPT)
        (fix,) = [f for f in no_question.findings if f.id == "missed-key-points"]
        (element,) = [f for f in no_question.findings if f.id == "no-clarifying"]
        assert fix.start == element.start and quoted in fix.evidence.lower()
        assert fix.tip.startswith(f"Next take, cover it {place}: clarify the objective")
        assert element.message.endswith(f"Add it {place}.")
    assert fix.start > no_question.words[0].start + 5  # the choice is in sentence three

    asked = ("First I would ask what a false positive costs compared with a false negative. "
             + body.replace("Fraudsters adapt, so I would monitor drift and retrain weekly. ",
                            ""))
    no_monitoring = report_from_text(asked, prompt_id=PROMPT.id)
    score_report(no_monitoring, PROMPT)
    (fix,) = [f for f in no_monitoring.findings if f.id == "missed-key-points"]
    assert "Adversarial drift" in fix.message and "plan" in fix.evidence.lower()
    assert fix.start > no_monitoring.words[-1].start - 2 and fix.tip.startswith(
        "Next take, cover it before the end: adversarial drift")


def test_a_point_made_in_own_words_also_counts_for_its_structure_element():
    """The key point lists "+ Retraining triggers from monitoring" as touched: the same
    report must not also say "Nothing on monitoring" because the words were not the
    monitoring lexicon's. Without that sentence, the element is missing again."""
    prompt = get_prompt("drift-retraining-policy")
    trigger = ("When the live error climbs past a line we agreed on, that should kick "
               "off a new training run early. ")
    rest = ("For a pricing model I would retrain once a month as the default rhythm. "
            "Before the new version serves anyone, it runs next to the current one on "
            "real requests. If it still turns out worse after launch, we switch back to "
            "the old model within minutes. That is the whole policy in short.")
    both = report_from_text(trigger + rest, prompt_id=prompt.id)
    score_report(both, prompt)
    touched = {p["id"] for p in both.extra["coverage"]["key_points"] if p["touched"]}
    assert "triggers" in touched and both.extra["structure"]["elements"]["monitoring"]
    assert "no-monitoring" not in {f.id for f in both.findings}
    assert "monitoring" in {s["id"] for s in both.extra["strengths"]}

    without = report_from_text(rest, prompt_id=prompt.id)
    score_report(without, prompt)
    assert "triggers" not in {p["id"] for p in without.extra["coverage"]["key_points"]
                              if p["touched"]}
    assert "no-monitoring" in {f.id for f in without.findings}
