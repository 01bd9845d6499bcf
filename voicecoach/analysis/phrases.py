"""Whole-word phrase matching over transcript tokens, with `word*` prefix wildcards.

Lexicons are compiled once (cached by content) into a first-token index, so matching
a five-minute answer against every lexicon stays far below the 50 ms budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from voicecoach.analysis.text import split_word


@dataclass(frozen=True)
class Match:
    phrase: str
    first: int  # token index, inclusive
    last: int


def pattern(phrase: str) -> tuple[str, ...]:
    """'P95 latency' -> ('p95', 'latency'); 'label*' keeps its star; "I'd" -> i would."""
    out: list[str] = []
    for raw in phrase.lower().replace("-", " ").split():
        star = raw.endswith("*")
        pieces = split_word(raw.rstrip("*"))
        if not pieces:
            continue
        out.extend(pieces[:-1])
        out.append(pieces[-1] + ("*" if star else ""))
    return tuple(out)


def _token_ok(pattern_token: str, token: str) -> bool:
    if pattern_token.endswith("*"):
        return token.startswith(pattern_token[:-1])
    return token == pattern_token


_NONE: list[tuple[tuple[str, ...], str]] = []  # shared by every token no phrase starts


class Lexicon:
    """A compiled phrase list."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.exact: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.wild: list[tuple[tuple[str, ...], str]] = []
        for phrase in phrases:
            pat = pattern(phrase)
            if not pat:
                continue
            if pat[0].endswith("*"):
                self.wild.append((pat, phrase))
            else:
                self.exact.setdefault(pat[0], []).append((pat, phrase))
        for group in self.exact.values():
            group.sort(key=lambda p: -len(p[0]))  # longest phrase wins at a position
        self.wild.sort(key=lambda p: -len(p[0]))
        # Per token: the phrases that may start there, longest first (a lexicon is
        # matched against every token of every answer; the list is built once).
        self._starts: dict[str, list[tuple[tuple[str, ...], str]]] = {}

    def _candidates(self, token: str) -> list[tuple[tuple[str, ...], str]]:
        found = self._starts.get(token)
        if found is None:
            wild = [p for p in self.wild if token.startswith(p[0][0][:-1])]
            exact = self.exact.get(token, [])
            found = sorted(exact + wild, key=lambda p: -len(p[0])) if exact and wild \
                else exact or wild or _NONE
            self._starts[token] = found
        return found

    def find(self, tokens: list[str], overlapping: bool = False) -> list[Match]:
        """All matches, left to right; without `overlapping`, matches do not share tokens."""
        out: list[Match] = []
        n = len(tokens)
        i = 0
        while i < n:
            hit = None
            for pat, phrase in self._candidates(tokens[i]):
                k = len(pat)
                if i + k <= n and all(_token_ok(pat[j], tokens[i + j]) for j in range(1, k)):
                    hit = Match(phrase, i, i + k - 1)
                    break
            if hit:
                out.append(hit)
                i = i + 1 if overlapping else hit.last + 1
            else:
                i += 1
        return out

    def first(self, tokens: list[str], start: int = 0) -> Match | None:
        for m in self.find(tokens[start:]):
            return Match(m.phrase, m.first + start, m.last + start)
        return None


@lru_cache(maxsize=512)  # every key point of the bank (~220) and the analysers'
def lexicon(phrases: tuple[str, ...]) -> Lexicon:
    return Lexicon(phrases)


def find(phrases: tuple[str, ...], tokens: list[str]) -> list[Match]:
    return lexicon(phrases).find(tokens)
