"""The fillers score: how often, and how clustered.

Rate anchors: Laske et al. (2024) found no measurable listener penalty up to about
5 fillers per minute, with harm building toward about 12; Read.ai flags more than 4%
of words. Bursts (several fillers within a few seconds) are what a listener hears as
floundering, so each one costs on top of the rate.
"""

from __future__ import annotations

from voicecoach.analysis.fillers import Burst, bursts
from voicecoach.analysis.outcome import Outcome, also_at, densest, quote
from voicecoach.analysis.rules import ScoringRules
from voicecoach.model import UNSAID, Word
from voicecoach.report import Filler

MIN_RATE_SPAN_S = 30.0  # one "um" in a 10 s answer is not 6 per minute


def curve(points: tuple[tuple[float, float], ...], x: float) -> float:
    """Piecewise-linear interpolation through (x, y) anchors, flat outside them."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def label(f: Filler) -> str:
    return UNSAID if f.kind == "acoustic" else f.text.strip(" ,.?!").lower()


def _per_minute(rate: float, span_s: float) -> str:
    """The scored rate, saying so when a short answer was counted over the minimum
    span (the delivery panel shows the raw rate, which would otherwise disagree)."""
    if span_s >= MIN_RATE_SPAN_S:
        return f"{rate:.1f} per minute"
    return f"{rate:.1f} per minute, counting the {span_s:.0f} s answer as {MIN_RATE_SPAN_S:.0f} s"


def analyze_fillers(fillers: list[Filler], word_count: int, span_s: float,
                    rules: ScoringRules, words: list[Word] = ()) -> Outcome:
    out = Outcome()
    count = len(fillers)
    minutes = max(span_s, MIN_RATE_SPAN_S) / 60
    rate = count / minutes if minutes else 0.0
    share = count / word_count if word_count else 0.0
    rate_points = 100 - curve(rules.filler_curve, rate)
    counts: dict[str, int] = {}
    for f in fillers:
        counts[label(f)] = counts.get(label(f), 0) + 1
    top = ", ".join(f"\"{w}\" x{c}" for w, c in sorted(counts.items(), key=lambda kv: -kv[1])[:4])
    acoustic = sum(1 for f in fillers if f.kind == "acoustic")
    heard = f"; {acoustic} heard in the audio but not transcribed" if acoustic else ""
    found = bursts(fillers, rules.burst_window_s, rules.burst_min)
    worst = max(found, key=lambda b: len(b.fillers)) if found else None
    if rate_points > 0 or share > rules.filler_word_share_max:
        # The clearest instance: the worst burst, else the densest stretch's first filler.
        a, b = _clearest(fillers, worst)
        out.take(round(rate_points), "filler-rate", "fillers",
                 f"{count} fillers, {_per_minute(rate, span_s)} ({share:.0%} of words; most: "
                 f"{top}){heard}.",
                 "Replace the filler with a silent pause: silence sounds like thinking, "
                 "\"um\" sounds like searching.",
                 a, b, "" if a is None else words_around(words, a, b))
    elif count <= 3 * minutes:
        out.praise("few-fillers", "fillers", f"Few fillers ({_per_minute(rate, span_s)})")
    if worst is not None:
        also = also_at([b.start for b in found if b is not worst])
        out.take(min(3 * rules.burst_points, rules.burst_points * len(found)), "filler-burst",
                 "fillers",
                 f"{len(worst.fillers)} fillers within {worst.end - worst.start:.0f} s"
                 f"{also}: this is where it sounded unsure.",
                 "At this point, stop and breathe instead of filling: then say the next "
                 "step as a signpost.",
                 worst.start, worst.end,
                 words_around(words, worst.start, worst.end)
                 or quote(", ".join(label(f) for f in worst.fillers)))
    out.details = {
        "count": count,
        "per_minute": round(rate, 2),
        "share_of_words": round(share, 4),
        "by_kind": {k: sum(1 for f in fillers if f.kind == k)
                    for k in ("filled_pause", "discourse", "repetition", "acoustic")},
        "bursts": [_burst_dict(b) for b in found],
    }
    return out


def _clearest(fillers: list[Filler], worst: Burst | None
              ) -> tuple[float | None, float | None]:
    if not fillers:
        return None, None
    if worst is not None:
        return worst.start, worst.end
    i = densest([f.start for f in fillers])
    return fillers[i].start, fillers[i].end


def words_around(words: list[Word], start: float, end: float, pad_s: float = 1.5,
                 limit: int = 16) -> str:
    """The words heard from a little before `start` to a little after `end`."""
    said = [w.text for w in words if w.end > start - pad_s and w.start < end + pad_s]
    return quote(" ".join(said[:limit]))


def _burst_dict(b: Burst) -> dict[str, object]:
    return {"start": round(b.start, 2), "end": round(b.end, 2), "count": len(b.fillers)}
