"""Two takes of one prompt side by side: score and metric deltas, findings that came and went.

Pure functions over Reports. "Before" is the older take; a delta is after - before,
and `improved` says whether that move is good (higher scores, fewer fillers, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicecoach.history import SCORE_NAMES
from voicecoach.report import Finding, Report

PACE_BAND = (120.0, 175.0)  # wpm; see docs/scoring.md. Inside the band is what counts.


@dataclass(frozen=True)
class Delta:
    name: str
    before: float | None
    after: float | None
    unit: str = ""
    digits: int = 0
    higher_is_better: bool | None = True  # None: neither direction is better in itself
    band: tuple[float, float] | None = None  # better when closer to this band

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def improved(self) -> bool | None:
        """True/False when the change is good/bad, None when unchanged or neutral."""
        d = self.delta
        if d is None or abs(d) < 10 ** -(self.digits + 1):
            return None
        if self.band is not None:
            before, after = _band_distance(self.before, self.band), _band_distance(
                self.after, self.band)
            return None if abs(before - after) < 1e-9 else after < before
        if self.higher_is_better is None:
            return None
        return (d > 0) == self.higher_is_better


@dataclass(frozen=True)
class Comparison:
    before: Report
    after: Report
    scores: list[Delta]
    metrics: list[Delta]
    appeared: list[Finding] = field(default_factory=list)  # in after only
    disappeared: list[Finding] = field(default_factory=list)  # in before only
    kept: list[tuple[Finding, Finding]] = field(default_factory=list)

    @property
    def same_prompt(self) -> bool:
        return self.before.prompt_id == self.after.prompt_id


def _band_distance(value: float | None, band: tuple[float, float]) -> float:
    if value is None:
        return 0.0
    low, high = band
    return max(low - value, 0.0, value - high)


def score_deltas(before: Report, after: Report) -> list[Delta]:
    b, a = before.scores or {}, after.scores or {}
    names = [n for n in SCORE_NAMES if n in a or n in b]
    names += sorted((set(a) | set(b)) - set(names))
    return [Delta(n, _num(b.get(n)), _num(a.get(n))) for n in names]


def metric_deltas(before: Report, after: Report,
                  pace_band: tuple[float, float] = PACE_BAND) -> list[Delta]:
    mb, ma = before.metrics, after.metrics
    out = [
        Delta("wpm", mb.wpm, ma.wpm, " wpm", 0, band=pace_band),
        Delta("fillers/min", mb.fillers_per_min, ma.fillers_per_min, "", 1, False),
        Delta("fillers", mb.filler_count, ma.filler_count, "", 0, False),
        Delta("long pauses", mb.pause_count, ma.pause_count, "", 0, False),
        Delta("longest pause", mb.longest_pause_s, ma.longest_pause_s, " s", 1, False),
        Delta("think time", mb.think_time_s, ma.think_time_s, " s", 1, None),
        Delta("words", mb.word_count, ma.word_count, "", 0, None),
        Delta("length", before.duration_s, after.duration_s, " s", 0, None),
    ]
    cb, ca = _coverage(before), _coverage(after)
    if cb is not None or ca is not None:
        out.append(Delta("key points", cb, ca, "%", 0, True))
    return out


def _coverage(report: Report) -> float | None:
    points = ((report.extra or {}).get("coverage") or {}).get("key_points") or []
    if not points:
        return None
    return 100.0 * sum(1 for k in points if k.get("touched")) / len(points)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def finding_changes(before: Report, after: Report
                    ) -> tuple[list[Finding], list[Finding], list[tuple[Finding, Finding]]]:
    """(appeared, disappeared, kept), matching findings by rule id.

    A rule can fire more than once in a take (three run-on sentences): the first n of
    each id pair up, the rest appeared or disappeared.
    """
    remaining: dict[str, list[Finding]] = {}
    for f in before.findings:
        remaining.setdefault(f.id, []).append(f)
    appeared: list[Finding] = []
    kept: list[tuple[Finding, Finding]] = []
    for f in after.findings:
        pool = remaining.get(f.id)
        if pool:
            kept.append((pool.pop(0), f))
        else:
            appeared.append(f)
    disappeared = [f for f in before.findings if any(f is g for g in
                                                      remaining.get(f.id, []))]
    return appeared, disappeared, kept


def compare(before: Report, after: Report,
            pace_band: tuple[float, float] = PACE_BAND) -> Comparison:
    appeared, disappeared, kept = finding_changes(before, after)
    return Comparison(before, after, score_deltas(before, after),
                      metric_deltas(before, after, pace_band), appeared, disappeared, kept)
