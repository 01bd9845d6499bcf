"""Transcript against reference, word by word: WER and invented phrases.

Both sides are normalized the same way (tools.wer's tokens, a few spellings
Whisper and the transcripts write differently, spelled-out letters joined) and filled
pauses are left out of both: they are measured on their own, and a reference that
omits them (a non-verbatim transcript) must not turn a heard "um" into an error.

An **invented phrase** is a run of at least two hypothesis words with no counterpart
in the reference (difflib opcodes): an inserted block of two or more words, or a
replaced block whose hypothesis side is two or more words longer than the reference
side. A replaced block whose letters fit what the reference says there is words
heard wrong and split ("aligner" -> "to lie there", "data, um" -> "day to come"): a
recognition error, counted by WER and listed apart, not an invention (`_misheard`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from tools.wer import edit_distance, normalize_words
from voicecoach.asr.base import FILLED_PAUSES, Word, norm

_FILLED = frozenset(FILLED_PAUSES)
# Transcript spellings that differ from Whisper's for the same words. "'er" is "her"
# in the MFA clips (tests/corpus/README.md), never a filler.
SPELLING = {"'er": "her", "yknow": "you know", "y'know": "you know", "alright": "all right",
            "okay": "ok"}
# <cutoff-montreal>, <hes-forced>, <unk>, [laughter]: transcript marks, not words.
_MARK = re.compile(r"^[<\[]([a-z]+)(?:-([a-z']+))?[>\]]$")
MIN_INVENTED_WORDS = 2
MISHEARD_LETTERS = 1.25
SPOKEN_LETTER = 3  # "m" is said "em": letters of a spelled-out name, for that comparison


@dataclass(frozen=True)
class Token:
    text: str
    start: float = 0.0
    end: float = 0.0
    letters: int = 0
    before: int = 0  # letters of the filled pauses just before it (heard as words, maybe)
    after: int = 0  # ... and after it, for the last word
    mark: bool = False  # a transcript mark: a counterpart for anything, no WER word


@dataclass(frozen=True)
class Invented:
    start: float
    end: float
    text: str  # the hypothesis words
    reference: str  # what they stand against ("" for an insertion)
    before: str  # hypothesis words around them
    after: str
    misheard: bool  # a split word, not an invention (see module docstring)

    def describe(self) -> str:
        against = f" (for {self.reference!r})" if self.reference else ""
        return f"{self.start:.2f}s: ...{self.before} [{self.text}] {self.after}...{against}"


def is_filler(text: str) -> bool:
    return norm(text) in _FILLED


def _tokens(text: str, start: float = 0.0, end: float = 0.0) -> list[Token]:
    spelled = SPELLING.get(norm(text), text)
    return [Token(t, start, end, len(t)) for t in normalize_words(spelled)]


def _join_letters(tokens: list[Token]) -> list[Token]:
    """"m f a" and "M.F.A." both become "mfa" (runs of two or more single letters),
    as long as it is said: "em ef ay"."""
    out: list[Token] = []
    run: list[Token] = []
    for t in [*tokens, None]:
        if t is not None and not t.mark and len(t.text) == 1 and t.text.isalpha():
            run.append(t)
            continue
        if len(run) >= 2:
            text = "".join(r.text for r in run)
            out.append(Token(text, run[0].start, run[-1].end, SPOKEN_LETTER * len(text),
                             before=run[0].before, after=run[-1].after))
        else:
            out += run
        run = []
        if t is not None:
            out.append(t)
    return out


def reference_tokens(said: str) -> list[Token]:
    """The reference's words, marks kept as placeholders, filled pauses left out but
    their letters kept on the next word (`before`) or the last one (`after`): Whisper
    may hear "data, um, especially" as "day to come especially", a misheard stretch,
    not words nobody said."""
    out: list[Token] = []
    pending = 0  # letters of the fillers since the last word
    for raw in said.split():
        m = _MARK.match(raw.lower())
        if is_filler(raw) and not m:
            pending += len(norm(raw))
            continue
        if m:
            kind, word = m.groups()
            if kind == "hes" and word:  # the word, said hesitantly
                new = _tokens(word)
            else:  # a cut-off word, laughter, an unknown word
                new = [Token(raw.lower(), letters=len(word or ""), mark=True)]
        else:
            new = _tokens(raw)
        if new and pending:
            new[0], pending = replace(new[0], before=pending), 0
        out += new
    if out and pending:
        out[-1] = replace(out[-1], after=pending)
    return _join_letters(out)


def hypothesis_tokens(words: Sequence[Word]) -> list[Token]:
    out: list[Token] = []
    for w in words:
        if not is_filler(w.text):
            out += _tokens(w.text, w.start, w.end)
    return _join_letters(out)


def wer_counts(reference: list[Token], hypothesis: list[Token]) -> tuple[int, int]:
    """(edits, reference words): marks are no words to get right."""
    ref = [t.text for t in reference if not t.mark]
    return edit_distance(ref, [t.text for t in hypothesis]), len(ref)


def invented_phrases(reference: list[Token], hypothesis: list[Token],
                     misheard_letters: float = MISHEARD_LETTERS) -> list[Invented]:
    a = [t.text for t in reference]
    b = [t.text for t in hypothesis]
    out = []
    for tag, i1, i2, j1, j2 in _blocks(a, b):
        extra = (j2 - j1) - (i2 - i1)
        if tag not in ("insert", "replace") or extra < MIN_INVENTED_WORDS:
            continue
        # The fillers in the gaps the block touches may be what was heard as words.
        slack = sum(t.before for t in reference[i1:i2 + 1])
        if i2 == len(reference) and reference:
            slack += reference[-1].after
        misheard = _misheard(sum(t.letters for t in reference[i1:i2]), slack,
                             [t.letters for t in hypothesis[j1:j2]], misheard_letters)
        out.append(Invented(hypothesis[j1].start, hypothesis[j2 - 1].end, " ".join(b[j1:j2]),
                            " ".join(a[i1:i2]), " ".join(b[max(0, j1 - 4):j1]),
                            " ".join(b[j2:j2 + 4]), misheard))
    return out


def _blocks(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, two differing blocks joined across one short matching word:
    in "latency and cost" -> "late and see and cast" the "and" is a coincidence."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if (op[0] != "equal" and len(out) >= 2 and out[-1][0] == "equal"
                and out[-1][2] - out[-1][1] == 1 and len(a[out[-1][1]]) <= 3
                and out[-2][0] != "equal"):
            out.pop()
            first = out.pop()
            op = ("replace", first[1], op[2], first[3], op[4])
        out.append(op)
    return out


def _misheard(ref_letters: int, slack: int, hyp_letters: list[int], ratio: float) -> bool:
    """Are these hypothesis words the reference's words heard wrong and split?

    Then their letters fit those words: at most `ratio` times theirs, plus the
    letters of the fillers in the gaps the block touches (a filler heard as a word),
    plus two. "a liner thank you" for "aligner, um" does not fit; "to lie there" for
    "aligner" and "day to come" for "data, um" do. A rough rule, so every run is
    listed either way.
    """
    return sum(hyp_letters) <= ratio * ref_letters + slack + 2
