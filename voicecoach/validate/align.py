"""Transcript against reference, word by word: WER and invented phrases.

Both sides are normalized the same way (voicecoach.wer's tokens, a few spellings
Whisper and the transcripts write differently, spelled-out letters joined) and filled
pauses are left out of both: they are measured on their own, and a reference that
omits them (a non-verbatim transcript) must not turn a heard "um" into an error.

An **invented phrase** is a run of at least two hypothesis words with no counterpart
in the reference (difflib opcodes): an inserted block of two or more words, or a
replaced block whose hypothesis side is two or more words longer than the reference
side. A replaced block that is no longer in letters than `MISHEARD_LETTERS` times its
reference side (plus two) is one word heard as several ("aligner" -> "a line her"):
a recognition error, counted by WER and listed apart, not an invention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from voicecoach.asr.base import FILLED_PAUSES, Word, norm
from voicecoach.wer import edit_distance, normalize_words

_FILLED = frozenset(FILLED_PAUSES)
# Transcript spellings that differ from Whisper's for the same words. "'er" is "her"
# in the MFA clips (tests/corpus/README.md), never a filler.
SPELLING = {"'er": "her", "yknow": "you know", "y'know": "you know", "alright": "all right",
            "okay": "ok"}
# <cutoff-montreal>, <hes-forced>, <unk>, [laughter]: transcript marks, not words.
_MARK = re.compile(r"^[<\[]([a-z]+)(?:-([a-z']+))?[>\]]$")
MIN_INVENTED_WORDS = 2
MISHEARD_LETTERS = 1.5


@dataclass(frozen=True)
class Token:
    text: str
    start: float = 0.0
    end: float = 0.0
    letters: int = 0
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
    """"m f a" and "M.F.A." both become "mfa" (runs of two or more single letters)."""
    out: list[Token] = []
    run: list[Token] = []
    for t in [*tokens, None]:
        if t is not None and not t.mark and len(t.text) == 1 and t.text.isalpha():
            run.append(t)
            continue
        if len(run) >= 2:
            text = "".join(r.text for r in run)
            out.append(Token(text, run[0].start, run[-1].end, len(text)))
        else:
            out += run
        run = []
        if t is not None:
            out.append(t)
    return out


def reference_tokens(said: str) -> list[Token]:
    """The reference's words, marks kept as placeholders, filled pauses left out.

    A filled pause's letters go to the word before it: Whisper may hear "data, um"
    as "day to come", a misheard stretch, not words nobody said."""
    out: list[Token] = []
    pending = 0  # letters of fillers before the first word
    for raw in said.split():
        m = _MARK.match(raw.lower())
        if m:
            kind, word = m.groups()
            if kind == "hes" and word:  # the word, said hesitantly
                out += _tokens(word)
            else:  # a cut-off word, laughter, an unknown word
                out.append(Token(raw.lower(), letters=len(word or ""), mark=True))
        elif not is_filler(raw):
            out += _tokens(raw)
        elif out:
            out[-1] = replace(out[-1], letters=out[-1].letters + len(norm(raw)))
        else:
            pending += len(norm(raw))
        if out and pending:
            out[0], pending = replace(out[0], letters=out[0].letters + pending), 0
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
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        extra = (j2 - j1) - (i2 - i1)
        if tag not in ("insert", "replace") or extra < MIN_INVENTED_WORDS:
            continue
        ref_letters = sum(t.letters for t in reference[i1:i2])
        hyp_letters = sum(t.letters for t in hypothesis[j1:j2])
        misheard = tag == "replace" and hyp_letters <= misheard_letters * ref_letters + 2
        out.append(Invented(hypothesis[j1].start, hypothesis[j2 - 1].end, " ".join(b[j1:j2]),
                            " ".join(a[i1:i2]), " ".join(b[max(0, j1 - 4):j1]),
                            " ".join(b[j2:j2 + 4]), misheard))
    return out
