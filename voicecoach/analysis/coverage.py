"""Content coverage: which of a prompt's key points the answer touched, and depth
against the time the prompt allows.

A key point counts as touched when one of its phrases is found as whole words and the
sentence around it makes the point (voicecoach.analysis.keypoints: negation, and the
key point's `needs` words where a phrase alone is ambiguous). Each missed key point
with a structure topic (clarify, constraints, monitoring, ...) is reported as
`missed-key-point:<topic>` so the same element is never praised by the structure rules
(analysis/consistency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from voicecoach.analysis.keypoints import find_key_point
from voicecoach.analysis.outcome import Outcome, quote
from voicecoach.analysis.phrases import Match
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.prompts import KeyPoint, Prompt
from voicecoach.timefmt import clock

# Key point ids whose topic is a structure element: a miss contradicts that praise.
TOPIC_OF = {"clarify": "clarify", "objective": "clarify", "policy": "clarify",
            "latency": "constraints", "constraints": "constraints",
            "monitoring": "monitoring", "adaptation": "monitoring", "inputs": "monitoring",
            "tradeoff": "tradeoffs", "risk": "risks"}
# Key point ids whose touch shows the answer covered that element, finer points
# included: a retraining trigger from monitoring is monitoring, though missing it alone
# does not deny that the answer covered monitoring. So a point listed as touched is
# never beside "Nothing on monitoring" (analysis/structure.py takes these as present).
# Not clarify: that element is an act (asking, stating an assumption) and naming the
# cost of a false positive is content, not a question about the problem.
SHOWS = {**{k: v for k, v in TOPIC_OF.items() if v != "clarify"},
         "triggers": "monitoring", "alerts": "monitoring",
         "outputs": "monitoring", "distribution": "monitoring", "system": "monitoring",
         "serving": "constraints", "cost-latency": "constraints", "cost": "constraints",
         "safety": "risks", "complexity": "risks"}

Hits = list[tuple[KeyPoint, Match | None]]


def key_point_hits(tr: Transcript, prompt: Prompt) -> Hits:
    """Each key point of the prompt, with where the answer first makes it (or None)."""
    return [(kp, find_key_point(tr, kp, prompt)) for kp in prompt.key_points]


def shown_elements(hits: Hits) -> dict[str, Match]:
    """Structure elements a touched key point shows, at the first such point."""
    shown: dict[str, Match] = {}
    for kp, hit in sorted(((kp, h) for kp, h in hits if h is not None),
                          key=lambda pair: pair[1].first):
        if kp.id in SHOWS:
            shown.setdefault(SHOWS[kp.id], hit)
    return shown


@dataclass
class CoverageContext:
    tr: Transcript
    prompt: Prompt
    rules: ScoringRules
    # Per structure element, the sentence index it would be added at and where that is
    # in words (structure's details["add_at"]); without it, open points go before the
    # close.
    add_at: dict[str, tuple[int, str]] = field(default_factory=dict)
    hits: Hits | None = None  # key_point_hits, when the scorer has them already
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missed(self) -> list[dict[str, Any]]:
        return [p for p in self.points if not p["touched"]]

    @property
    def span_s(self) -> float:
        w = self.tr.words
        return w[-1].end - w[0].start if w else 0.0

    def close(self) -> tuple[float | None, float | None, str]:
        """The last sentence: where to add what is still open, before the close."""
        return self._sentence(-1)

    def place(self, topic: str | None) -> tuple[str, tuple[float | None, float | None, str]]:
        """Where a missed point of this topic belongs: the sentence structure would add
        that element at, so both findings point at one moment; else before the close."""
        if topic in self.add_at:
            index, where = self.add_at[topic]
            return where, self._sentence(index)
        return "before the end", self.close()

    def _sentence(self, index: int) -> tuple[float | None, float | None, str]:
        if not self.tr.sentences:
            return None, None, ""
        s = self.tr.sentences[index]
        return s.start, s.end, quote(self.tr.span_text(s.first, min(s.last, s.first + 12)))


def match_points(c: CoverageContext, out: Outcome) -> None:
    for kp, hit in c.hits if c.hits is not None else key_point_hits(c.tr, c.prompt):
        c.points.append({
            "id": kp.id,
            "label": kp.label,
            "topic": TOPIC_OF.get(kp.id),
            "touched": hit is not None,
            "start": round(c.tr.tokens[hit.first].start, 3) if hit else None,
            "evidence": quote(c.tr.span_text(max(0, hit.first - 3),
                                             min(len(c.tr.tokens) - 1, hit.last + 3)))
            if hit else "",
        })


def missed_points(c: CoverageContext, out: Outcome) -> None:
    total, missed = len(c.points), c.missed
    if not missed:
        if total:
            first = min(p["start"] for p in c.points)
            out.praise("key-points", "content", f"Covered all {total} key points", first)
        return
    shown = "; ".join(p["label"] for p in missed[:2])
    more = f"; and {len(missed) - 2} more" if len(missed) > 2 else ""
    first = missed[0]
    where, (start, end, said) = c.place(first["topic"])
    tip = f"Next take, cover it {where}: {first['label'].lower()}."
    out.take(100 * len(missed) / total, "missed-key-points", "content",
             f"Missed {len(missed)} of {total} key points: {shown}{more}.",
             tip, start, end, said)


def depth_for_time(c: CoverageContext, out: Outcome) -> None:
    """Far shorter than the time allowed with points still open; or past the time."""
    allowed, span = c.prompt.answer_s, c.span_s
    if span > allowed * (1 + c.rules.over_time_slack):
        t = c.tr.words[0].start + allowed
        out.take(10, "over-time", "content",
                 f"Ran {clock(span)}, past the {clock(allowed)} the prompt allows.",
                 "Cut detail from the easy parts (tools, tuning) and keep the judgment: "
                 "tradeoffs, risks, monitoring. Close with a one-sentence summary.",
                 t, t + 3.0, _words_at(c.tr, t))
        return
    missed = c.missed
    if span >= c.rules.depth_short_frac * allowed or not missed:
        return
    start, end, said = c.close()
    open_points = "; ".join(p["label"] for p in missed)
    out.take(min(15, 5 * len(missed)), "depth-for-time", "content",
             f"Used {clock(span)} of the {clock(allowed)} allowed, with {len(missed)} key "
             f"point{'s' if len(missed) > 1 else ''} still open: {open_points}.",
             "You had time left: before you close, add the open points, one or two "
             "sentences each.", start, end, said)


COVERAGE_RULES: tuple[Callable[[CoverageContext, Outcome], None], ...] = (
    match_points, missed_points, depth_for_time)


def analyze_coverage(tr: Transcript, prompt: Prompt, rules: ScoringRules | None = None,
                     add_at: dict[str, tuple[int, str]] | None = None,
                     hits: Hits | None = None) -> Outcome:
    out = Outcome()
    c = CoverageContext(tr, prompt, rules or ScoringRules(), add_at or {}, hits)
    for rule in COVERAGE_RULES:
        rule(c, out)
    total, touched = len(c.points), sum(p["touched"] for p in c.points)
    out.details = {"prompt_id": prompt.id, "touched": touched, "total": total,
                   "score": round(100 * touched / total) if total else 100,
                   "answer_s": prompt.answer_s, "span_s": round(c.span_s, 1),
                   "key_points": c.points}
    return out


def _words_at(tr: Transcript, t: float, n: int = 10) -> str:
    said = [w.text for w in tr.words if w.start >= t - 0.5][:n]
    return quote(" ".join(said))
