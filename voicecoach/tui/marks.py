"""Transcript marks: where fillers, hedges, signposts and long pauses happened.

Pure functions over a Report, so the result screen's inline marking is testable
without a terminal. Fillers and pauses come from the core pipeline; hedges and
signposts come from the scoring analysis when it has run (see `_scorer_marks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from voicecoach.report import Report

KINDS = ("filler", "hedge", "signpost", "pause")
STYLES = {
    "filler": "bold black on dark_orange",
    "hedge": "italic magenta",
    "signpost": "bold green underline",
    "pause": "bold cyan",
    "time": "dim",
}
# When a word is inside several marks, the one a user most needs to see wins.
PRIORITY = {"filler": 0, "hedge": 1, "signpost": 2}
EDGE_S = 0.02  # word times and mark times come from different passes; allow jitter


@dataclass(frozen=True)
class Mark:
    kind: str  # one of KINDS
    start: float
    end: float
    label: str = ""


def clock(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def collect_marks(report: Report, long_pause_s: float = 1.0,
                  language: list[Mark] | None = None) -> list[Mark]:
    """Every mark; `language` (hedges, signposts) is used when the report has none."""
    marks = [Mark("filler", f.start, f.end, f.kind) for f in report.fillers]
    marks += [Mark("pause", p.start, p.end, f"{p.duration:.1f}s")
              for p in report.pauses if p.duration >= long_pause_s]
    marks += _scorer_marks(report) or language or []
    return sorted(marks, key=lambda m: (m.start, m.end))


def _scorer_marks(report: Report) -> list[Mark]:
    """Hedges and signposts the scoring analysis found, from `report.extra`.

    Accepted shapes: `extra["marks"] = [{kind, start, end, text}]`, or per-kind lists
    `extra["hedges"]` / `extra["signposts"]` of {start, end, text}; both may also sit
    under `extra["language"]`.
    """
    found: list[Mark] = []
    sources: list[dict[str, Any]] = [report.extra or {}]
    nested = (report.extra or {}).get("language")
    if isinstance(nested, dict):
        sources.append(nested)
    for extra in sources:
        for item in extra.get("marks", []) or []:
            kind = str(item.get("kind", "")).rstrip("s")
            if kind in PRIORITY:
                found += _mark(kind, item)
        for key, kind in (("hedges", "hedge"), ("signposts", "signpost"), ("fillers", "filler")):
            value = extra.get(key)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        found += _mark(kind, item)
    return found


def _mark(kind: str, item: dict[str, Any]) -> list[Mark]:
    start, end = item.get("start"), item.get("end")
    if start is None:
        return []
    end = start if end is None else end
    return [Mark(kind, float(start), float(end), str(item.get("text", item.get("label", ""))))]


def word_kinds(report: Report, marks: list[Mark]) -> list[str | None]:
    """The mark kind shown on each word (or None)."""
    spans = [m for m in marks if m.kind in PRIORITY]
    kinds: list[str | None] = []
    for w in report.words:
        best: str | None = None
        for m in spans:
            if m.start - EDGE_S <= w.end and w.start <= m.end + EDGE_S:
                mid = (w.start + w.end) / 2
                overlap = min(w.end, m.end) - max(w.start, m.start)
                # A word touching a mark only at its edge (the "I" right after a
                # signpost "then") is not inside it.
                inside = m.start <= mid <= m.end or overlap > 0.5 * (w.end - w.start)
                if inside and (best is None or PRIORITY[m.kind] < PRIORITY[best]):
                    best = m.kind
        kinds.append(best)
    return kinds


def render_transcript(report: Report, long_pause_s: float = 1.0,
                      language: list[Mark] | None = None) -> Text:
    """The transcript with marks inline: fillers, hedges, signposts, `‖2.4s`, times."""
    marks = collect_marks(report, long_pause_s, language)
    pauses = [m for m in marks if m.kind == "pause"]
    kinds = word_kinds(report, marks)
    text = Text()
    p = 0
    for i, word in enumerate(report.words):
        shown_pause = False
        while p < len(pauses) and pauses[p].end <= word.start + 0.3:
            if i:  # a pause before the first word is think time, shown elsewhere
                text.append(" ")
                text.append(f"‖{pauses[p].label}", style=STYLES["pause"])
                shown_pause = True
            p += 1
        if i == 0 or shown_pause:
            if i:
                text.append("\n")
            text.append(f"[{clock(word.start)}] ", style=STYLES["time"])
        elif i:
            text.append(" ")
        kind = kinds[i]
        text.append(word.text, style=STYLES[kind] if kind else "")
    if not report.words:
        text.append("(no words recognised)", style="dim")
    return text


def legend() -> Text:
    text = Text()
    for label, kind in (("filler", "filler"), ("hedge", "hedge"), ("signpost", "signpost"),
                        ("‖ long pause", "pause")):
        if text:
            text.append("  ")
        text.append(label, style=STYLES[kind])
    return text


def counts(report: Report, long_pause_s: float = 1.0, language: list[Mark] | None = None
           ) -> dict[str, int]:
    marks = collect_marks(report, long_pause_s, language)
    return {k: sum(1 for m in marks if m.kind == k) for k in KINDS}
