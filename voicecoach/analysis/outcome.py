"""What each analyzer hands the scorer: deductions that each carry their finding.

A score is 100 minus its deductions, and every deduction is a Finding the user sees,
so no point is ever taken off without an explanation (docs/scoring.md, "Scores").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicecoach.report import Finding
from voicecoach.timefmt import clock


@dataclass(frozen=True)
class Strength:
    id: str
    category: str
    message: str
    start: float | None = None
    evidence: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "category": self.category, "message": self.message,
                "start": None if self.start is None else round(self.start, 3),
                "evidence": self.evidence}


@dataclass
class Deduction:
    points: float
    finding: Finding


@dataclass
class Outcome:
    deductions: list[Deduction] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # explanations worth 0 points
    strengths: list[Strength] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # Spans to highlight in a transcript view: {kind: hedge|signpost, start, end, text}.
    marks: list[dict[str, Any]] = field(default_factory=list)

    def mark(self, kind: str, start: float, end: float, text: str) -> None:
        self.marks.append({"kind": kind, "start": round(start, 3), "end": round(end, 3),
                           "text": text})

    def take(self, points: float, id: str, category: str, message: str, tip: str,
             start: float | None = None, end: float | None = None, evidence: str = "") -> None:
        if points <= 0:
            self.note(id, category, message, tip, start, end, evidence)
            return
        self.deductions.append(Deduction(points, Finding(
            id, category, "minor", message, tip, start, end, words_only(evidence))))

    def note(self, id: str, category: str, message: str, tip: str = "",
             start: float | None = None, end: float | None = None, evidence: str = "") -> None:
        self.notes.append(Finding(id, category, "info", message, tip, start, end,
                                  words_only(evidence)))

    def praise(self, id: str, category: str, message: str, start: float | None = None,
               evidence: str = "") -> None:
        self.strengths.append(Strength(id, category, message, start, words_only(evidence)))

    @property
    def score(self) -> int:
        return clamp(100 - sum(d.points for d in self.deductions))


def clamp(value: float) -> int:
    return int(max(0, min(100, round(value))))


def also_at(times: list[float], limit: int = 3) -> str:
    """"; also at 0:41, 1:02" for the other places a one-per-rule finding happened."""
    if not times:
        return ""
    return "; also at " + ", ".join(clock(t) for t in times[:limit])


def densest(times: list[float], window_s: float = 20.0) -> int:
    """The index of the time with the most others within `window_s` after it (the
    earliest on a tie): where a repeated fault is clearest to hear."""
    return max(range(len(times)),
               key=lambda i: (sum(1 for t in times if times[i] <= t < times[i] + window_s), -i))


def quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


_QUOTES = str.maketrans("", "", "\"\u201c\u201d")


def words_only(evidence: str) -> str:
    """Evidence is the words heard, shown inside quotes by every view: no quote marks of
    its own (they nested), no doubled spaces."""
    return " ".join(evidence.translate(_QUOTES).split())
