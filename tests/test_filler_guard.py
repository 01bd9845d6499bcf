"""The filler prompt's fallback: a chunk whose primed words lost text is decoded again."""

from __future__ import annotations

from conftest import JFK, read_samples

from voicecoach.asr.base import (
    FILLER_PROMPT,
    TranscribeOptions,
    Word,
    decode_with_filler_guard,
    longest_unheard,
)
from voicecoach.audio.vad import Span

# What tiny.en gave for jfk.wav (22 words over ~10 s of voice), and a primed decode
# that stopped after its first sentence, as whisperX #693 describes.
FULL = [Word(f"w{i}", 0.3 + i * 0.45, 0.3 + i * 0.45 + 0.4) for i in range(22)]
CUT = FULL[:4]


class Decoder:
    """A decode call that records the prompts it was given."""

    def __init__(self, primed: list[Word], plain: list[Word]) -> None:
        self.primed, self.plain, self.prompts = primed, plain, []

    def __call__(self, samples, offset, prompt):
        self.prompts.append(prompt)
        words = self.primed if prompt else self.plain
        return [w.shifted(offset) for w in words]


def test_primed_decode_that_lost_text_is_redone_without_the_prompt():
    decode = Decoder(primed=CUT, plain=FULL)
    words = decode_with_filler_guard(decode, read_samples(JFK), 5.0,
                                     TranscribeOptions(filler_prompt=True))
    assert decode.prompts == [FILLER_PROMPT, None]
    assert len(words) == 22 and words[0].start == FULL[0].start + 5.0


def test_complete_primed_decode_is_kept():
    decode = Decoder(primed=FULL, plain=[])
    words = decode_with_filler_guard(decode, read_samples(JFK), 0.0,
                                     TranscribeOptions(filler_prompt=True))
    assert decode.prompts == [FILLER_PROMPT]
    assert len(words) == 22


def test_prompt_off_decodes_once_plainly():
    decode = Decoder(primed=[], plain=FULL)
    decode_with_filler_guard(decode, read_samples(JFK), 0.0,
                             TranscribeOptions(filler_prompt=False))
    assert decode.prompts == [None]


def test_prompt_wording_comes_from_the_options():
    decode = Decoder(primed=FULL, plain=[])
    decode_with_filler_guard(decode, read_samples(JFK), 0.0,
                             TranscribeOptions(filler_prompt=True, filler_prompt_text="Um, so."))
    assert decode.prompts == ["Um, so."]


def test_cut_decode_whose_last_word_runs_to_the_end_is_redone():
    # tiny.en, primed, on a 23 s answer: 19 words, then "the" stretched over the 17 s
    # Whisper never transcribed. Word time alone would call that covered.
    stretched = [*CUT, Word("the", CUT[-1].end, 10.9)]
    decode = Decoder(primed=stretched, plain=FULL)
    words = decode_with_filler_guard(decode, read_samples(JFK), 0.0,
                                     TranscribeOptions(filler_prompt=True))
    assert decode.prompts == [FILLER_PROMPT, None] and len(words) == 22


def test_decode_that_skipped_the_middle_of_the_chunk_is_redone():
    # openai-whisper, primed, on a 24 s answer: "So, I would [7 s of speech] that
    # risk." Here: words cover 66% of the voice (the coverage rule lets it pass), but
    # 2.3 s of voice in one stretch has no word at all.
    skipped = [w for w in FULL if not 3.0 < w.start < 5.5]
    decode = Decoder(primed=skipped, plain=FULL)
    decode_with_filler_guard(decode, read_samples(JFK), 0.0,
                             TranscribeOptions(filler_prompt=True))
    assert decode.prompts == [FILLER_PROMPT, None]


def test_longest_unheard_measures_voice_no_word_covers():
    regions = [Span(0.0, 5.0), Span(6.0, 8.0)]
    assert longest_unheard(regions, [(0.0, 1.0), (3.5, 5.0), (6.0, 8.0)]) == 2.5
    assert longest_unheard(regions, []) == 5.0
