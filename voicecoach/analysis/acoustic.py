"""Filled pauses Whisper dropped, found from where the voice is and the words are not.

Whisper normalises "um"/"uh" away, but the voice activity detector still hears them.
A dropped filler leaves one of five traces (measured on the synthetic corpus, see
docs/scoring.md):

- an *isolated* voiced stretch, silence on both sides, that no word covers, or that
  only one low-confidence word covers (Whisper pinned a guess on the "uh");
- a voiced stretch *between* two words of one utterance with no word on it;
- a word at the start of a voiced region that begins long before the next word
  would (the region opens with the filler and the word's timestamp starts late);
- a short word held far too long ("and" over 0.7 s): Whisper stretched it over the
  "uh" next to it;
- an *island* (audio/islands.py): a short stretch of pitched voice with silence on
  both sides, under no word or only under short words Whisper was unsure of — the
  "uh" it heard as "or", "up" or "off".

Each trace alone is common in clean speech when short, so every candidate must also
be long enough to be a filler and short enough not to be a dropped phrase; the
thresholds are `acoustic_*` in ScoringRules. Precision first: when in doubt, no flag.
"""

from __future__ import annotations

from bisect import bisect_left

from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import ends_sentence
from voicecoach.analysis.words import norm
from voicecoach.asr.base import Word
from voicecoach.audio.islands import Island
from voicecoach.audio.vad import Span
from voicecoach.report import Filler

TEXT = "(voiced, no word)"
UNPLACED_S = 0.05  # a word shorter than this is one Whisper could not place in time


def _covered(words: list[Word], span: Span) -> float:
    return sum(max(0.0, min(w.end, span.end) - max(w.start, span.start)) for w in words)


def acoustic_fillers(words: list[Word], regions: list[Span], rules: ScoringRules,
                     known: list[Filler] = (), islands: list[Island] = ()) -> list[Filler]:
    """Filled pauses (kind "acoustic") from the traces precise enough to flag
    (`rules.acoustic_traces`), not already explained by `known`; one per stretch of time
    when several traces point at the same filler."""
    kept: list[Filler] = []
    for f, trace in acoustic_candidates(words, regions, rules, known, islands):
        if trace in rules.acoustic_traces and not _near_any(f, kept):
            kept.append(f)
    return kept


def acoustic_candidates(words: list[Word], regions: list[Span], rules: ScoringRules,
                        known: list[Filler] = (), islands: list[Island] = ()
                        ) -> list[tuple[Filler, str]]:
    """Candidates in time order with the trace that produced them:
    isolated | between | lead | long-word | island."""
    if not words or not regions:
        return []
    lo, hi = rules.acoustic_min_s, rules.acoustic_max_s
    first, last = words[0].start, words[-1].end
    out: list[tuple[Filler, str]] = []
    # Words Whisper places late: a sentence's first word, or one it gave no duration.
    late = [w for prev, w in zip(words, words[1:])
            if ends_sentence(prev.text) or w.end - w.start < UNPLACED_S]
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
        # The answer's first word, or a word Whisper placed late, is not a filler (an
        # "Okay," said alone is no "um").
        if lo <= region.duration <= hi and isolated and region.start > first \
                and not _voice_of(region, late, rules):
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
        out += [(Filler(TEXT, w.start, w.end, "acoustic"), "long-word")
                for w in inside if _overlong(w, region, rules)]
    for island in islands:
        if first < island.start and island.end < last:
            near = words[bisect_left(starts, island.start - longest):
                         bisect_left(starts, island.end)]
            if _unsaid(island, near, rules) and not _voice_of(island, late, rules):
                out.append((Filler(TEXT, island.start, island.end, "acoustic"), "island"))
    out.sort(key=lambda c: c[0].start)
    return [(f, r) for f, r in out if not _near_any(f, known)]


def _short(w: Word, rules: ScoringRules) -> bool:
    """A short word, letters only ("300" is said as several words)."""
    letters = norm(w.text)
    return letters.isalpha() and len(letters) <= rules.acoustic_short_word_letters


def _overlong(w: Word, region: Span, rules: ScoringRules) -> bool:
    """A short word voiced for longer than any such word takes to say, whose first
    edge lies in this region (so it is counted once)."""
    return (region.start <= w.start < region.end and _short(w, rules)
            and _covered([w], region) >= rules.acoustic_long_word_s)


def _unsaid(island: Island, words: list[Word], rules: ScoringRules) -> bool:
    """A pitched island that none of the `words` near it accounts for with confidence.
    Word times are loose, so a word counts as on the island when it overlaps 30% of
    the shorter of the two."""
    if island.periodic < rules.acoustic_island_periodic:
        return False
    on = [w for w in words
          if _covered([w], island) > 0.3 * min(w.end - w.start, island.duration)]
    return all(_short(w, rules) and w.probability < rules.acoustic_island_probability
               for w in on)


def _voice_of(span: Span, late: list[Word], rules: ScoringRules) -> bool:
    """Is this voice (part of) a word Whisper placed late? After a pause it starts a
    sentence's first word at its first confident frame, and a word it gives no
    duration sits after its own voice: the voice just before such a word is usually
    the word itself ("We" said as "w... e", "Then," written as "And" 0.15 s late,
    "finally," at 23.90-23.90 after voice at 23.44-23.88)."""
    return any(w.end > span.start and w.start - span.end <= rules.acoustic_onset_s
               for w in late)


def _near_any(f: Filler, others: list[Filler], slack_s: float = 0.3) -> bool:
    return any(o.start - slack_s < f.end and f.start < o.end + slack_s for o in others)
