"""Filler detection from the transcript: filled pauses, discourse fillers, repetitions.

Precision first: a wrong "filler" flag costs more trust than a miss. Filled pauses
(um, uh, ...) are always fillers. Discourse words ("like", "you know", "actually")
count only when set off by punctuation or a pause on *both* sides, so "I'd like to",
"looks like", "a kind of model" and "that's right" are never flagged. The acoustic
side (voiced time Whisper left without a word) lives in analysis/acoustic.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.analysis.phrases import lexicon
from voicecoach.analysis.rules import FILLED_PAUSES as _FILLED
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.analysis.words import norm
from voicecoach.asr.base import Word
from voicecoach.report import Filler

FILLED_PAUSES = frozenset(_FILLED)

# Sentence-opening discourse markers are ordinary speech ("So, the data..."); they
# are counted only when one opener is used as a tic (see `crutch_openers`).
_OPENERS = frozenset({"so", "well", "okay", "right", "actually", "now", "and"})
_BOUNDARY_GAP_S = 0.3  # a silence this long between words sets a word off like a comma


def find_filled_pauses(words: list[Word], vocabulary: frozenset[str] = FILLED_PAUSES
                       ) -> list[Filler]:
    return [
        Filler(text=w.text, start=w.start, end=w.end, kind="filled_pause")
        for w in words
        if norm(w.text) in vocabulary
    ]


def lexical_fillers(tr: Transcript, rules: ScoringRules) -> list[Filler]:
    """Filled pauses, context-checked discourse fillers and repeated words, in time order."""
    filled = frozenset(rules.filled_pauses)
    out = [Filler(w.text, w.start, w.end, "filled_pause")
           for w in tr.words if norm(w.text) in filled]
    out += discourse_fillers(tr, rules)
    out += repetitions(tr, rules)
    return sorted(out, key=lambda f: (f.start, f.end))


def discourse_fillers(tr: Transcript, rules: ScoringRules) -> list[Filler]:
    texts = tr.texts
    out: list[Filler] = []
    for m in lexicon(rules.discourse_always).find(texts):
        out.append(_filler(tr, m.first, m.last, "discourse"))
    for m in lexicon(rules.discourse_bounded).find(texts):
        if not (tr.boundary_before(m.first, _BOUNDARY_GAP_S)
                and tr.boundary_after(m.last, _BOUNDARY_GAP_S)):
            continue
        if m.phrase in _OPENERS and _opens_sentence(tr, m.first):
            continue
        out.append(_filler(tr, m.first, m.last, "discourse"))
    return out


def crutch_openers(tr: Transcript, min_count: int = 4, min_share: float = 0.3
                   ) -> tuple[str, list[int]] | None:
    """One opener ("so", "okay", ...) starting many sentences is a tic (Toastmasters'
    crutch words). Returns the word and the token indices, or None."""
    firsts: dict[str, list[int]] = {}
    for s in tr.sentences:
        t = tr.tokens[s.first].text
        if t in _OPENERS:
            firsts.setdefault(t, []).append(s.first)
    if not firsts or len(tr.sentences) < min_count:
        return None
    word, idx = max(firsts.items(), key=lambda kv: len(kv[1]))
    if len(idx) >= min_count and len(idx) / len(tr.sentences) >= min_share:
        return word, idx
    return None


def repetitions(tr: Transcript, rules: ScoringRules) -> list[Filler]:
    """'the the', 'I I', 'we need we need': an immediate restart of the same words,
    one filler each, over the first copy."""
    ok = frozenset(rules.repeat_ok)
    toks = tr.tokens
    out: list[Filler] = []
    i = 0
    n = len(toks)
    while i < n - 1:
        hit = 0
        for size in (2, 1):  # prefer the longer restart ("I think I think")
            if i + 2 * size > n:
                continue
            a = [t.text for t in toks[i:i + size]]
            b = [t.text for t in toks[i + size:i + 2 * size]]
            # Whole words only: "can't can" is not a repetition.
            if a == b and not (size == 1 and (a[0] in ok or a[0].isdigit())) \
                    and toks[i].first_in_word and toks[i + size].first_in_word:
                hit = size
                break
        if hit:
            # One restart: the abandoned first copy is the filler, the second copy is
            # the sentence going on ("we should, we should use" strikes one "we should").
            out.append(_filler(tr, i, i + hit - 1, "repetition"))
            i += 2 * hit
        else:
            i += 1
    return out


def _opens_sentence(tr: Transcript, tok: int) -> bool:
    t = tr.tokens[tok]
    return tok == 0 or tr.tokens[tok - 1].sentence != t.sentence


def _filler(tr: Transcript, first: int, last: int, kind: str) -> Filler:
    a, b = tr.tokens[first], tr.tokens[last]
    return Filler(tr.span_text(first, last), a.start, b.end, kind)


@dataclass(frozen=True)
class Burst:
    start: float
    end: float
    fillers: tuple[Filler, ...]


def bursts(fillers: list[Filler], window_s: float, min_count: int) -> list[Burst]:
    """Runs of at least `min_count` fillers inside any `window_s` stretch, merged.

    A cluster of fillers is what a listener hears as floundering; the same number
    spread over minutes is barely noticed (Laske et al. 2024; GUIDE anchors).
    """
    items = sorted((f for f in fillers if f.kind != "repetition"), key=lambda f: f.start)
    out: list[Burst] = []
    j = 0
    for i in range(len(items)):
        while items[i].start - items[j].start > window_s:
            j += 1
        if i - j + 1 >= min_count:
            group = items[j:i + 1]
            if out and group[0].start <= out[-1].end:
                merged = {f: None for f in (*out[-1].fillers, *group)}
                out[-1] = Burst(out[-1].start, group[-1].end, tuple(merged))
            else:
                out.append(Burst(group[0].start, group[-1].end, tuple(group)))
    return out
