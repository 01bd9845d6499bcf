"""Consistency by construction: an element is never both praised and faulted.

Each praise names the faults that contradict it. The scorer drops a praise when one
of them is among the answer's deductions (points taken), so "Clarified the problem"
never sits beside "missed: clarify the objective", and "paused between ideas" never
beside a lost thread. `contradictions` counts what is left (0 by construction); the
validation reports it on the labeled judgment set.
"""

from __future__ import annotations

from voicecoach.analysis.flow import DETOURS
from voicecoach.analysis.outcome import Strength

# A whole frame (why-how, principle) names limits and decides: an unweighed choice denies it.
_UNWEIGHED = frozenset({"no-tradeoffs", "no-risks", "unjustified-choice", "tool-list"})
# praise id -> finding ids that contradict it. Key points missed are "missed-key-point:
# <topic>" (analysis/coverage.py names the topic of each key point it can place).
CONFLICTS: dict[str, frozenset[str]] = {
    "framing": frozenset({"no-framing", "late-framing"}),
    "signposts": frozenset({"no-signposts", "no-signpost-stretch"}),
    "clarify": frozenset({"no-clarifying", "missed-key-point:clarify"}),
    "data_first": frozenset({"no-data", "model-before-data", "missed-key-point:data"}),
    "constraints": frozenset({"no-constraints", "missed-key-point:constraints"}),
    "tradeoffs": frozenset({"no-tradeoffs", "unjustified-choice", "tool-list",
                            "missed-key-point:tradeoffs"}),
    "risks": frozenset({"no-risks", "missed-key-point:risks"}),
    "monitoring": frozenset({"no-monitoring", "missed-key-point:monitoring"}),
    "summary": frozenset({"no-summary"}),
    "outcome": frozenset({"no-outcome"}),
    "learning": frozenset({"no-learning"}),
    "frame-why_how": _UNWEIGHED,
    "frame-principle": _UNWEIGHED,
    "structured-thinking": frozenset({*DETOURS, "no-framing", "no-signposts"}),
    "pace-in-band": frozenset({"pace-fast", "pace-slow", "pace-window", "pace-uneven",
                               "rushing"}),
    "deliberate-pauses": frozenset({"hesitation", "lost-thread", "long-silence",
                                    "long-start"}),
    "few-fillers": frozenset({"filler-rate", "filler-burst", "crutch-opener"}),
    "key-points": frozenset({"missed-key-points", "depth-for-time"}),
}


def missed_topics(key_points: list[dict]) -> list[str]:
    """The topics of the missed key points in a coverage section (`key_points`)."""
    return [p["topic"] for p in key_points if not p["touched"] and p.get("topic")]


def fault_keys(finding_ids: list[str], missed_topics: list[str]) -> set[str]:
    return set(finding_ids) | {f"missed-key-point:{t}" for t in missed_topics}


def reconcile(strengths: list[Strength], faults: set[str]) -> list[Strength]:
    """The praise that no fault contradicts."""
    return [s for s in strengths if not (CONFLICTS.get(s.id, frozenset()) & faults)]


def contradictions(strength_ids: list[str], faults: set[str]) -> list[tuple[str, str]]:
    """(praise, fault) pairs that contradict each other."""
    return [(s, f) for s in strength_ids for f in sorted(CONFLICTS.get(s, frozenset()) & faults)]
