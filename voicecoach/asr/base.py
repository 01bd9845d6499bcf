"""The one small interface every speech engine implements.

An engine takes a chunk of 16 kHz mono float32 audio and the chunk's offset in the
whole recording, and returns words with *absolute* times. The batch pipeline feeds it
speech chunks cut at pauses; a streaming recorder can feed it utterances as they close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000

# Whisper drops disfluencies; a prompt that shows them in running speech makes it keep
# more. A bare list ("Um, uh, hmm, er, ah.") kept fewer (docs/scoring.md, "Choosing the
# filler prompt"); longer prompts are known to drop whole sentences, so keep it short.
FILLER_PROMPT = "So, um, I was, uh, thinking, er, that we, ah, hmm, could try."
# Even this prompt sometimes drops the rest of a chunk after its first sentence
# (whisperX #693): when the words cover less than this share of the chunk's voiced
# time, the chunk is decoded again without the prompt (docs/scoring.md measures it).
MIN_PRIMED_COVERAGE = 0.6
# A cut-short decode often stretches its last word to the end of the chunk; no word
# takes longer than this to say, so no word counts for more.
MAX_WORD_S = 1.0
# The prompt can also skip the middle of a chunk ("So, I would [7 s of speech] that
# risk."): voice this long with no word on it is text the decode lost.
MAX_UNHEARD_S = 2.0


@dataclass(frozen=True)
class Word:
    """One recognised word; times are seconds from the start of the audio."""

    text: str
    start: float
    end: float
    probability: float = 1.0

    def shifted(self, offset: float) -> Word:
        return Word(self.text, self.start + offset, self.end + offset, self.probability)


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings shared by both engines."""

    language: str = "en"
    beam_size: int = 5
    filler_prompt: bool = False
    filler_prompt_text: str = FILLER_PROMPT
    # Guards against text invented over silence (see GUIDE: openai/whisper #621).
    condition_on_previous_text: bool = False
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4


class Engine(Protocol):
    """A loaded speech-to-text model."""

    name: str  # "faster-whisper" | "openai-whisper"
    model: str  # the model's name or path, as shown to the user

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
        """Words spoken in `samples` (16 kHz mono float32), times shifted by `offset`."""
        ...


Decode = Callable[[np.ndarray, float, "str | None"], list[Word]]


def decode_with_filler_guard(decode: Decode, samples: np.ndarray, offset: float,
                             options: TranscribeOptions) -> list[Word]:
    """Decode with the filler prompt when it is on, falling back where it lost text.

    `decode(samples, offset, initial_prompt)` is the engine's own decoding call.
    """
    if not options.filler_prompt:
        return decode(samples, offset, None)
    words = decode(samples, offset, options.filler_prompt_text)
    if lost_text([w.shifted(-offset) for w in words], samples):
        return decode(samples, offset, None)
    return words


def lost_text(words: list[Word], samples: np.ndarray) -> bool:
    """Did the decode lose text: do its words (times within `samples`) cover much less
    time than the voice, or leave a long stretch of voice with no word at all?"""
    from voicecoach.audio.vad import speech_regions

    regions = speech_regions(samples)
    voiced = sum(r.duration for r in regions)
    if voiced <= 1.0:
        return False
    heard = [(w.start, min(w.end, w.start + MAX_WORD_S)) for w in words]
    covered = sum(b - a for a, b in heard)
    return covered < MIN_PRIMED_COVERAGE * voiced or \
        longest_unheard(regions, heard) >= MAX_UNHEARD_S


def longest_unheard(regions: list, heard: list[tuple[float, float]]) -> float:
    """The longest stretch inside the voiced `regions` that no (start, end) covers."""
    longest = 0.0
    for region in regions:
        t = region.start
        for a, b in sorted(heard):
            if b <= t or a >= region.end:
                continue
            longest = max(longest, min(a, region.end) - t)
            t = max(t, b)
        longest = max(longest, region.end - t)
    return longest


def clean_word(text: str) -> str:
    """Whisper words carry their leading space; keep the token, drop the padding."""
    return text.strip()
