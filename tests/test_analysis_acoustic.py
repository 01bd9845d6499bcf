"""Acoustic filler candidates from VAD regions and word times (no audio needed)."""

from __future__ import annotations

from voicecoach.analysis.acoustic import acoustic_candidates, acoustic_fillers
from voicecoach.analysis.rules import ScoringRules
from voicecoach.asr.base import Word
from voicecoach.audio.islands import Island
from voicecoach.audio.vad import Span
from voicecoach.report import Filler

RULES = ScoringRules()
# "isolated" is computed but not flagged by default (real speech: mostly cut-off words).
ISOLATED = RULES.replace(acoustic_traces=("isolated", "island"))
WORDS = [Word("we", 0.0, 0.2), Word("need", 0.2, 0.5), Word("the", 0.5, 0.6),
         Word("data", 0.6, 1.0), Word("first.", 2.0, 2.4)]


def test_isolated_voiced_stretch_without_a_word_is_a_filler_candidate():
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    (f,) = acoustic_fillers(WORDS, regions, ISOLATED)
    assert (f.kind, f.start, f.end) == ("acoustic", 1.3, 1.65)
    # Listed, not flagged, by default: on real speech such a stretch was mostly a
    # cut-off word Whisper did not write ("for- force"), 1 filler in 6 (docs/scoring.md).
    assert [t for _, t in acoustic_candidates(WORDS, regions, RULES)] == ["isolated"]
    assert acoustic_fillers(WORDS, regions, RULES) == []


def test_isolated_stretch_under_one_unsure_word_is_a_filler():
    words = [*WORDS[:4], Word("and", 1.3, 1.6, probability=0.2), WORDS[4]]
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    assert len(acoustic_fillers(words, regions, ISOLATED)) == 1
    sure = [*WORDS[:4], Word("and", 1.3, 1.6, probability=0.9), WORDS[4]]
    assert acoustic_fillers(sure, regions, ISOLATED) == []


def test_no_flag_outside_the_answer_or_when_too_short_or_long():
    before = [Span(-0.0, 0.0), Span(0.0, 1.0), Span(2.0, 2.4)]
    assert acoustic_fillers(WORDS[1:], [Span(0.0, 0.18), *before[1:]], RULES) == []
    for span in (Span(1.3, 1.4), Span(1.2, 1.2 + RULES.acoustic_max_s + 0.3)):
        regions = [Span(0.0, 1.0), span, Span(2.0 + 0.5, 2.9)]
        words = [*WORDS[:4], Word("first.", 2.5, 2.9)]
        assert acoustic_fillers(words, regions, RULES) == []


def test_imprecise_traces_are_candidates_only():
    # A voiced gap between two words of one utterance: Whisper's timing leaves these
    # around commas too, so by default it is listed, not flagged (docs/scoring.md).
    words = [Word("we", 0.0, 0.3), Word("check", 0.8, 1.2)]
    regions = [Span(0.0, 1.2)]
    assert [t for _, t in acoustic_candidates(words, regions, RULES)] == ["between"]
    assert acoustic_fillers(words, regions, RULES) == []
    loose = RULES.replace(acoustic_traces=("isolated", "between"))
    assert len(acoustic_fillers(words, regions, loose)) == 1


def test_known_fillers_are_not_counted_twice():
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    known = [Filler("um", 1.35, 1.6, "filled_pause")]
    assert len(acoustic_fillers(WORDS, regions, ISOLATED)) == 1
    assert acoustic_fillers(WORDS, regions, ISOLATED, known) == []


def test_short_word_held_far_too_long_is_a_long_word_candidate():
    # "features, [uh] and check": Whisper stretches "and" over the dropped "uh".
    words = [Word("features,", 0.0, 0.5), Word("and", 0.5, 1.2), Word("check", 1.2, 1.5)]
    regions = [Span(0.0, 1.5)]
    assert [t for _, t in acoustic_candidates(words, regions, RULES)] == ["long-word"]
    assert acoustic_fillers(words, regions, RULES) == []  # listed, not flagged
    # A number is said as several words, and a normal "and" is short: neither counts.
    for w in (Word("300", 0.5, 1.2), Word("and", 0.5, 0.75)):
        assert "long-word" not in [t for _, t in acoustic_candidates(
            [words[0], w, Word("check", w.end, w.end + 0.3)], [Span(0.0, w.end + 0.3)], RULES)]


def test_pitched_island_under_no_word_or_an_unsure_short_word_is_a_filler():
    # "features, [uh] check": Whisper wrote nothing for the "uh", or heard "or".
    regions = [Span(0.0, 1.6)]
    uh = Island(0.62, 0.78, periodic=1.0)
    words = [Word("features,", 0.0, 0.55), Word("check", 0.9, 1.3)]
    (f,) = acoustic_fillers(words, regions, RULES, islands=[uh])
    assert (f.start, f.end) == (0.62, 0.78)
    heard_or = [words[0], Word("or", 0.6, 0.8, probability=0.4), words[1]]
    assert len(acoustic_fillers(heard_or, regions, RULES, islands=[uh])) == 1


def test_island_that_is_a_word_or_a_consonant_is_not_a_filler():
    regions = [Span(0.0, 1.6)]
    uh = Island(0.62, 0.78, periodic=1.0)
    for said in (Word("or", 0.6, 0.8, probability=0.95),  # sure of a real word
                 Word("checked", 0.6, 0.9, probability=0.5)):  # a long word
        words = [Word("features,", 0.0, 0.55), said, Word("check", 0.9, 1.3)]
        assert acoustic_fillers(words, regions, RULES, islands=[uh]) == []
    hiss = Island(0.62, 0.78, periodic=0.3)  # the "st" of a word split at its closure
    words = [Word("features,", 0.0, 0.55), Word("check", 0.9, 1.3)]
    assert acoustic_fillers(words, regions, RULES, islands=[hiss]) == []


def test_traces_pointing_at_one_filler_flag_it_once():
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    island = Island(1.32, 1.6, periodic=1.0)
    assert len(acoustic_fillers(WORDS, regions, RULES, islands=[island])) == 1


def test_island_just_before_a_sentence_is_that_sentences_first_word():
    # "...the data. [We] need": Whisper put "We" late, after its own onset.
    regions = [Span(0.0, 2.0)]
    onset = Island(0.8, 0.9, periodic=1.0)
    words = [Word("the", 0.0, 0.2), Word("data.", 0.2, 0.6), Word("We", 1.1, 1.3),
             Word("need", 1.3, 1.6)]
    assert acoustic_fillers(words, regions, RULES, islands=[onset]) == []
    # Mid-sentence, the same island is a filler.
    words[1] = Word("data,", 0.2, 0.6)
    assert len(acoustic_fillers(words, regions, RULES, islands=[onset])) == 1


def test_isolated_region_that_is_a_late_sentence_opener_or_the_first_word_is_not_a_filler():
    # "...the data. [Then,] we evaluate": Whisper wrote "Then" 0.15 s after its voice.
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(1.8, 2.6)]
    words = [Word("the", 0.0, 0.4), Word("data.", 0.4, 1.0), Word("Then,", 1.8, 2.0),
             Word("we", 2.0, 2.2), Word("evaluate", 2.2, 2.6)]
    assert acoustic_fillers(words, regions, ISOLATED) == []
    # "Okay," said alone before the answer goes on is the answer's first word.
    okay = [Word("Okay,", 0.0, 0.4, probability=0.4), Word("so", 1.0, 1.2),
            Word("we", 1.2, 1.5)]
    assert acoustic_fillers(okay, [Span(0.0, 0.45), Span(1.0, 1.5)], ISOLATED) == []


def test_island_just_before_a_word_whisper_gave_no_duration_is_that_word():
    # "as possible, [finally,] monitoring": Whisper put "finally," at 1.10-1.10.
    regions = [Span(0.0, 2.0)]
    island = Island(0.62, 1.05, periodic=1.0)
    words = [Word("as", 0.0, 0.2), Word("possible,", 0.2, 0.55), Word("finally,", 1.1, 1.1),
             Word("monitoring,", 1.3, 1.8)]
    assert acoustic_fillers(words, regions, RULES, islands=[island]) == []
