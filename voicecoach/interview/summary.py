"""A mock interview's summary: each answer with its scores, why each follow-up was
asked, the original question's key points over the session, and what the follow-ups
fixed. One dict shape for the TUI summary, `voicecoach history --sessions` and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicecoach.interview.gaps import coverage_of, fixed_between, session_gaps
from voicecoach.prompts import FOLLOW_UP_SEP, Prompt, PromptError
from voicecoach.report import Report


@dataclass
class Answer:
    """One answer of a session as the summary needs it."""

    turn: int
    take_id: Any
    question: str
    report: Report | None  # None: not scored (failed, or still scoring)
    follow_up_id: str | None = None
    reason: str | None = None


def question_text(prompt: Prompt, follow_up_id: str | None) -> str:
    if follow_up_id is None:
        return prompt.text
    try:
        return prompt.follow_up(follow_up_id).text
    except PromptError:  # a follow-up since removed from the bank
        return f"{prompt.id}{FOLLOW_UP_SEP}{follow_up_id}"


def summarize(prompt: Prompt, answers: list[Answer]) -> dict[str, Any]:
    scored = [a.report for a in answers if a.report is not None]
    first = answers[0].report if answers else None
    turns = []
    for a in answers:
        scores = dict(a.report.scores) if a.report is not None and a.report.scores else {}
        turns.append({"turn": a.turn, "take_id": a.take_id, "question": a.question,
                      "follow_up_id": a.follow_up_id, "reason": a.reason, "scores": scores,
                      "not_judged": (a.report.extra.get("not_judged")
                                     if a.report is not None else None)})
    # Each answer's coverage is read once for the session, once more for the first answer
    # on its own; without a scored first answer nothing is "before" the follow-ups.
    after = session_gaps(prompt, scored)
    before = session_gaps(prompt, scored[:1]) if first is not None and len(scored) > 1 else after
    return {
        "prompt_id": prompt.id,
        "question": prompt.text,
        "turns": turns,
        "coverage": coverage_of(prompt, after),
        "first_answer_coverage": coverage_of(prompt, before)["touched"],
        "fixed": fixed_between(prompt, before, after),
    }


def fixed_line(summary: dict[str, Any]) -> str:
    """"The follow-ups fixed: monitoring; Adversarial drift: ..." or what nothing fixed."""
    fixed = summary["fixed"]
    parts = [*fixed["elements"], *(kp[:1].lower() + kp[1:] for kp in fixed["key_points"])]
    if len(summary["turns"]) < 2:
        return "No follow-up was answered."
    if not parts:
        return "The follow-up answers added nothing the first answer lacked."
    return "The follow-ups fixed: " + "; ".join(parts) + "."


def touched_where(turn: int | None) -> str:
    """" (first answer)" or " (follow-up 2)": which answer first touched a key point."""
    if turn is None:
        return ""
    return " (first answer)" if turn == 0 else f" (follow-up {turn})"


def coverage_line(summary: dict[str, Any]) -> str:
    cov = summary["coverage"]
    return (f"Key points of the question: {summary['first_answer_coverage']} of {cov['total']} "
            f"after the first answer, {cov['touched']} of {cov['total']} over the session.")
