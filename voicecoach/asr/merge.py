"""Join a plain and a filler-primed decode of the same audio into one transcript.

The filler prompt makes Whisper write the "um"s and "uh"s it otherwise drops, but the
same prompt also invents phrases in silences and at chunk ends ("Thank you.", "As
well.") and sometimes drops a sentence. So the plain decode decides which words were
said; the primed one contributes only what it is trusted for:

- where both decodes agree word for word, the primed words (their punctuation and
  their times, which leave room for the fillers between them);
- a filled pause the plain decode has no word for, when there is voice under it and
  no plain word already stands on that audio;
- a filled pause where the plain decode wrote one of the words Whisper mistakes a short
  "uh" or "er" for ("or", "up", "off", "her", "oh"), at the same time: the filler
  replaces that word;
- nothing else: a word only the primed decode wrote is dropped.

Then every word needs voice under it, and a word other than a filled pause a
probability of at least `TranscribeOptions.min_word_probability` (`heard`).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from voicecoach.model import FILLED_PAUSES, Word, norm

_FILLED = frozenset(FILLED_PAUSES)
# A word needs voice under it: some voiced time within its span widened by WORD_MARGIN_S
# (Whisper's word edges are loose), and a filler at least FILLER_VOICE_S within
# FILLER_MARGIN_S (a filler is a short sound of its own: a word's edge is not one).
WORD_MARGIN_S = 0.15
FILLER_MARGIN_S = 0.1
FILLER_VOICE_S = 0.05
# ... and may share at most this share of its time with a word the plain decode kept.
MAX_SHARED = 0.5
# What the plain decode writes for a short filled pause that the primed one heard as
# one (the validation's missed fillers: "baseline. Her, like logistic regression").
MISHEARD_FILLERS = frozenset({"or", "up", "off", "her", "oh"})


def merge_decodes(plain: list[Word], primed: list[Word], voiced: list) -> list[Word]:
    """`plain`'s words, with agreeing stretches and extra filled pauses from `primed`.

    `voiced` are the speech regions (objects with `start`/`end`, same clock as the
    words) that a filler must stand on.
    """
    a = [norm(w.text) for w in plain]
    b = [norm(w.text) for w in primed]
    out: list[Word] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += primed[j1:j2]
            continue
        theirs = primed[j1:j2]
        said = [w for w in theirs if norm(w.text) not in _FILLED]
        if [norm(w.text) for w in said] == a[i1:i2]:
            # The primed decode only added fillers here: its words are the plain ones.
            out += [w for w in theirs if norm(w.text) not in _FILLED or _filler_voiced(w, voiced)]
            continue
        fillers = [w for w in theirs if norm(w.text) in _FILLED and _filler_voiced(w, voiced)]
        ours = _without_misheard_fillers(plain[i1:i2], fillers)
        out += ours
        out += [w for w in fillers if _shared(w, ours) <= MAX_SHARED]
    return sorted(out, key=lambda w: (w.start, w.end))


def _without_misheard_fillers(ours: list[Word], fillers: list[Word]) -> list[Word]:
    """`ours` less each misheard filler (MISHEARD_FILLERS) that the voiced filled
    pauses `fillers` cover for more than MAX_SHARED of its time."""
    return [w for w in ours if not (norm(w.text) in MISHEARD_FILLERS and fillers
                                    and _shared(w, fillers) > MAX_SHARED)]


def heard(word: Word, voiced: list, floor: float) -> bool:
    """A word to keep: voice under it, and, unless it is a filled pause, a probability
    of at least `floor` (Whisper's own doubt about it; a filler is judged by its voice)."""
    return has_voice(word, voiced) and (word.probability >= floor or norm(word.text) in _FILLED)


def has_voice(word: Word, voiced: list) -> bool:
    """Is there any voice under `word` (a word stamped in silence was not said)?"""
    return _voiced(word, voiced, WORD_MARGIN_S, 1e-9)


def _filler_voiced(word: Word, voiced: list) -> bool:
    return _voiced(word, voiced, FILLER_MARGIN_S, FILLER_VOICE_S)


def _voiced(word: Word, voiced: list, margin: float, least: float) -> bool:
    lo, hi = word.start - margin, word.end + margin
    return sum(max(0.0, min(hi, r.end) - max(lo, r.start)) for r in voiced) >= least


def _shared(word: Word, others: list[Word]) -> float:
    """The share of `word`'s time that `others` also cover."""
    length = word.end - word.start
    if length <= 0:
        return 1.0 if any(o.start <= word.start <= o.end for o in others) else 0.0
    shared = sum(max(0.0, min(word.end, o.end) - max(word.start, o.start)) for o in others)
    return shared / length
