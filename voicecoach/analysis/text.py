"""A token view of the transcript that every text analyzer shares.

Whisper's words carry punctuation and contractions ("I'd", "data,"). Analyzers want
lower-case tokens with contractions expanded, each still pointing at its word (for
times) and knowing whether punctuation or a pause sits on either side of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate

from voicecoach.asr.base import Word

_SPLIT = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.?!]+[\"')\]]*$")
_CLAUSE_END = re.compile(r"[,;:\u2014\u2013-]+[\"')\]]*$|\.\.\.$")

# Contractions expanded so one phrase list covers "I'd" and "I would".
_CONTRACTIONS = {
    "let's": ("let", "us"), "won't": ("will", "not"), "can't": ("can", "not"),
    "cannot": ("can", "not"), "shan't": ("shall", "not"), "i'm": ("i", "am"),
    "it's": ("it", "is"), "that's": ("that", "is"), "what's": ("what", "is"),
    "there's": ("there", "is"), "here's": ("here", "is"), "he's": ("he", "is"),
    "she's": ("she", "is"), "where's": ("where", "is"), "who's": ("who", "is"),
    "how's": ("how", "is"),
}
_SUFFIXES = (("n't", ("not",)), ("'d", ("would",)), ("'ll", ("will",)), ("'re", ("are",)),
             ("'ve", ("have",)), ("'m", ("am",)))


@dataclass(frozen=True)
class Token:
    text: str  # normalised, contraction-expanded
    word: int  # index into the word list
    start: float
    end: float
    sentence: int
    first_in_word: bool
    last_in_word: bool


@dataclass(frozen=True)
class Sentence:
    index: int
    first: int  # token indices, inclusive
    last: int
    start: float
    end: float

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass
class Transcript:
    """Tokens, sentences and boundary facts for one answer."""

    words: list[Word]
    tokens: list[Token]
    sentences: list[Sentence]
    sentence_end: list[bool]  # per word: punctuation ends a sentence after it
    clause_end: list[bool]  # per word: a comma/colon/dash or sentence end after it
    gap_after: list[float]  # per word: silence to the next word's start (s)
    punctuated: bool  # Whisper punctuated; else sentences come from pauses

    @cached_property
    def texts(self) -> list[str]:
        # Built once: the analyzers read it per sentence, per pause and per key point.
        return [t.text for t in self.tokens]

    @cached_property
    def first_token(self) -> dict[int, int]:
        """Word index -> its first token (a word of punctuation only has none)."""
        out: dict[int, int] = {}
        for i, t in enumerate(self.tokens):
            out.setdefault(t.word, i)
        return out

    @cached_property
    def ends_by(self) -> list[float]:
        """Per word: the latest end among it and the words before it (sorted, for
        bisecting a time even where Whisper's word times overlap)."""
        return list(accumulate((w.end for w in self.words), max))

    def span_text(self, first: int, last: int) -> str:
        """The original words covering tokens first..last (inclusive)."""
        a, b = self.tokens[first].word, self.tokens[last].word
        return " ".join(w.text for w in self.words[a:b + 1])

    def boundary_before(self, tok: int, min_gap_s: float = 0.3) -> bool:
        """Punctuation, a pause, or the answer start right before this token."""
        t = self.tokens[tok]
        if not t.first_in_word:
            return False
        if t.word == 0:
            return True
        return self.clause_end[t.word - 1] or self.gap_after[t.word - 1] >= min_gap_s

    def boundary_after(self, tok: int, min_gap_s: float = 0.3) -> bool:
        t = self.tokens[tok]
        if not t.last_in_word:
            return False
        if t.word == len(self.words) - 1:
            return True
        return self.clause_end[t.word] or self.gap_after[t.word] >= min_gap_s

    def minute_count(self) -> float:
        if not self.words:
            return 0.0
        return max(self.words[-1].end - self.words[0].start, 1e-6) / 60


@lru_cache(maxsize=4096)
def split_word(text: str) -> tuple[str, ...]:
    """' I'd,' -> ('i', 'would');  'real-time' -> ('real', 'time');  'P95' -> ('p95',)."""
    text = text.lower().replace("\u2019", "'")
    out: list[str] = []
    for piece in _SPLIT.findall(text):
        if piece in _CONTRACTIONS:
            out.extend(_CONTRACTIONS[piece])
            continue
        for suffix, expansion in _SUFFIXES:
            if piece.endswith(suffix) and len(piece) > len(suffix):
                stem = piece[: -len(suffix)]
                out.append({"wo": "will", "ca": "can", "sha": "shall"}.get(stem, stem))
                out.extend(expansion)
                break
        else:
            out.append(piece[:-2] if piece.endswith("'s") else piece)
    return tuple(out)


def ends_sentence(word: str) -> bool:
    """Does punctuation end a sentence after this word ("data." "why?" "so.\"")?"""
    return bool(_SENTENCE_END.search(word.strip()))


def build_transcript(words: list[Word], pause_sentence_s: float = 0.7) -> Transcript:
    n = len(words)
    raw = [w.text.strip() for w in words]
    sentence_end = [ends_sentence(r) for r in raw]
    clause_end = [s or bool(_CLAUSE_END.search(r)) for s, r in zip(sentence_end, raw)]
    gap_after = [max(0.0, words[i + 1].start - words[i].end) for i in range(n - 1)] + [0.0]
    # Whisper nearly always punctuates; if it did not (about one full stop per 60
    # words or fewer), long pauses stand in for sentence ends so run-on detection
    # does not fire on a transcript that merely lacks punctuation.
    punctuated = n < 60 or sum(sentence_end) >= n / 60
    if not punctuated:
        sentence_end = [s or g >= pause_sentence_s for s, g in zip(sentence_end, gap_after)]
        clause_end = [c or s for c, s in zip(clause_end, sentence_end)]

    tokens: list[Token] = []
    sentences: list[Sentence] = []
    sent = 0
    sent_first = 0
    for i, w in enumerate(words):
        pieces = split_word(w.text)
        for j, piece in enumerate(pieces):
            tokens.append(Token(piece, i, w.start, w.end, sent, j == 0, j == len(pieces) - 1))
        if (sentence_end[i] or i == n - 1) and len(tokens) > sent_first:
            sentences.append(Sentence(sent, sent_first, len(tokens) - 1,
                                      tokens[sent_first].start, tokens[-1].end))
            sent += 1
            sent_first = len(tokens)
    return Transcript(list(words), tokens, sentences, sentence_end, clause_end, gap_after,
                      punctuated)
