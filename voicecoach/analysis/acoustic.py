"""Filled pauses Whisper dropped, found from where the voice is and the words are not.

Whisper normalises "um"/"uh" away, but the voice activity detector still hears them.
A dropped filler leaves one of three traces (measured on the synthetic corpus, see
docs/scoring.md):

- an *isolated* voiced stretch, silence on both sides, that no word covers, or that
  only one low-confidence word covers (Whisper pinned a guess on the "uh");
- a voiced stretch *between* two words of one utterance with no word on it;
- a word at the start of a voiced region that begins long before the next word
  would (the region opens with the filler and the word's timestamp starts late).

Each trace alone is common in clean speech when short, so every candidate must also
be long enough to be a filler and short enough not to be a dropped phrase; the
thresholds are `acoustic_*` in ScoringRules. Precision first: when in doubt, no flag.
"""

from __future__ import annotations

from bisect import bisect_left

from voicecoach.analysis.rules import ScoringRules
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.report import Filler

TEXT = "(voiced, no word)"


def _covered(words: list[Word], span: Span) -> float:
    return sum(max(0.0, min(w.end, span.end) - max(w.start, span.start)) for w in words)


def acoustic_fillers(words: list[Word], regions: list[Span], rules: ScoringRules,
                     known: list[Filler] = ()) -> list[Filler]:
    """Filled pauses (kind "acoustic") from the traces precise enough to flag
    (`rules.acoustic_traces`), not already explained by `known`."""
    return [f for f, trace in acoustic_candidates(words, regions, rules, known)
            if trace in rules.acoustic_traces]


def acoustic_candidates(words: list[Word], regions: list[Span], rules: ScoringRules,
                        known: list[Filler] = ()) -> list[tuple[Filler, str]]:
    """Candidates with the trace that produced them: isolated | between | lead."""
    if not words or not regions:
        return []
    lo, hi = rules.acoustic_min_s, rules.acoustic_max_s
    first, last = words[0].start, words[-1].end
    out: list[tuple[Filler, str]] = []
    starts = [w.start for w in words]  # words come in time order
    longest = max(w.end - w.start for w in words)
    for k, region in enumerate(regions):
        # Only inside the answer: a cough before the first word is not a filler.
        if region.end <= first or region.start >= last:
            continue
        lo_i = bisect_left(starts, region.start - longest)
        hi_i = bisect_left(starts, region.end)
        inside = [w for w in words[lo_i:hi_i] if w.end > region.start]
        gap_before = region.start - regions[k - 1].end if k else float("inf")
        gap_after = regions[k + 1].start - region.end if k + 1 < len(regions) else float("inf")
        isolated = min(gap_before, gap_after) >= rules.acoustic_isolation_s
        if lo <= region.duration <= hi and isolated:
            owned = [w for w in inside
                     if _covered([w], region) >= 0.5 * min(w.end - w.start, region.duration)]
            if not owned or (len(owned) == 1
                             and owned[0].probability < rules.acoustic_low_probability):
                out.append((Filler(TEXT, region.start, region.end, "acoustic"), "isolated"))
                continue
        # Uncovered voiced time between consecutive words inside this region.
        for a, b in zip(inside, inside[1:]):
            gap = Span(max(a.end, region.start), min(b.start, region.end))
            if lo <= gap.duration <= hi:
                out.append((Filler(TEXT, gap.start, gap.end, "acoustic"), "between"))
        # The region opens with voice long before its first word.
        if inside and inside[0].start > region.start:
            lead = Span(region.start, inside[0].start)
            if lo <= lead.duration <= hi and region.start > first:
                out.append((Filler(TEXT, lead.start, lead.end, "acoustic"), "lead"))
    return [(f, r) for f, r in out if not _near_any(f, known)]


def _near_any(f: Filler, others: list[Filler], slack_s: float = 0.3) -> bool:
    return any(o.start - slack_s < f.end and f.start < o.end + slack_s for o in others)
