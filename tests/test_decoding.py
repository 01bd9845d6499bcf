"""What reaches the transcript: the plain decode's words, the primed decode's fillers.

The merge rules are checked on hand-built words (each rule one case); the engines on
real recorded speech (tests/corpus/real, MFA test data, MIT): fillers kept, nothing
invented, and the same audio always giving the same report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import JFK, read_samples

from voicecoach.asr.base import FILLER_PROMPT, TranscribeOptions, Word, decode_with_fillers
from voicecoach.asr.merge import merge_decodes
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.pipeline import score_file

REAL = Path(__file__).parent / "corpus" / "real"
UM = REAL / "mfa_clips" / "mfa_clip_um.wav"  # "montreal forced um aligner"
UHUM = REAL / "mfa_clips" / "mfa_clip_uhum.wav"  # "montreal forced uh um uh hm hm um ..."
COLD = REAL / "mfa_cold_corpus_monologue.wav"  # uh x4, um x1, an announced long pause

VOICE = [Span(1.2, 2.9), Span(3.8, 5.3), Span(6.2, 6.9)]


def words(*items: tuple[str, float, float]) -> list[Word]:
    return [Word(text, start, end) for text, start, end in items]


def texts(ws: list[Word]) -> list[str]:
    return [w.text for w in ws]


def test_a_phrase_only_the_primed_decode_wrote_is_dropped() -> None:
    plain = words(("Montreal", 1.2, 1.9), ("forced", 1.9, 2.9), ("a", 6.3, 6.4),
                  ("liner", 6.4, 6.8))
    primed = words(("Montreal", 1.2, 1.9), ("forced,", 1.9, 2.9), ("um,", 3.9, 5.1),
                   ("a", 6.3, 6.4), ("liner.", 6.4, 6.8), ("Thank", 6.8, 6.8),
                   ("you", 6.8, 6.8), ("very", 6.8, 6.8), ("much.", 6.8, 6.8))
    assert texts(merge_decodes(plain, primed, VOICE)) == \
        ["Montreal", "forced,", "um,", "a", "liner."]


def test_a_filler_with_no_voice_under_it_is_dropped() -> None:
    plain = words(("Montreal", 1.2, 1.9), ("forced", 1.9, 2.9))
    primed = words(("Montreal", 1.2, 1.9), ("forced,", 1.9, 2.9), ("uh,", 3.2, 3.5))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["Montreal", "forced,"]


def test_a_filler_standing_on_a_plain_word_does_not_replace_it() -> None:
    plain = words(("forced", 1.9, 2.9), ("a", 3.9, 4.3), ("liner", 6.4, 6.8))
    primed = words(("forced", 1.9, 2.9), ("uh", 3.9, 4.3), ("liner", 6.4, 6.8))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["forced", "a", "liner"]


def test_text_the_primed_decode_lost_is_kept_from_the_plain_one() -> None:
    plain = words(("Montreal", 1.2, 1.9), ("forced", 1.9, 2.9), ("a", 6.3, 6.4),
                  ("liner", 6.4, 6.8))
    primed = words(("Um,", 1.0, 1.2), ("Montreal.", 1.2, 1.9))
    assert texts(merge_decodes(plain, primed, VOICE)) == \
        ["Um,", "Montreal.", "forced", "a", "liner"]


class Decoder:
    """A decode call that records its prompts; words stamped in silence included."""

    def __init__(self) -> None:
        self.prompts: list[str | None] = []

    def __call__(self, samples, offset, prompt):
        self.prompts.append(prompt)
        said = [Word("ask", offset + 2.0, offset + 2.3)]
        if prompt:
            said.append(Word("uh", offset + 3.0, offset + 3.2))
        return said + [Word("Thanks.", offset + 20.0, offset + 20.0)]  # after the voice


def test_decoding_asks_plain_first_and_primed_only_with_the_prompt_on() -> None:
    samples = read_samples(JFK)
    off = Decoder()
    assert texts(decode_with_fillers(off, samples, 0.0, TranscribeOptions())) == ["ask"]
    assert off.prompts == [None]
    on = Decoder()
    out = decode_with_fillers(on, samples, 5.0, TranscribeOptions(filler_prompt=True))
    assert on.prompts == [None, FILLER_PROMPT]
    assert texts(out) == ["ask", "uh"] and out[0].start == 7.0  # "Thanks." had no voice


# -- real engines on real voices ---------------------------------------------------------


def report_json(path: Path, engine, settings: Settings) -> dict:
    data = json.loads(score_file(path, engine, settings).to_json())
    data.pop("timing", None)
    return data


@pytest.mark.slow
def test_real_filler_is_kept_and_nothing_invented_faster_whisper(app_faster_engine) -> None:
    report = score_file(UM, app_faster_engine, Settings())
    said = [w.text.lower().strip(",.") for w in report.words]
    assert "um" in said
    assert not {"thank", "you", "watching"} & set(said)  # what the primed decode invents


@pytest.mark.slow
def test_same_audio_same_report_faster_whisper(app_faster_engine) -> None:
    """Three scorings of real hesitant speech: identical reports, word for word."""
    first = report_json(COLD, app_faster_engine, Settings())
    assert first["fillers"], "the cold monologue has um/uh"
    for _ in range(2):
        assert report_json(COLD, app_faster_engine, Settings()) == first


@pytest.mark.slow
def test_same_audio_same_report_openai_whisper(app_openai_engine) -> None:
    settings = Settings(engine="openai-whisper")
    first = report_json(UHUM, app_openai_engine, settings)
    for _ in range(2):
        assert report_json(UHUM, app_openai_engine, settings) == first
