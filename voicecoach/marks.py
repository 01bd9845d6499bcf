"""Transcript marks: where fillers, hedges, signposts and long pauses happened.

Pure functions over a Report, shared by the TUI's inline transcript and the exports.
Fillers and pauses come from the pipeline; hedges and signposts from the scoring
analysis (`report.extra["marks"]`).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach import model
from voicecoach.report import Report

KINDS = ("filler", "hedge", "signpost", "pause")
# When a word is inside several marks, the one a user most needs to see wins.
PRIORITY = {"filler": 0, "hedge": 1, "signpost": 2}
EDGE_S = 0.02  # word times and mark times come from different passes; allow jitter


@dataclass(frozen=True)
class Mark:
    kind: str  # one of KINDS
    start: float
    end: float
    label: str = ""


def collect_marks(report: Report, long_pause_s: float = 1.0) -> list[Mark]:
    """Every mark of the report, in time order."""
    marks = [Mark("filler", f.start, f.end, f.kind) for f in report.fillers]
    marks += [Mark("pause", p.start, p.end, f"{p.duration:.1f}s")
              for p in report.pauses if p.duration >= long_pause_s]
    for item in (report.extra or {}).get("marks", []) or []:
        if item.get("kind") in PRIORITY and item.get("start") is not None:
            end = item.get("end")
            marks.append(Mark(item["kind"], float(item["start"]),
                              float(item["start"] if end is None else end),
                              str(item.get("text", ""))))
    return sorted(marks, key=lambda m: (m.start, m.end))


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


UNSAID = model.UNSAID  # a filler heard in the audio where the transcript has no word


@dataclass(frozen=True)
class Token:
    """One piece of the transcript as every view shows it, in time order."""

    kind: str  # "line" (a paragraph starts), "word", "pause" or "unsaid" (UNSAID)
    text: str  # the word, the pause's "2.4s", UNSAID; "" for a line
    start: float
    end: float
    word: int | None = None  # index into report.words
    mark: str | None = None  # a word's mark kind: filler, hedge, signpost


def transcript_tokens(report: Report, long_pause_s: float = 1.0) -> list[Token]:
    """Words with their marks, long pauses and untranscribed fillers between them; a
    new paragraph at the start and after each long pause. A pause before the first
    word is think time, shown elsewhere."""
    marks = collect_marks(report, long_pause_s)
    pauses = [m for m in marks if m.kind == "pause"]
    kinds = word_kinds(report, marks)
    unsaid = [f for f in report.fillers if f.kind == "acoustic" and not any(
        min(w.end, f.end) > max(w.start, f.start) for w in report.words)]
    out: list[Token] = []
    p = u = 0
    for i, word in enumerate(report.words):
        new_line = i == 0
        while p < len(pauses) and pauses[p].end <= word.start + 0.3:
            if i:
                out.append(Token("pause", pauses[p].label, pauses[p].start, pauses[p].end))
                new_line = True
            p += 1
        if new_line:
            out.append(Token("line", "", word.start, word.start))
        while u < len(unsaid) and unsaid[u].end <= word.start + EDGE_S:
            if i:
                out.append(Token("unsaid", UNSAID, unsaid[u].start, unsaid[u].end))
            u += 1
        out.append(Token("word", word.text.strip(), word.start, word.end, i, kinds[i]))
    return out


def counts(report: Report, long_pause_s: float = 1.0) -> dict[str, int]:
    marks = collect_marks(report, long_pause_s)
    return {k: sum(1 for m in marks if m.kind == k) for k in KINDS}
