"""A deterministic guard against Whisper's decoding loops.

At temperature 0 (the only temperature: see `TEMPERATURES`), tiny.en can fall into a
loop on hesitant speech: "Montreal, uh, uh, uh" becomes a hundred "uh"s stamped at one
instant, and the words after the hesitation ("forced aligner") never come. Whisper's
own cure is to sample again at a higher temperature, which is random. This one is not:
the decode is cut where the loop starts, one copy of the looped words is kept, and the
audio after it is decoded again on its own; a second loop in that rest is cut too.

The signature of a loop is a run of words no voice could say: LOOP_WORDS words starting
within LOOP_SPAN_S, made of at most LOOP_TOKENS different words. Whisper's loose word
edges crush a few words together at times, but not four repeats into 0.2 s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voicecoach.asr.cancel import check_wanted
from voicecoach.model import SAMPLE_RATE, Word, norm

LOOP_WORDS = 4
LOOP_SPAN_S = 0.2
LOOP_TOKENS = 2
MAX_REDECODES = 2  # a rest that loops again is cut, and not decoded a third time
MIN_REST_S = 0.3  # less audio than this after a loop is not worth a decode
# A repeat of the same word starting this close to the previous copy is the same sound.
SAME_SOUND_S = 0.1

Decode = Callable[[np.ndarray, float, "str | None"], list[Word]]


def loop_start(words: list[Word]) -> int | None:
    """The index of the first word of the first loop in `words`, or None."""
    for k in range(len(words) - LOOP_WORDS + 1):
        run = words[k:k + LOOP_WORDS]
        if (run[-1].start - run[0].start <= LOOP_SPAN_S
                and len({norm(w.text) for w in run}) <= LOOP_TOKENS):
            return k
    return None


def without_loops(decode: Decode) -> Decode:
    """`decode` whose loops are cut and the audio after them decoded again."""

    def guarded(samples: np.ndarray, offset: float, prompt: str | None,
                redecodes: int = MAX_REDECODES) -> list[Word]:
        check_wanted()
        words = decode(samples, offset, prompt)
        k = loop_start(words)
        if k is None:
            return words
        kept = _one_copy(words[:k + LOOP_TOKENS])
        resume = max(w.end for w in kept)
        first = int(round((resume - offset) * SAMPLE_RATE))
        rest = samples[first:]
        if redecodes <= 0 or len(rest) < MIN_REST_S * SAMPLE_RATE:
            return kept
        return kept + [w for w in guarded(rest, offset + first / SAMPLE_RATE, prompt,
                                          redecodes - 1)
                       if not _same_sound(w, kept[-1])]

    return guarded


def _one_copy(words: list[Word]) -> list[Word]:
    """`words` without a repeat that starts on the previous copy's sound."""
    out: list[Word] = []
    for w in words:
        if not (out and _same_sound(w, out[-1])):
            out.append(w)
    return out


def _same_sound(word: Word, before: Word) -> bool:
    return norm(word.text) == norm(before.text) and word.start - before.start < SAME_SOUND_S
