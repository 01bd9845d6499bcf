"""Pace and pauses as a listener hears them.

Pace is judged against a band, not a number (Read.ai targets 130-175 wpm; Orai moved
from a fixed 120-145 band to a content-dependent one): overall, and in sliding windows
so a rushed minute is not hidden by a slow one. Pauses are sorted by where they fall:
between ideas (after a full stop or before a signpost) they are deliberate and never
a fault; inside a phrase ("the ... model") they are hesitation.
"""

from __future__ import annotations

import statistics

from voicecoach.analysis.outcome import Outcome, also_at, quote
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.audio.vad import Span
from voicecoach.report import Metrics

# A pause right after one of these is inside a phrase: the speaker is searching.
_FUNCTION = """
a an the to of for with in on at by from into about as and or but nor so if than that
this these those my our your their its his her is are was were be been being am would
will can could should must might may do does did have has had i we you they it he she
very more most some any each every which who whose whom what where when how not no
because since like just also really
"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())
# A pause right before one of these opens a new idea: deliberate.
_OPENERS = """
first second third next then finally lastly so now after before also another one two
three the let okay right well to in for however but because since if once overall
"""
IDEA_OPENERS = frozenset(_OPENERS.split())

MIN_SPAN_FOR_PACE_S = 20.0  # shorter answers are too short for a stable rate


def classify_pause(tr: Transcript, pause: Span) -> tuple[str, int | None]:
    """'between_ideas' | 'clause' | 'hesitation', and the index of the word before it."""
    before = None
    for i, w in enumerate(tr.words):
        if w.end <= pause.start + 0.2:
            before = i
        else:
            break
    if before is None or before + 1 >= len(tr.words):
        return "between_ideas", before
    nxt = tr.words[before + 1].text.strip().lower().strip("\"'(")
    nxt = nxt.rstrip(",.?!;:")
    if tr.sentence_end[before]:
        return "between_ideas", before
    prev = tr.words[before].text.strip().lower().rstrip(",.?!;:")
    if tr.clause_end[before]:
        return ("between_ideas" if nxt in IDEA_OPENERS else "clause"), before
    if prev in FUNCTION_WORDS:
        return "hesitation", before
    if nxt in IDEA_OPENERS and nxt not in FUNCTION_WORDS:
        return "between_ideas", before
    return "hesitation", before


def windowed_wpm(tr: Transcript, window_s: float, hop_s: float) -> list[tuple[float, float]]:
    """(window start, wpm) for windows fully inside the speaking span."""
    if not tr.words:
        return []
    start, end = tr.words[0].start, tr.words[-1].end
    mids = [(w.start + w.end) / 2 for w in tr.words]
    out = []
    t = start
    while t + window_s <= end + 1e-6:
        count = sum(1 for m in mids if t <= m < t + window_s)
        out.append((t, count / window_s * 60))
        t += hop_s
    return out


def analyze_pacing(tr: Transcript, pauses: list[Span], metrics: Metrics,
                   rules: ScoringRules) -> Outcome:
    out = Outcome()
    lo, hi = rules.pace_min_wpm, rules.pace_max_wpm
    span_s = metrics.speaking_span_s
    wpm = metrics.wpm
    windows = windowed_wpm(tr, rules.pace_window_s, rules.pace_hop_s)
    rates = [r for _, r in windows]
    cv = statistics.pstdev(rates) / statistics.mean(rates) if len(rates) >= 3 and \
        statistics.mean(rates) > 0 else 0.0

    if span_s >= MIN_SPAN_FOR_PACE_S and tr.words:
        if wpm > hi or wpm < lo:
            edge = hi if wpm > hi else lo
            dev = abs(wpm - edge) / edge
            fast = wpm > hi
            out.take(min(20, round(100 * dev)), "pace-fast" if fast else "pace-slow",
                     "pacing",
                     f"Pace {wpm:.0f} wpm is {'above' if fast else 'below'} the "
                     f"{lo}-{hi} wpm band.",
                     "Slow down at the key points and let the pauses work." if fast else
                     "Keep going between ideas; long searches mid-sentence pull the pace "
                     "down.")
        else:
            out.praise("pace-in-band", "pacing", f"Pace in the band ({wpm:.0f} wpm)")
        off = [(t, r) for t, r in windows
               if r > hi * (1 + rules.pace_window_slack) or r < lo * (1 - rules.pace_window_slack)]
        if off and len(windows) >= 2:
            t, r = max(off, key=lambda tr_: abs(tr_[1] - (hi + lo) / 2))
            out.take(min(10, 3 * len(off)), "pace-window", "pacing",
                     f"{len(off)} of {len(windows)} {rules.pace_window_s:.0f}-second stretches "
                     f"outside the band; the most extreme ran at {r:.0f} wpm.",
                     "Listen back to this stretch: keep the pace steady through the hard part.",
                     t, t + rules.pace_window_s)
        if cv > rules.pace_cv_max:
            out.take(5, "pace-uneven", "pacing",
                     f"Pace swings a lot between stretches (variation {cv:.0%}).",
                     "Aim for an even pace; use pauses, not speed changes, for emphasis.")
        if metrics.articulation_wpm > rules.articulation_max_wpm:
            out.take(5, "rushing", "pacing",
                     f"Words come fast while speaking ({metrics.articulation_wpm:.0f} wpm "
                     "between pauses).",
                     "Say fewer words per breath; rushing sounds nervous even with pauses.")

    if metrics.think_time_s > rules.think_time_max_s:
        out.take(4, "long-start", "pauses",
                 f"{metrics.think_time_s:.0f} s of silence before the first word.",
                 "If you need time, say so: \"Let me take a moment to structure this.\"",
                 0.0, metrics.think_time_s)

    kinds: dict[str, list[Span]] = {"between_ideas": [], "clause": [], "hesitation": []}
    contexts: dict[Span, str] = {}
    for p in pauses:
        kind, before = classify_pause(tr, p)
        kinds[kind].append(p)
        if before is not None:
            said = " ".join(w.text for w in tr.words[max(0, before - 3):before + 1])
            then = " ".join(w.text for w in tr.words[before + 1:before + 4])
            contexts[p] = f"{said} [{p.duration:.1f} s] {then}"
    hesitations = [p for p in kinds["hesitation"] if p.duration >= rules.hesitation_min_s]
    if hesitations:
        worst = max(hesitations, key=lambda p: p.duration)
        also = also_at([p.start for p in hesitations if p is not worst])
        out.take(min(15, 3 * len(hesitations)), "hesitation", "pauses",
                 f"{len(hesitations)} pause{'s' if len(hesitations) > 1 else ''} of "
                 f"{rules.hesitation_min_s:g} s or more in the middle of a phrase (longest "
                 f"{worst.duration:.1f} s){also}.",
                 "Pause between ideas, not inside them: finish the phrase, then stop.",
                 worst.start, worst.end, quote(contexts.get(worst, "")))
    long_silences = [p for p in pauses if p.duration >= rules.long_silence_s]
    if long_silences:
        worst = max(long_silences, key=lambda p: p.duration)
        out.take(min(10, 5 * len(long_silences)), "long-silence", "pauses",
                 f"A {worst.duration:.0f} s silence mid-answer: the listener wonders if "
                 "you are lost.",
                 "Think out loud through the gap: \"I'm weighing two options here...\"",
                 worst.start, worst.end, quote(contexts.get(worst, "")))
    deliberate = [p for p in kinds["between_ideas"] if p.duration < rules.long_silence_s]
    if len(deliberate) >= 2:
        out.praise("deliberate-pauses", "pauses",
                   f"Paused between ideas ({len(deliberate)} times): deliberate pauses read "
                   "as confidence", deliberate[0].start)

    out.details = {
        "band_wpm": [lo, hi],
        "wpm": round(wpm, 1),
        "articulation_wpm": round(metrics.articulation_wpm, 1),
        "windows": [{"start": round(t, 2), "wpm": round(r, 1)} for t, r in windows],
        "variation": round(cv, 3),
        "think_time_s": round(metrics.think_time_s, 2),
        "pauses": {k: len(v) for k, v in kinds.items()},
        "hesitations": [{"start": round(p.start, 2), "duration_s": round(p.duration, 2)}
                        for p in hesitations],
    }
    return out
