"""Pace and pauses as a listener hears them.

Pace is judged against a band, not a number (Read.ai targets 130-175 wpm; Orai moved
from a fixed 120-145 band to a content-dependent one): overall, and in sliding windows
so a rushed minute is not hidden by a slow one. Each pace finding points at the
stretch that shows it best (the most extreme window). Pauses are sorted by where they
fall (analysis/pauses.py).
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.analysis.outcome import Outcome
from voicecoach.analysis.pauses import analyze_pauses
from voicecoach.analysis.pauses import classify_pause as classify_pause  # re-exported
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.audio.vad import Span
from voicecoach.report import Metrics

MIN_SPAN_FOR_PACE_S = 20.0  # shorter answers are too short for a stable rate


def windowed_wpm(tr: Transcript, window_s: float, hop_s: float) -> list[tuple[float, float]]:
    """(window start, wpm) for windows fully inside the speaking span."""
    if not tr.words:
        return []
    start, end = tr.words[0].start, tr.words[-1].end
    mids = sorted((w.start + w.end) / 2 for w in tr.words)
    out = []
    t = start
    while t + window_s <= end + 1e-6:
        count = bisect_left(mids, t + window_s) - bisect_left(mids, t)
        out.append((t, count / window_s * 60))
        t += hop_s
    return out


@dataclass
class PaceContext:
    tr: Transcript
    rules: ScoringRules
    metrics: Metrics
    windows: list[tuple[float, float]]
    cv: float

    def extreme(self, fast: bool | None = None) -> tuple[float, float] | None:
        """The window furthest from the band's middle (or the fastest / slowest)."""
        if not self.windows:
            return None
        if fast is None:
            mid = (self.rules.pace_min_wpm + self.rules.pace_max_wpm) / 2
            return max(self.windows, key=lambda w: abs(w[1] - mid))
        return (max if fast else min)(self.windows, key=lambda w: w[1])

    def take_at(self, out: Outcome, window: tuple[float, float] | None, points: float,
                id: str, message: str, tip: str) -> None:
        if window is None:
            out.take(points, id, "pacing", message, tip)
        else:
            out.take(points, id, "pacing", message, tip, window[0],
                     window[0] + self.rules.pace_window_s)


def pace_band(c: PaceContext, out: Outcome) -> None:
    lo, hi, wpm = c.rules.pace_min_wpm, c.rules.pace_max_wpm, c.metrics.wpm
    if lo <= wpm <= hi:
        out.praise("pace-in-band", "pacing", f"Pace in the band ({wpm:.0f} wpm)")
        return
    fast = wpm > hi
    edge = hi if fast else lo
    c.take_at(out, c.extreme(fast), min(20, round(100 * abs(wpm - edge) / edge)),
              "pace-fast" if fast else "pace-slow",
              f"Pace {wpm:.0f} wpm is {'above' if fast else 'below'} the {lo}-{hi} wpm band.",
              "Slow down at the key points and let the pauses work." if fast else
              "Keep going between ideas; long searches mid-sentence pull the pace down.")


def pace_windows(c: PaceContext, out: Outcome) -> None:
    lo, hi, slack = c.rules.pace_min_wpm, c.rules.pace_max_wpm, c.rules.pace_window_slack
    off = [(t, r) for t, r in c.windows if r > hi * (1 + slack) or r < lo * (1 - slack)]
    if not off or len(c.windows) < 2:
        return
    t, r = max(off, key=lambda w: abs(w[1] - (hi + lo) / 2))
    c.take_at(out, (t, r), min(10, 3 * len(off)), "pace-window",
              f"{len(off)} of {len(c.windows)} {c.rules.pace_window_s:.0f}-second stretches "
              f"outside the band; the most extreme ran at {r:.0f} wpm.",
              "Listen back to this stretch: keep the pace steady through the hard part.")


def pace_uneven(c: PaceContext, out: Outcome) -> None:
    if c.cv > c.rules.pace_cv_max:
        c.take_at(out, c.extreme(), 5, "pace-uneven",
                  f"Pace swings a lot between stretches (variation {c.cv:.0%}).",
                  "Aim for an even pace; use pauses, not speed changes, for emphasis.")


def rushing(c: PaceContext, out: Outcome) -> None:
    if c.metrics.articulation_wpm > c.rules.articulation_max_wpm:
        c.take_at(out, c.extreme(True), 5, "rushing",
                  f"Words come fast while speaking ({c.metrics.articulation_wpm:.0f} wpm "
                  "between pauses).",
                  "Say fewer words per breath; rushing sounds nervous even with pauses.")


PACE_RULES: tuple[Callable[[PaceContext, Outcome], None], ...] = (
    pace_band, pace_windows, pace_uneven, rushing)


def analyze_pacing(tr: Transcript, pauses: list[Span], metrics: Metrics,
                   rules: ScoringRules) -> Outcome:
    out = Outcome()
    windows = windowed_wpm(tr, rules.pace_window_s, rules.pace_hop_s)
    rates = [r for _, r in windows]
    cv = statistics.pstdev(rates) / statistics.mean(rates) if len(rates) >= 3 and \
        statistics.mean(rates) > 0 else 0.0
    if metrics.speaking_span_s >= MIN_SPAN_FOR_PACE_S and tr.words:
        c = PaceContext(tr, rules, metrics, windows, cv)
        for rule in PACE_RULES:
            rule(c, out)
    p = analyze_pauses(tr, pauses, metrics, rules, out)
    out.details = {
        "band_wpm": [rules.pace_min_wpm, rules.pace_max_wpm],
        "wpm": round(metrics.wpm, 1),
        "articulation_wpm": round(metrics.articulation_wpm, 1),
        "windows": [{"start": round(t, 2), "wpm": round(r, 1)} for t, r in windows],
        "variation": round(cv, 3),
        "think_time_s": round(metrics.think_time_s, 2),
        "pauses": {k: len(v) for k, v in p.kinds.items()},
        "hesitations": _timed(p.counted("hesitation")),
        "lost_thread": _timed(p.counted("lost_thread")),
    }
    return out


def _timed(pauses: list[Span]) -> list[dict[str, float]]:
    return [{"start": round(s.start, 2), "duration_s": round(s.duration, 2)} for s in pauses]
