"""Your usual: a take's delivery against the median of your own recent takes.

A fixed band says little about one speaker ("be honest about thin data"): after
MIN_TAKES scored takes, pace, fillers per minute, long pauses per minute and pitch
variation are also shown against the user's own median over the last RECENT scored
takes ("12 % faster than your usual 141 wpm"). With fewer, the comparison says how
many more takes it needs instead of guessing. The median, not the mean: one take
recorded in a noisy room should not move "usual".

Pure functions over Reports, plus `baseline_for`, which reads the store (no Textual).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from voicecoach.report import Report

MIN_TAKES = 5  # the "after >= 5 takes": fewer medians swing with one take
RECENT = 20  # the usual is the median of this many latest scored takes
SAME_PCT = 5.0  # within this many percent of the usual is "about your usual"


@dataclass(frozen=True)
class BaselineMetric:
    name: str
    label: str
    unit: str
    digits: int
    more: str  # a higher value, said of the take
    less: str
    value: Callable[[Report], float | None]


def _pauses_per_min(r: Report) -> float | None:
    span = r.metrics.speaking_span_s
    return r.metrics.pause_count / span * 60 if span > 0 else None


def pitch_sd(r: Report) -> float | None:
    """The take's pitch variation in semitones (None: a take without prosody)."""
    prosody = (r.extra or {}).get("prosody") or {}
    value = (prosody.get("pitch") or {}).get("sd_st")
    return None if value is None else float(value)


METRICS: tuple[BaselineMetric, ...] = (
    BaselineMetric("wpm", "pace", " wpm", 0, "faster", "slower",
                   lambda r: r.metrics.wpm if r.metrics.word_count else None),
    BaselineMetric("fillers_per_min", "fillers", "/min", 1, "more", "fewer",
                   lambda r: r.metrics.fillers_per_min if r.metrics.word_count else None),
    BaselineMetric("pauses_per_min", "long pauses", "/min", 1, "more", "fewer",
                   _pauses_per_min),
    BaselineMetric("pitch_sd_st", "pitch", " semitones", 1, "livelier",
                   "flatter", pitch_sd),
)


@dataclass(frozen=True)
class Usual:
    metric: BaselineMetric
    takes: int  # takes with a value for this metric
    median: float | None  # None until MIN_TAKES of them

    @property
    def needed(self) -> int:
        return max(0, MIN_TAKES - self.takes)


@dataclass(frozen=True)
class Comparison:
    metric: BaselineMetric
    now: float
    usual: float

    @property
    def percent(self) -> float | None:
        return None if self.usual == 0 else (self.now - self.usual) / self.usual * 100

    @property
    def text(self) -> str:
        """"12 % faster than your usual 141 wpm"."""
        m = self.metric
        usual = f"{self.usual:.{m.digits}f}{m.unit}"
        pct = self.percent
        if pct is None:
            return (f"{self.now:.{m.digits}f}{m.unit}, your usual is {usual}"
                    if self.now else f"as usual ({usual})")
        if abs(pct) < SAME_PCT:
            return f"about your usual {usual}"
        return f"{abs(pct):.0f} % {m.more if pct > 0 else m.less} than your usual {usual}"


@dataclass(frozen=True)
class Baseline:
    takes: int  # scored takes it was built from
    usual: tuple[Usual, ...]

    @property
    def needed(self) -> int:
        """Scored takes still missing before any comparison is shown."""
        return max(0, MIN_TAKES - self.takes)

    def compare(self, report: Report) -> list[Comparison]:
        out = []
        for u in self.usual:
            now = u.metric.value(report)
            if u.median is not None and now is not None:
                out.append(Comparison(u.metric, now, u.median))
        return out

    def waiting(self) -> list[Usual]:
        """Metrics with too few takes yet (older takes have no pitch measure)."""
        return [u for u in self.usual if u.median is None]

    def summary(self) -> str:
        """One line for when there is nothing to compare yet."""
        n = self.needed
        if n:
            return (f"Your usual needs {n} more scored take{'s' if n > 1 else ''} "
                    f"({self.takes} of {MIN_TAKES} so far).")
        return ""


def build_baseline(reports: Iterable[Report]) -> Baseline:
    """The usual of each metric over `reports` (the latest RECENT scored takes)."""
    reports = list(reports)
    usual = []
    for m in METRICS:
        values = [v for v in (m.value(r) for r in reports) if v is not None]
        usual.append(Usual(m, len(values), median(values) if len(values) >= MIN_TAKES
                           else None))
    return Baseline(len(reports), tuple(usual))


def usual_value(values: Sequence[float]) -> float | None:
    """The usual of a series (oldest first): the median of its last RECENT values,
    once there are MIN_TAKES of them. Progress charts draw it as a line."""
    recent = list(values)[-RECENT:]
    return median(recent) if len(recent) >= MIN_TAKES else None


def baseline_for(store: Any, exclude: Any = None) -> Baseline:
    """The user's baseline from the store's latest scored takes, without take `exclude`
    (the take being compared). Reads at most RECENT + 1 reports."""
    takes = store.takes(scored_only=True, limit=RECENT + 1)
    reports = []
    for take in takes:
        if take.id == exclude:
            continue
        report = take.report
        if report is not None:
            reports.append(report)
    return build_baseline(reports[:RECENT])
