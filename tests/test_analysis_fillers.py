"""Lexical fillers: context rules first (precision), then repetitions and bursts."""

from __future__ import annotations

import pytest

from tools.synthetic import words_from_text
from voicecoach.analysis.fillers import bursts, crutch_openers, lexical_fillers
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import build_transcript
from voicecoach.report import Filler

RULES = ScoringRules()


def fillers(text: str) -> list[Filler]:
    return lexical_fillers(build_transcript(words_from_text(text)), RULES)


def texts(text: str, kind: str | None = None) -> list[str]:
    return [f.text.strip(",. ").lower() for f in fillers(text) if kind in (None, f.kind)]


@pytest.mark.parametrize("text", [
    "I'd like to start with the data.",
    "It looks like the labels are noisy.",
    "We need some kind of model that handles missing values.",
    "What sort of drift do we expect?",
    "You know the answer depends on latency.",
    "That's right, and I mean that literally.",
    "So the plan is clear. Well, the data comes first.",
    "Actually the simple model works well, so we keep it.",
    "Features like the account age matter most.",
    "I would like a baseline, something like logistic regression.",
])
def test_no_false_fillers(text):
    assert fillers(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("We could, like, learn the threshold.", ["like"]),
    ("The model is, you know, too slow.", ["you know"]),
    ("It is, I mean, a ranking problem.", ["i mean"]),
    ("It is basically a lookup table.", ["basically"]),
    ("The latency is, kind of, too high.", ["kind of"]),
])
def test_discourse_fillers_set_off_by_commas(text, expected):
    assert texts(text, "discourse") == expected


def test_filled_pauses_always_count():
    assert texts("So, um, the data, uh, comes first. Hmm.") == ["um", "uh", "hmm"]


def test_repetitions_whole_words_and_phrases():
    # One restart is one filler, over the abandoned first copy only.
    assert texts("The the model is I I think fine.", "repetition") == ["the", "i"]
    assert texts("I think I think we need data.", "repetition") == ["i think"]


def test_we_should_we_should_is_one_restart_and_strikes_one_copy():
    """Issue #12: "we should, we should" struck both copies as fillers."""
    from tools.synthetic import report_from_text
    from voicecoach.analysis.scoring import score_report
    from voicecoach.marks import collect_marks, word_kinds

    report = report_from_text("So I think we should, we should use a simple baseline here.")
    score_report(report)
    (rep,) = [f for f in report.fillers if f.kind == "repetition"]
    struck = [w.text for w, k in zip(report.words, word_kinds(report, collect_marks(report)))
              if k == "filler"]
    assert struck == ["we", "should,"]
    assert report.metrics.filler_count == 1
    # Grammatical doubles and numbers are not restarts.
    assert texts("I know that that works, we had had it, one in 10 10 cases.",
                 "repetition") == []


def test_bursts_weigh_clusters_not_totals():
    f = [Filler("um", t, t + 0.3, "filled_pause") for t in (1.0, 2.0, 3.5, 30.0, 60.0)]
    (b,) = bursts(f, window_s=5.0, min_count=3)
    assert (b.start, len(b.fillers)) == (1.0, 3)
    assert bursts(f[2:], 5.0, 3) == []


def test_crutch_opener_needs_many_sentences():
    tr = build_transcript(words_from_text(
        "So the data is late. So we wait. So the labels lag. So we retrain. It is simple."))
    assert crutch_openers(tr) is not None and crutch_openers(tr)[0] == "so"
    tr = build_transcript(words_from_text("So the data is late. So we wait. So labels lag."))
    assert crutch_openers(tr) is None


def test_user_filler_words_come_from_settings():
    from voicecoach.config import Settings

    rules = ScoringRules.from_settings(Settings(filler_words=["totally"]))
    tr = build_transcript(words_from_text("It is totally a ranking problem."))
    assert [f.text for f in lexical_fillers(tr, rules)] == ["totally"]
