"""The one small interface every speech engine implements.

An engine takes a chunk of 16 kHz mono float32 audio and the chunk's offset in the
whole recording, and returns words with *absolute* times. The batch pipeline feeds it
speech chunks cut at pauses; a streaming recorder can feed it utterances as they close.
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from voicecoach.asr.cancel import check_wanted

# The shared types live in the model layer; engines and callers keep importing them here.
from voicecoach.model import FILLED_PAUSES, SAMPLE_RATE, Word, norm  # noqa: F401

# Whisper drops disfluencies; a prompt that shows them in running speech makes it keep
# more. A bare list ("Um, uh, hmm, er, ah.") kept fewer (docs/scoring.md, "Choosing the
# filler prompt"); longer prompts are known to drop whole sentences, so keep it short.
# The same prompt also invents words (in silences, at chunk ends) and drops others, so
# its decode only ever contributes filled pauses: see `decode_with_fillers`.
FILLER_PROMPT = "So, um, I was, uh, thinking, er, that we, ah, hmm, could try."
# No temperature fallback: sampling again at a higher temperature when a decode fails
# its thresholds is random, and seeding it does not make it repeatable (CTranslate2's
# generators are per thread and seeded once: the same chunk decoded three times in one
# process gave two different transcripts). Same audio, same words comes first; the
# cost is that tiny.en can loop on hesitant speech ("uh, uh, uh, ..."): a deterministic
# guard cuts the loop and decodes the rest again (`voicecoach.asr.loops`).
TEMPERATURES = (0.0,)
SEED = 0
# A loop runs to the model's limit (448 tokens: 7-9 s of beam search for a few seconds
# of audio); fast speech with fillers is under 7 tokens a second, so a decode gets
# TOKENS_PER_S per second of its audio (plus TOKENS_MIN) and no more.
TOKENS_PER_S = 10
TOKENS_MIN = 24
# Once the words reach the chunk's last voice (within TAIL_S), the audio after them is
# not decoded: Whisper would decode that sliver as a window of its own (a full encoder
# pass), and on padding and breath it invents words ("Thank you for watching").
TAIL_S = 0.3

@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings shared by both engines."""

    language: str = "en"
    # Beam 3 against 5 on the full validation corpus: the same synthetic numbers and
    # real monologues' WER, one real filler fewer (24/26 against 25/26), and 0.1 s less
    # at the stop key (docs/scoring.md, "Decoding cost").
    beam_size: int = 3
    filler_prompt: bool = False
    filler_prompt_text: str = FILLER_PROMPT
    # Guards against text invented over silence (see GUIDE: openai/whisper #621).
    condition_on_previous_text: bool = False
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    temperatures: tuple[float, ...] = TEMPERATURES
    seed: int = SEED  # set before every decode call, for a fallback if one is configured
    # The primed decode only lends fillers and the times of words the plain one also
    # wrote (`merge_decodes`), so it searches greedily: half the cost of a beam.
    primed_beam_size: int = 1
    # A word Whisper itself gives less than this is more often not what was said: on
    # the real validation clips 8 of the 9 such words were wrong. Dropping them took
    # the invented phrases from 5 + 2 to 3 + 1 at the same filler numbers and WER
    # (docs/scoring.md, "Decoding cost"). Filled pauses are judged by voice instead.
    min_word_probability: float = 0.1

    def beam_for(self, prompt: str | None) -> int:
        """The beam width of the plain decode (no prompt) or of the primed one."""
        return self.primed_beam_size if prompt else self.beam_size


class Engine(Protocol):
    """A loaded speech-to-text model."""

    name: str  # "faster-whisper" | "openai-whisper"
    model: str  # the model's name or path, as shown to the user

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
        """Words spoken in `samples` (16 kHz mono float32), times shifted by `offset`."""
        ...


Decode = Callable[[np.ndarray, float, "str | None"], list[Word]]


def decode_with_fillers(decode: Decode, samples: np.ndarray, offset: float,
                        options: TranscribeOptions,
                        side: Executor | None = None) -> list[Word]:
    """The plain decode's words, plus the filled pauses only the primed decode heard;
    no word without voice under it.

    `decode(samples, offset, initial_prompt)` is the engine's own decoding call. The
    plain decode is the authority on what was said; the primed one may add a filler
    where it has voice under it, and lends its punctuation and word times where both
    agree (see `voicecoach.asr.merge`). With `side`, an engine whose decodes may run
    at once has the primed decode run there while this thread decodes plainly.
    """
    from voicecoach.asr.loops import without_loops
    from voicecoach.asr.merge import heard, merge_decodes
    from voicecoach.audio.vad import speech_regions

    decode = without_loops(decode)  # checks `check_wanted` before each decode
    voiced = [type(r)(r.start + offset, r.end + offset) for r in speech_regions(samples)]
    primed = None
    if options.filler_prompt and side is not None:
        # The side thread runs in this context: it hears `unless` too.
        primed = side.submit(contextvars.copy_context().run, decode, samples, offset,
                             options.filler_prompt_text)
    words = decode(samples, offset, None)
    if options.filler_prompt:
        check_wanted()
        words = merge_decodes(words, primed.result() if primed is not None
                              else decode(samples, offset, options.filler_prompt_text),
                              voiced)
    return [w for w in words if heard(w, voiced, options.min_word_probability)]


def token_budget(n_samples: int) -> int:
    """The most tokens a decode of `n_samples` of audio may write (see TOKENS_PER_S)."""
    return TOKENS_MIN + int(TOKENS_PER_S * n_samples / SAMPLE_RATE)


def voice_end(samples: np.ndarray) -> float:
    """Seconds from the start of `samples` to the end of its last voice (0: none)."""
    from voicecoach.audio.vad import speech_regions

    regions = speech_regions(samples)
    return regions[-1].end if regions else 0.0


def reached_voice_end(last_word_end: float, end_of_voice: float) -> bool:
    """Do words ending at `last_word_end` cover the audio's voice (see TAIL_S)?"""
    return last_word_end >= end_of_voice - TAIL_S


def clean_word(text: str) -> str:
    """Whisper words carry their leading space; keep the token, drop the padding."""
    return text.strip()


def last_result_cache(encode: Callable[[Any], Any], key_of: Callable[[Any], bytes]
                      ) -> Callable[[Any], Any]:
    """`encode` that reuses its last result for the same features.

    The plain and the filler-primed decode of one chunk hear the same audio: the
    encoder pass (a fixed 30 s window, the largest single cost of a short chunk) is
    then paid once. The key is a digest of the features, so nothing stale is reused.
    Calls are serialised: when both decodes start at once, the second waits for the
    first one's pass instead of running its own.
    """
    last: list[tuple[bytes, Any]] = []
    lock = threading.Lock()

    def cached(features: Any) -> Any:
        key = hashlib.blake2b(key_of(features), digest_size=16).digest()
        with lock:
            if last and last[0][0] == key:
                return last[0][1]
            result = encode(features)
            last[:] = [(key, result)]
            return result

    return cached
