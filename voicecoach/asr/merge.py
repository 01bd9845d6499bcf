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
  replaces that word; and so it does where the two decodes differ by exactly that,
  one short word against one filler at the same moment ("and" / "um", "come" / "um",
  "I'm" / "um"), unless the word is "a", which is said as the very sound of an "uh";
- nothing else: a word only the primed decode wrote is dropped;
- and one filled pause per moment: where both decodes wrote the same one without
  aligning, it is kept once.

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
# Where the decodes differ by one word against one filler, the word is the filler misheard
# when it is this short (the validation's: "and", "then", "come", "dumb", "arm", "I'm").
SWAPPED_WORD_LETTERS = 4
# ... but not "a": "forced a liner" is "aligner" said, whatever the primed decode heard.
SAID_AS_FILLER = frozenset({"a"})


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
        ours = _without_misheard_fillers(plain[i1:i2], fillers,
                                         swapped=len(theirs) == 1 == i2 - i1)
        out += ours
        out += [w for w in fillers if _shared(w, ours) <= MAX_SHARED]
    return _one_filler_per_moment(sorted(out, key=lambda w: (w.start, w.end)))


def _one_filler_per_moment(words: list[Word]) -> list[Word]:
    """Drop a filled pause stamped on another one's time: the two decodes wrote the
    same "uh" where they did not align ("uh,[5.44-5.50] uh,[5.46-5.46]" on the MFA
    `uhuh` clip, once from each decode); nobody says two at one instant."""
    out: list[Word] = []
    last: Word | None = None  # the latest filled pause kept
    for w in words:
        if norm(w.text) in _FILLED:
            if last is not None and (w.start < last.end or w.start == last.start):
                continue
            last = w
        out.append(w)
    return out


def _without_misheard_fillers(ours: list[Word], fillers: list[Word],
                              swapped: bool = False) -> list[Word]:
    """`ours` less each misheard filler: a word of MISHEARD_FILLERS that the voiced
    filled pauses `fillers` cover for more than MAX_SHARED of its time, or, when the
    decodes differ by one word against one filler (`swapped`), that short word if the
    filler stands on it."""
    if not fillers:
        return ours
    return [w for w in ours
            if not (norm(w.text) in MISHEARD_FILLERS and _shared(w, fillers) > MAX_SHARED)
            and not (swapped and _swapped(w, fillers[0]))]


def _swapped(word: Word, filler: Word) -> bool:
    letters = norm(word.text)
    return (len(letters) <= SWAPPED_WORD_LETTERS and letters not in SAID_AS_FILLER
            and letters not in _FILLED and filler.start - FILLER_MARGIN_S <= word.end
            and word.start <= filler.end + FILLER_MARGIN_S)


def heard(word: Word, voiced: list, floor: float) -> bool:
    """A word to keep: voice under it, and, unless it is a filled pause, a probability
    of at least `floor` (Whisper's own doubt about it; a filler is judged by its voice)."""
    return (_voiced(word, voiced, WORD_MARGIN_S, 1e-9)  # a word stamped in silence was not said
            and (word.probability >= floor or norm(word.text) in _FILLED))


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
