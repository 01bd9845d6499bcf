"""What a mock interview's answers left out, judged over the whole session.

Every take is measured against the *original* question's key points (a follow-up's
answer counts toward them), re-read from its transcript so a take scored against a
follow-up's own, narrower key points still counts. Structure elements count as present
when any answer so far showed them; "it depends" counts when the latest answer left
one hanging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from voicecoach.analysis.coverage import analyze_coverage
from voicecoach.analysis.text import build_transcript
from voicecoach.prompts import Prompt
from voicecoach.report import Report

# Follow-up element (prompts.FOLLOW_UP_ELEMENTS) -> structure element of the scorer.
STRUCTURE_ELEMENT = {"clarify": "clarify", "data": "data_first", "constraints": "constraints",
                     "tradeoffs": "tradeoffs", "risks": "risks", "monitoring": "monitoring",
                     "outcome": "outcome", "learning": "learning"}

# "asked because ..." for an element no answer showed.
ELEMENT_GAP = {
    "clarify": "no clarifying question or stated assumption came up",
    "data": "the data never came up",
    "constraints": "no constraint (latency, cost, scale) was named",
    "tradeoffs": "no tradeoff was weighed",
    "risks": "no risk or failure mode came up",
    "monitoring": "monitoring never came up",
    "outcome": "the story had no measurable outcome",
    "learning": "no lesson learned came up",
}


@dataclass(frozen=True)
class Gaps:
    """What is still missing after some answers of one session."""

    missed_key_points: tuple[str, ...]  # ids of the original prompt's key points
    missing_elements: tuple[str, ...]  # follow-up element names (FOLLOW_UP_ELEMENTS)
    unresolved_depends: int = 0  # "it depends" left hanging in the latest answer
    touched_by: dict[str, int] = field(default_factory=dict)  # key point -> first answer


def key_points_touched(report: Report, prompt: Prompt) -> set[str]:
    """The original prompt's key points this answer touched, from its words."""
    if not report.words:
        return set()
    details = analyze_coverage(build_transcript(report.words), prompt).details
    return {kp["id"] for kp in details["key_points"] if kp["touched"]}


def elements_present(report: Report) -> set[str]:
    """Follow-up element names the scorer found in this answer."""
    found: dict[str, Any] = (report.extra.get("structure") or {}).get("elements", {})
    return {name for name, element in STRUCTURE_ELEMENT.items() if found.get(element)}


def elements_expected(report: Report) -> set[str]:
    """Follow-up element names the scorer expects of this kind of answer (a behavioral
    answer is not asked about monitoring)."""
    expected = (report.extra.get("structure") or {}).get("expected", [])
    return {name for name, element in STRUCTURE_ELEMENT.items() if element in expected}


def session_gaps(prompt: Prompt, reports: Sequence[Report]) -> Gaps:
    """Gaps after `reports` (the first answer, then follow-up answers, in order)."""
    touched_by: dict[str, int] = {}
    present: set[str] = set()
    expected: set[str] = set()
    for i, report in enumerate(reports):
        for kp in key_points_touched(report, prompt):
            touched_by.setdefault(kp, i)
        present |= elements_present(report)
        if i == 0:
            expected = elements_expected(report)
    missed = tuple(kp.id for kp in prompt.key_points if kp.id not in touched_by)
    missing = tuple(e for e in STRUCTURE_ELEMENT if e in expected and e not in present)
    depends = 0
    if reports:
        depends = int((reports[-1].extra.get("flow") or {}).get("unresolved_it_depends", 0))
    return Gaps(missed, missing, depends, touched_by)


def session_coverage(prompt: Prompt, reports: Sequence[Report]) -> dict[str, Any]:
    """The original question's key points over the session: which answer first touched
    each one, and the share touched (what the summary and exports show)."""
    return coverage_of(prompt, session_gaps(prompt, reports))


def coverage_of(prompt: Prompt, gaps: Gaps) -> dict[str, Any]:
    """session_coverage() from gaps already computed."""
    points = [{"id": kp.id, "label": kp.label, "touched_in": gaps.touched_by.get(kp.id)}
              for kp in prompt.key_points]
    total = len(points)
    touched = sum(p["touched_in"] is not None for p in points)
    return {"touched": touched, "total": total,
            "score": round(100 * touched / total) if total else 100, "key_points": points}


def fixed_by_follow_ups(prompt: Prompt, reports: Sequence[Report]) -> dict[str, list[str]]:
    """What the follow-up answers added that the first answer lacked: key point labels
    and element names ("what the follow-up fixed")."""
    if len(reports) < 2:
        return {"key_points": [], "elements": []}
    return fixed_between(prompt, session_gaps(prompt, reports[:1]),
                         session_gaps(prompt, reports))


def fixed_between(prompt: Prompt, before: Gaps, after: Gaps) -> dict[str, list[str]]:
    """fixed_by_follow_ups() from the gaps after the first answer and after them all."""
    labels = {kp.id: kp.label for kp in prompt.key_points}
    return {
        "key_points": [labels[k] for k in before.missed_key_points
                       if k not in after.missed_key_points],
        "elements": [e for e in before.missing_elements if e not in after.missing_elements],
    }
