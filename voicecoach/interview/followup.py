"""Which follow-up to ask: the one that targets the weakest part of the answers so far.

Deterministic and explained. Each unasked follow-up earns points for what it probes and
the session still lacks: a missed key point, a structure element no answer showed (its
weight in the structure score), and an "it depends" left hanging (for probes on
tradeoffs or constraints, which is what "it depends" owes). The highest total wins; a
tie goes to the follow-up listed first in the prompt file. When nothing it probes is
missing, the first unasked follow-up still goes deeper, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicecoach.analysis.rules import ScoringRules
from voicecoach.interview.gaps import ELEMENT_GAP, STRUCTURE_ELEMENT, Gaps
from voicecoach.prompts import FollowUp, Prompt

KEY_POINT_POINTS = 10.0  # a missed key point weighs like a 10-point structure element
DEPENDS_POINTS = 8.0  # the flow penalty of one unresolved "it depends"
DEPENDS_ELEMENTS = ("tradeoffs", "constraints")


@dataclass(frozen=True)
class Choice:
    follow_up: FollowUp
    reason: str  # "asked because monitoring never came up"
    points: float  # 0: nothing it probes was missing (a deeper probe)
    targets: tuple[str, ...]  # the missed key point ids and element names it targets

    def to_dict(self) -> dict[str, object]:
        return {"id": self.follow_up.id, "text": self.follow_up.text, "reason": self.reason,
                "points": self.points, "targets": list(self.targets)}


def choose_follow_up(prompt: Prompt, gaps: Gaps, asked: Sequence[str] = (),
                     rules: ScoringRules | None = None) -> Choice | None:
    """The follow-up to ask next, or None when every follow-up was asked."""
    weights = (rules or ScoringRules()).structure_weights
    candidates = [fu for fu in prompt.follow_ups if fu.id not in asked]
    if not candidates:
        return None
    labels = {kp.id: kp.label for kp in prompt.key_points}
    best: Choice | None = None
    for fu in candidates:
        kps = [k for k in fu.probes if k in gaps.missed_key_points]
        els = [e for e in fu.elements if e in gaps.missing_elements]
        depends = gaps.unresolved_depends > 0 and any(e in DEPENDS_ELEMENTS
                                                      for e in fu.elements)
        points = (KEY_POINT_POINTS * len(kps)
                  + sum(weights.get(STRUCTURE_ELEMENT[e], 10) for e in els)
                  + (DEPENDS_POINTS if depends else 0.0))
        if best is not None and points <= best.points:
            continue  # ties keep the earlier follow-up
        best = Choice(fu, _reason(els, [labels[k] for k in kps], depends, fu, labels),
                      points, (*kps, *els))
    assert best is not None
    return best


def _reason(elements: list[str], missed: list[str], depends: bool, fu: FollowUp,
            labels: dict[str, str]) -> str:
    parts = ["\"it depends\" was left without saying on what"] if depends else []
    parts += [ELEMENT_GAP[e] for e in elements]
    parts += [f"the answer never touched {_lower(label)}" for label in missed]
    if not parts:
        probed = [_lower(labels[k]) for k in fu.probes] or list(fu.elements)
        return f"asked to go deeper: the answer already covered {probed[0]}"
    return "asked because " + "; ".join(parts[:2]) + (
        f" (and {len(parts) - 2} more)" if len(parts) > 2 else "")


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]
