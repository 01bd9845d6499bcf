"""Pace against a band, and pauses sorted into deliberate and hesitant."""

from __future__ import annotations

from tools.synthetic import regions_from_words, words_from_text
from voicecoach.analysis.metrics import compute_metrics, pauses_between_words
from voicecoach.analysis.pacing import analyze_pacing, classify_pause, windowed_wpm
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import build_transcript
from voicecoach.audio.vad import Span

RULES = ScoringRules()
TEXT = ("First, the data. We log every payment and the chargebacks arrive weeks later, so "
        "the labels lag behind. Next, the model. A simple baseline keeps latency low. ") * 4


def pacing(text: str, wpm: float = 150, rules: ScoringRules = RULES):
    words = words_from_text(text, wpm)
    regions = regions_from_words(words)
    pauses = pauses_between_words(regions, words, 0.5)
    metrics = compute_metrics(words, regions, pauses, [])
    return analyze_pacing(build_transcript(words), pauses, metrics, rules)


def ids(out) -> list[str]:
    return [d.finding.id for d in out.deductions]


def test_pause_after_a_full_stop_is_deliberate_inside_a_phrase_is_hesitation():
    words = words_from_text("We check the data. [1.5] Then we pick the [1.4] model.")
    tr = build_transcript(words)
    regions = regions_from_words(words)
    pauses = pauses_between_words(regions, words, 0.5)
    kinds = [classify_pause(tr, p)[0] for p in pauses]
    assert kinds == ["between_ideas", "hesitation"]


def test_deliberate_pauses_are_praised_not_penalised():
    out = pacing("First, the data. [1.5] Next, the model. [1.5] Finally, monitoring. [1.2] "
                 "That is the plan for the whole system and the way we run it.")
    assert "hesitation" not in ids(out)
    assert any(s.id == "deliberate-pauses" for s in out.strengths)


def test_hesitations_are_located():
    out = pacing("We check the [1.6] data and then the [1.2] labels and the joins. " * 3)
    (f,) = [d.finding for d in out.deductions if d.finding.id == "hesitation"]
    assert f.start is not None and f.end - f.start >= 1.5
    assert "[1.6 s]" in f.evidence


def test_pace_band():
    assert ids(pacing(TEXT, wpm=150)) == []
    assert "pace-fast" in ids(pacing(TEXT, wpm=230))
    assert "pace-slow" in ids(pacing(TEXT, wpm=90))
    wide = RULES.replace(pace_min_wpm=60, pace_max_wpm=260, articulation_max_wpm=300)
    assert ids(pacing(TEXT, wpm=230, rules=wide)) == []


def test_windowed_wpm_spots_a_rushed_stretch():
    words = words_from_text(TEXT, 130) + [
        w.__class__(w.text, w.start + 60, w.end + 60) for w in words_from_text(TEXT, 260)]
    rates = [r for _, r in windowed_wpm(build_transcript(words), 20, 10)]
    assert min(rates) < 150 < 200 < max(rates)


def test_short_answers_are_not_judged_on_pace():
    assert ids(pacing("We check the data first.", wpm=300)) == []


def test_long_silence_and_late_start():
    out = pacing("First, the data. [6] Next, the model, a simple baseline.")
    assert "long-silence" in ids(out)
    late = pacing("[20] First, the data and the model and the monitoring plan.")
    assert "long-start" in ids(late)


def test_span_type_is_reused():
    assert Span(1.0, 2.5).duration == 1.5


def test_pause_before_an_apology_or_a_restart_is_a_lost_thread():
    """Issue #12: a 3 s silence before "sorry, where was I" was praised as poise."""
    words = words_from_text("Fraud is rare. [3.0] Sorry, where was I? The model. [2.0] "
                            "The, the labels lag. [1.5] Next, the latency.")
    tr = build_transcript(words)
    pauses = pauses_between_words(regions_from_words(words), words, 0.5)
    kinds = [classify_pause(tr, p)[0] for p in pauses if p.duration > 1]
    assert kinds == ["lost_thread", "lost_thread", "between_ideas"]


def test_lost_thread_costs_delivery_and_blocks_pause_praise():
    out = pacing("First, the data. [1.5] Next, the model. [3.0] Sorry, where was I? "
                 "Right, the model is a tree. [1.5] Finally, monitoring and alerts.")
    (f,) = [d.finding for d in out.deductions if d.finding.id == "lost-thread"]
    assert f.category == "pauses" and out.score < 100
    assert "s] Sorry, where was I?" in f.evidence
    assert not any(s.id == "deliberate-pauses" for s in out.strengths)


def test_wait_for_after_a_pause_is_not_lost():
    out = pacing("We deploy it. [1.5] Wait for the labels, then retrain. [1.5] Then compare.")
    assert "lost-thread" not in ids(out)
