"""What the result screen says: top tips, what went well, change since last take.

Pure functions over Reports (no Textual), shared by the result and drill screens and
the CLI's scorecard (the same top fixes in both front ends).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.config import Settings
from voicecoach.report import SCORE_NAMES as SCORE_ORDER
from voicecoach.report import Finding, Report

SEVERITY_RANK = {"major": 0, "minor": 1, "info": 2}
TOP_FIXES = 3


@dataclass(frozen=True)
class Tip:
    at: float | None  # seconds into the take
    severity: str
    category: str
    message: str
    tip: str
    evidence: str = ""
    end: float | None = None  # where the moment ends (the play key hears start..end)


@dataclass(frozen=True)
class Change:
    name: str
    before: float
    after: float
    better_when_higher: bool
    unit: str = ""

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def improved(self) -> bool | None:
        if abs(self.delta) < 1e-9:
            return None
        return (self.delta > 0) == self.better_when_higher


def top_fixes(findings: list[Finding], n: int = TOP_FIXES) -> list[Finding]:
    """The faults to fix first: most severe first, the scorer's order within a severity
    (its own priority). The one ranking: the TUI's tips and the CLI's scorecard."""
    faults = [f for f in findings if f.severity in ("major", "minor")]
    ranked = sorted(enumerate(faults), key=lambda p: (SEVERITY_RANK.get(p[1].severity, 3), p[0]))
    return [f for _, f in ranked[:n]]


def top_tips(report: Report, n: int = TOP_FIXES) -> list[Tip]:
    return [_tip(f) for f in top_fixes(report.findings, n)]


def _tip(f: Finding) -> Tip:
    return Tip(f.start, f.severity, f.category, f.message, f.tip, f.evidence, f.end)


def went_well(report: Report, settings: Settings) -> list[str]:
    """Strengths the scorer named, else what the numbers show plainly."""
    items: list[str] = []
    for s in (report.extra or {}).get("strengths", []) or []:
        message = s.get("message") if isinstance(s, dict) else str(s)
        if message:
            items.append(str(message))
    coverage = (report.extra or {}).get("coverage") or {}
    points = coverage.get("key_points", [])
    touched = [k.get("label", "") for k in points if k.get("touched")]
    # Not while key points are missed: a fix says so (no praise beside its fault).
    if touched and len(touched) == len(points) and \
            not any("key point" in i.lower() for i in items):
        items.append(f"Covered {len(touched)} key point(s): {touched[0]}"
                     + (" …" if len(touched) > 1 else ""))
    if not items:
        m = report.metrics
        if settings.pace_min_wpm <= m.wpm <= settings.pace_max_wpm:
            items.append(f"Pace {m.wpm:.0f} wpm, inside your "
                         f"{settings.pace_min_wpm}–{settings.pace_max_wpm} band")
        if m.word_count and m.fillers_per_min <= 5:
            items.append(f"Few fillers: {m.fillers_per_min:.1f} per minute")
        if m.word_count and m.longest_pause_s < 3:
            items.append("No long stalls: every pause under 3 s")
    return items


def changes(before: Report, after: Report) -> list[Change]:
    """Scores and delivery numbers that moved between two takes of a prompt."""
    out: list[Change] = []
    if before.scores and after.scores:
        for name in SCORE_ORDER:
            if name in before.scores and name in after.scores:
                out.append(Change(name, before.scores[name], after.scores[name], True))
    mb, ma = before.metrics, after.metrics
    out.append(Change("fillers/min", mb.fillers_per_min, ma.fillers_per_min, False))
    out.append(Change("longest pause", mb.longest_pause_s, ma.longest_pause_s, False, "s"))
    out.append(Change("words", mb.word_count, ma.word_count, True))
    return out


def pace_text(report: Report, settings: Settings) -> str:
    band = (report.extra or {}).get("pacing", {}).get("band_wpm") or (
        settings.pace_min_wpm, settings.pace_max_wpm)
    wpm = report.metrics.wpm
    where = "in band" if band[0] <= wpm <= band[1] else ("slow" if wpm < band[0] else "fast")
    return f"{wpm:.0f} wpm: {where} ({band[0]}–{band[1]})"  # fits the 80-column result
