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
from voicecoach.asr.loops import loop_start, without_loops
from voicecoach.asr.merge import merge_decodes
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.pipeline import score_file

REAL = Path(__file__).parent / "corpus" / "real"
UM = REAL / "mfa_clips" / "mfa_clip_um.wav"  # "montreal forced um aligner"
UHUM = REAL / "mfa_clips" / "mfa_clip_uhum.wav"  # "montreal forced uh um uh hm hm um ..."
COLD = REAL / "mfa_cold_corpus_monologue.wav"  # uh x4, um x1, an announced long pause
UHUH = REAL / "mfa_clips" / "mfa_clip_uhuh.wav"  # "montreal uh uh uh uh uh uh forced aligner"
CUTOFF = REAL / "mfa_clips" / "mfa_clip_cutoff.wav"  # "mont- montreal mont- ... forced", no filler

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


def test_a_filler_the_plain_decode_misheard_as_a_word_replaces_it() -> None:
    """flite's short "er" reads as "Her" plainly and as "er" primed: it is a filler."""
    plain = words(("baseline.", 1.2, 2.9), ("Her,", 3.9, 4.2), ("like", 4.4, 4.8))
    primed = words(("baseline.", 1.2, 2.9), ("er,", 3.85, 4.25), ("like", 4.4, 4.8))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["baseline.", "er,", "like"]
    # Any other word the filler stands on stays, and so does a misheard-looking word
    # the primed decode did not hear as a filler.
    plain = words(("baseline.", 1.2, 2.9), ("Hurry,", 3.9, 4.2), ("like", 4.4, 4.8))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["baseline.", "Hurry,", "like"]
    plain = words(("this", 1.2, 2.9), ("or", 3.9, 4.2), ("that", 4.4, 4.8))
    primed = words(("this,", 1.2, 2.9), ("oar", 3.9, 4.2), ("that", 4.4, 4.8))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["this,", "or", "that"]


def test_one_short_word_against_one_filler_is_the_filler_misheard() -> None:
    """Where the decodes differ only by a short word against a filled pause at the same
    moment, the word was the filler ("slow, and it takes" for "slow, um, it takes";
    "I'm" for "um" on a real clip)."""
    plain = words(("slow,", 1.5, 1.9), ("and", 4.3, 4.3), ("it", 4.3, 4.6))
    primed = words(("slow,", 1.5, 1.9), ("um,", 4.3, 4.3), ("it", 4.3, 4.6))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["slow,", "um,", "it"]
    # Not when the filler is elsewhere, the word is long, or more than one word differs.
    primed = words(("slow,", 1.5, 1.9), ("um,", 4.9, 5.0), ("it", 4.3, 4.6))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["slow,", "and", "it", "um,"]
    plain = words(("slow,", 1.5, 1.9), ("anyway", 4.0, 4.4), ("it", 4.4, 4.6))
    primed = words(("slow,", 1.5, 1.9), ("um,", 4.1, 4.3), ("it", 4.4, 4.6))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["slow,", "anyway", "it"]
    plain = words(("slow,", 1.5, 1.9), ("and", 4.0, 4.2), ("then", 4.2, 4.4))
    primed = words(("slow,", 1.5, 1.9), ("um,", 4.0, 4.4))
    assert texts(merge_decodes(plain, primed, VOICE)) == ["slow,", "and", "then"]


def test_one_filler_written_by_both_decodes_is_kept_once() -> None:
    """The MFA `uhuh` clip: the decodes did not align their last "uh", and each kept
    its own copy at one instant."""
    plain = words(("uh,", 4.52, 4.7), ("uh,", 4.7, 4.86), ("uh,", 4.86, 4.88),
                  ("uh,", 5.46, 5.46), ("or", 5.46, 5.66))
    primed = words(("uh,", 4.48, 4.68), ("uh,", 4.68, 4.86), ("uh,", 5.44, 5.5),
                   ("We're", 5.5, 5.68))
    merged = merge_decodes(plain, primed, VOICE)
    # Back to back is two; one stamped inside another is one.
    assert [(w.text, w.start) for w in merged] == \
        [("uh,", 4.48), ("uh,", 4.68), ("uh,", 5.44), ("or", 5.46)]


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


def test_a_loop_is_cut_and_the_audio_after_it_decoded_again() -> None:
    """A decode that loops on "uh" at 5.5 s: one "uh" kept, the rest decoded anew."""
    calls: list[float] = []

    def looping(samples, offset: float, prompt):
        calls.append(offset)
        if len(calls) == 1:  # the chunk: "Montreal, uh," then "uh" forever at 5.5 s
            return words(("Montreal,", 0.7, 1.3), ("uh,", 4.5, 4.7),
                         *[("uh,", 5.5, 5.5)] * 60)
        return words(("uh,", offset + 0.02, offset + 0.05), ("forced", offset + 0.2,
                      offset + 0.5), ("aligner.", offset + 0.5, offset + 1.0))

    samples = read_samples(JFK)[: 8 * 16_000]
    out = without_loops(looping)(samples, 0.0, None)
    assert texts(out) == ["Montreal,", "uh,", "uh,", "forced", "aligner."]
    assert calls == [0.0, 5.5]  # the rest, from the loop's first word on


def test_a_loop_is_told_from_real_repeats() -> None:
    # "uh, uh, uh" said one after another is speech; four copies in 0.2 s are not.
    spoken = words(("uh", 1.0, 1.2), ("uh", 1.5, 1.7), ("uh", 2.0, 2.2), ("uh", 2.4, 2.6))
    assert loop_start(spoken) is None
    crushed = words(("the", 3.0, 3.1), ("model", 3.1, 3.4), ("model", 3.4, 3.4),
                    ("model", 3.4, 3.4), ("model", 3.45, 3.45), ("model", 3.5, 3.5))
    assert loop_start(crushed) == 2  # the first copy had a time of its own
    # A few different words crushed together at a chunk end are not a loop.
    assert loop_start(words(("for", 6.93, 6.93), ("a", 6.93, 7.0), ("still", 7.0, 7.0),
                            ("liner", 7.0, 7.1))) is None


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
@pytest.mark.parametrize("engine_fixture", ["app_faster_engine", "app_openai_engine"])
def test_hesitant_speech_does_not_loop(engine_fixture, request) -> None:
    """tiny.en at temperature 0 looped on this clip: 112 "uh"s at one instant and
    "forced aligner" lost. Now: about the six "uh"s said, and words after them."""
    engine = request.getfixturevalue(engine_fixture)
    report = score_file(UHUH, engine, Settings(engine=engine.name))
    said = [w.text.lower().strip(",.") for w in report.words]
    assert 4 <= said.count("uh") <= 8, said
    assert report.words[-1].start > 5.4 and said[-1] != "uh", said
    uhs = [w for w in report.words if w.text.lower().strip(",.") == "uh"]
    assert all(b.start >= a.end and b.start > a.start for a, b in zip(uhs, uhs[1:])), \
        "two at one instant"


@pytest.mark.slow
def test_cut_off_words_are_not_flagged_as_fillers(app_faster_engine) -> None:
    """Real speech: "mont- montreal, for- forced" leaves voice with no word under it,
    which is not an "um". The `isolated` trace flagged three such stretches here."""
    report = score_file(CUTOFF, app_faster_engine, Settings())
    assert [f for f in report.fillers if f.kind in ("acoustic", "filled_pause")] == []


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


@pytest.mark.slow
def test_the_silence_after_the_last_word_is_not_decoded(app_faster_engine) -> None:
    """Whisper decodes the audio after a window's last word as a window of its own: a
    second encoder pass, and on that sliver the primed decode wrote "Thank you so much
    for watching" and then "see you next time" until its 448-token limit (193 words,
    7 s of beam search for 8 s of audio). The voice ends in the first window, so one
    window is decoded and nothing is written after the voice."""
    engine = app_faster_engine
    samples = read_samples(REAL / "mfa_acoustic_corpus_monologue.wav")[20 * 16_000:28 * 16_000]
    windows: list[int] = []
    encode = engine._model.encode

    def counted(features):
        windows.append(1)
        return encode(features)

    engine._model.encode = counted
    try:
        primed = engine._decode(samples, 0.0, FILLER_PROMPT)
    finally:
        engine._model.encode = encode
    said = [w.text.lower().strip(",.") for w in primed]
    assert len(windows) == 1, said
    assert not {"watching", "next", "time"} & set(said), said
    assert said[:3] == ["some", "more", "words"], said


@pytest.mark.slow
@pytest.mark.parametrize("engine_fixture", ["app_faster_engine", "app_openai_engine"])
def test_a_decode_no_longer_wanted_stops_and_leaves_the_engine_whole(engine_fixture,
                                                                      request) -> None:
    """The streaming transcriber drops its guess at the open chunk once the speaker goes
    on (`voicecoach.asr.cancel`). The stopped call gives no words, and the engine's next
    call (the chunk that is needed) gives the same words as ever: nothing half-done,
    such as a primed decode still running beside it, leaks into it."""
    from voicecoach.asr.cancel import DecodeCancelled, unless

    engine = request.getfixturevalue(engine_fixture)
    samples = read_samples(JFK)
    before = engine.transcribe(samples)
    asked: list[int] = []

    def unwanted_once_started() -> bool:
        asked.append(1)
        return len(asked) > 2  # after the first steps: inside the call, not before it

    with pytest.raises(DecodeCancelled), unless(unwanted_once_started):
        engine.transcribe(samples)
    with pytest.raises(DecodeCancelled), unless(lambda: True):
        engine.transcribe(samples)
    with unless(lambda: False):
        assert engine.transcribe(samples) == before
    assert engine.transcribe(samples) == before
