"""Acoustic filler candidates from VAD regions and word times (no audio needed)."""

from __future__ import annotations

from voicecoach.analysis.acoustic import acoustic_candidates, acoustic_fillers
from voicecoach.analysis.rules import ScoringRules
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.report import Filler

RULES = ScoringRules()
WORDS = [Word("we", 0.0, 0.2), Word("need", 0.2, 0.5), Word("the", 0.5, 0.6),
         Word("data", 0.6, 1.0), Word("first.", 2.0, 2.4)]


def test_isolated_voiced_stretch_without_a_word_is_a_filler():
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    (f,) = acoustic_fillers(WORDS, regions, RULES)
    assert (f.kind, f.start, f.end) == ("acoustic", 1.3, 1.65)


def test_isolated_stretch_under_one_unsure_word_is_a_filler():
    words = [*WORDS[:4], Word("and", 1.3, 1.6, probability=0.2), WORDS[4]]
    regions = [Span(0.0, 1.0), Span(1.3, 1.65), Span(2.0, 2.4)]
    assert len(acoustic_fillers(words, regions, RULES)) == 1
    sure = [*WORDS[:4], Word("and", 1.3, 1.6, probability=0.9), WORDS[4]]
    assert acoustic_fillers(sure, regions, RULES) == []


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
    assert acoustic_fillers(WORDS, regions, RULES, known) == []
