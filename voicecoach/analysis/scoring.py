"""The scorer: runs every analyzer over a report and writes scores and findings into it.

    score_report(report, prompt=None, rules=None)

fills `report.scores` ({overall, structure, delivery, fillers, flow}, integers 0-100),
`report.findings` (every point taken off, most costly first), extends `report.fillers`
with context-checked and acoustic fillers (keeping `metrics.filler_count` and
`fillers_per_min` consistent with that list), and puts the analyzers' details into
`report.extra` (structure, flow, pacing, filler_stats, coverage, strengths,
marks, score_breakdown). Pure: no audio, no model, no I/O. Idempotent: scoring a
report again (e.g. once the prompt is known) gives the same fillers, no duplicates.
"""

from __future__ import annotations

from dataclasses import replace

from voicecoach.analysis.acoustic import acoustic_fillers
from voicecoach.analysis.consistency import fault_keys, missed_topics, reconcile
from voicecoach.analysis.coverage import analyze_coverage, key_point_hits, shown_elements
from voicecoach.analysis.filler_score import analyze_fillers
from voicecoach.analysis.fillers import crutch_openers, lexical_fillers
from voicecoach.analysis.flow import analyze_flow
from voicecoach.analysis.outcome import Outcome, clamp
from voicecoach.analysis.pacing import analyze_pacing
from voicecoach.analysis.prosody import prosody_findings
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.structure import analyze_structure
from voicecoach.analysis.text import Transcript, build_transcript
from voicecoach.prompts import Prompt
from voicecoach.report import SCORE_NAMES, Filler, Finding, Report

JUDGED_ON_LENGTH = ("structure", "content")  # not scored below the minimum answer
MAJOR_IMPACT = 3.0  # a finding costing this many overall points is "major"


def score_report(report: Report, prompt: Prompt | None = None,
                 rules: ScoringRules | None = None) -> None:
    rules = rules or ScoringRules()
    tr = build_transcript(report.words)

    fillers = _all_fillers(report, tr, rules)
    report.fillers = fillers
    m = report.metrics
    m.filler_count = len(fillers)
    m.fillers_per_min = len(fillers) / m.speaking_span_s * 60 if m.speaking_span_s > 0 else 0.0

    category = prompt.category if prompt else None
    # Key points first: one touched in the answer's own words shows its structure
    # element too, so "+ Retraining triggers from monitoring" never sits beside
    # "Nothing on monitoring".
    hits = key_point_hits(tr, prompt) if prompt is not None else []
    structure = analyze_structure(tr, rules, category, shown_elements(hits))
    discourse = [(f.start, f.end) for f in fillers if f.kind == "discourse"]
    discourse_tokens = frozenset(
        i for i, t in enumerate(tr.tokens) if discourse
        and any(start <= t.start and t.end <= end for start, end in discourse))
    flow = analyze_flow(tr, rules, structure.details["signpost_tokens"],
                        structure.details["framing_token"], discourse_tokens)
    delivery = analyze_pacing(tr, report.pauses, m, rules)
    filler_outcome = analyze_fillers(fillers, m.word_count, m.speaking_span_s, rules,
                                     report.words)
    crutch = crutch_openers(tr, rules.crutch_min_count, rules.crutch_min_share)
    if crutch:
        word, idx = crutch
        filler_outcome.take(5, "crutch-opener", "fillers",
                            f"{len(idx)} of {len(tr.sentences)} sentences start with "
                            f"\"{word}\".",
                            "Start sentences with the point itself, or with a signpost.",
                            tr.tokens[idx[0]].start, tr.tokens[idx[-1]].end)
    outcomes: dict[str, Outcome] = {"structure": structure, "flow": flow,
                                    "delivery": delivery, "fillers": filler_outcome}
    if prompt is not None:
        outcomes["content"] = analyze_coverage(tr, prompt, rules,
                                               structure.details["add_at"], hits)
    marks = sorted((mark for o in outcomes.values() for mark in o.marks),
                   key=lambda mark: mark["start"])
    too_short = too_short_to_judge(m.word_count, m.speaking_span_s, rules)
    if too_short:
        # The shape of an answer needs an answer: no structure or content verdict (and
        # no praise either) on a few sentences, and no overall that pretends to one.
        for name in JUDGED_ON_LENGTH:
            outcomes.pop(name, None)
        report.extra["not_judged"] = too_short

    _reconcile(outcomes)
    scores = {name: o.score for name, o in outcomes.items()}
    weights = {k: w for k, w in rules.overall_weights.items() if k in outcomes}
    total_w = sum(weights.values()) or 1.0
    if not too_short:
        scores["overall"] = clamp(sum(scores[k] * w for k, w in weights.items()) / total_w)
    report.scores = {k: scores[k] for k in SCORE_NAMES if k in scores}

    ranked: list[tuple[float, Finding]] = []
    breakdown: dict[str, list[dict[str, object]]] = {}
    for name, o in outcomes.items():
        share = weights.get(name, 0.0) / total_w
        for d in o.deductions:
            impact = d.points * share
            severity = "major" if impact >= MAJOR_IMPACT else "minor"
            ranked.append((impact, replace(d.finding, severity=severity)))
            breakdown.setdefault(name, []).append(
                {"finding": d.finding.id, "points": round(d.points, 1),
                 "overall_points": round(impact, 2)})
    ranked.sort(key=lambda p: -p[0])
    # How it sounded (analysis/prosody.py): faults to hear, no points (no score for it).
    voice = prosody_findings(report.extra.get("prosody"))
    report.findings = [f for _, f in ranked] + voice + [n for o in outcomes.values()
                                                        for n in o.notes]

    extra = {
        "structure": structure.details,
        "flow": flow.details,
        "pacing": delivery.details,
        "filler_stats": filler_outcome.details,
        "strengths": [s.as_dict() for o in outcomes.values() for s in o.strengths],
        "marks": marks,  # signposts and hedges are marked in the transcript either way
        "score_breakdown": {
            "weights": {k: round(w / total_w, 3) for k, w in weights.items()},
            "deductions": breakdown,
        },
    }
    if "content" in outcomes:
        extra["coverage"] = outcomes["content"].details
    if prompt is not None:
        extra["prompt"] = {"id": prompt.id, "text": prompt.text, "category": prompt.category}
    report.extra.update(extra)


def _reconcile(outcomes: dict[str, Outcome]) -> None:
    """Drop every praise a deduction contradicts (analysis/consistency.py)."""
    content = outcomes.get("content")
    missed = missed_topics(content.details.get("key_points", [])) if content else []
    faults = fault_keys([d.finding.id for o in outcomes.values() for d in o.deductions],
                        missed)
    for o in outcomes.values():
        o.strengths = reconcile(o.strengths, faults)


def too_short_to_judge(words: int, span_s: float, rules: ScoringRules) -> str | None:
    """Why an answer is too short for a structure verdict, or None when it is not."""
    if words >= rules.min_judged_words and span_s >= rules.min_judged_s:
        return None
    return (f"Too short to judge structure and content: {words} words over {span_s:.0f} s "
            f"(a judged answer has at least {rules.min_judged_words} words and "
            f"{rules.min_judged_s:.0f} s).")


def _all_fillers(report: Report, tr: Transcript, rules: ScoringRules) -> list[Filler]:
    """The pipeline's filled pauses, plus discourse fillers, repetitions, crutch openers
    and acoustic candidates; one entry per stretch of time and kind."""
    found = list(report.fillers) + lexical_fillers(tr, rules)
    crutch = crutch_openers(tr, rules.crutch_min_count, rules.crutch_min_share)
    if crutch:
        for i in crutch[1]:
            t = tr.tokens[i]
            found.append(Filler(tr.words[t.word].text, t.start, t.end, "discourse"))
    if rules.acoustic_fillers:
        found += acoustic_fillers(report.words, report.speech, rules, known=found,
                                  islands=report.islands)
    unique: dict[tuple[float, float], Filler] = {}
    for f in found:
        unique.setdefault((round(f.start, 2), round(f.end, 2)), f)
    return sorted(unique.values(), key=lambda f: (f.start, f.end))
