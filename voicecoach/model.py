"""The data model every layer shares: the audio format, words, time spans.

The bottom layer (docs/architecture.md): it imports nothing from voicecoach, so audio,
asr, analysis, the store and the report can all use these types without importing
each other. The report's own dataclasses live in voicecoach.report, one step above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAMPLE_RATE = 16_000  # every sample array in voicecoach: float32, mono, 16 kHz
MAX_ANSWER_S = 30 * 60  # the longest answer voicecoach records or scores (README)

# Words that are filled pauses, whatever their punctuation or case.
FILLED_PAUSES = ("um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh",
                 "hmm", "hm", "mm", "mmm", "eh")
UNSAID = "(filler)"  # a filler heard in the audio where the transcript has no word

_EDGE_PUNCT = re.compile(r"^[^\w']+|[^\w']+$")


def norm(text: str) -> str:
    """Lower-case token without surrounding punctuation: ' Um,' -> 'um'."""
    return _EDGE_PUNCT.sub("", text.lower())


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
class Span:
    """A stretch of time in seconds from the audio start."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def samples(self) -> tuple[int, int]:
        """The first and past-the-last sample of this stretch at SAMPLE_RATE."""
        return int(self.start * SAMPLE_RATE), int(self.end * SAMPLE_RATE)


@dataclass(frozen=True)
class Island(Span):
    """A syllable-sized stretch of voice set off by silence (voicecoach.audio.islands)."""

    periodic: float = 0.0  # share of frames with a clear pitch, 0..1
