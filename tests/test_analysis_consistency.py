"""Consistency by construction: no praise beside a fault that contradicts it."""

from __future__ import annotations

from tools.synthetic import report_from_text
from tools.validate.judgments import judgment_problems, text_judgments
from tools.validate.pairs import SNIPPET_RULES
from voicecoach.analysis.consistency import CONFLICTS, contradictions, fault_keys
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.scoring import score_report
from voicecoach.analysis.structure import PRAISE
from voicecoach.prompts import get_prompt


def test_every_structure_praise_names_its_contradicting_faults():
    assert set(PRAISE) <= set(CONFLICTS)


def test_missed_key_point_cancels_the_matching_praise():
    # "clarify" is praised by structure (a real question), but the prompt's clarify key
    # point (cost of false positives) is missed: the praise goes, the fix stays.
    report = report_from_text("Is this real time or batch? We train a boosted tree on the "
                              "transactions and deploy it behind an API with a cache.",
                              prompt_id="design-fraud-detection")
    score_report(report, get_prompt("design-fraud-detection"),
                 ScoringRules().with_overrides(SNIPPET_RULES))
    praised = [s["id"] for s in report.extra["strengths"]]
    assert "clarify" not in praised and "key-points" not in praised
    assert "missed-key-points" in {f.id for f in report.findings}


def test_judgment_set_has_no_contradiction_and_little_false_praise():
    judged = text_judgments()
    assert len(judged) >= 60
    assert judgment_problems(judged) == []
    assert all(contradictions(sorted(j.praised), fault_keys(sorted(j.faulted), [])) == []
               for j in judged)
