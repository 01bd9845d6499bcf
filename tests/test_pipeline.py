"""The headless pipeline on real audio: transcripts, pauses, metrics, the JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import JFK, JFK_TEXT, cached_answer

from tools.wer import word_error_rate
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.pipeline import ChunkPlan, plan_chunks, score_file

pytestmark = pytest.mark.slow

# Sentences with inserted silences of known length (seconds), and a lead-in of silence.
PAUSED_ANSWER = [
    "Let me start with the data we would need for this problem.",
    1.2,
    "Labels arrive late, so I would check them for leakage first.",
    2.5,
    "Then a simple baseline model keeps the latency low.",
    0.6,
    "The main risk is drift, so we monitor the input distribution.",
    1.6,
    "Finally, we retrain every week.",
]
LEAD_S = 1.5


@pytest.fixture(scope="module", params=["flite", "espeak"])
def paused_clip(request):
    """The same answer in two synthetic voices (flite is the more natural one)."""
    return cached_answer(f"paused-answer-{request.param}", PAUSED_ANSWER,
                         voice=request.param, lead_s=LEAD_S)


@pytest.fixture(scope="module")
def flite_clip():
    return cached_answer("paused-answer-flite", PAUSED_ANSWER, voice="flite", lead_s=LEAD_S)


@pytest.fixture(scope="module")
def flite_report(flite_clip, faster_engine):
    return score_file(flite_clip[0], faster_engine, Settings())


@pytest.fixture(scope="module")
def paused_report(paused_clip, faster_engine):
    path, _ = paused_clip
    return score_file(path, faster_engine, Settings())


def test_jfk_word_error_rate_faster_whisper(faster_engine):
    report = score_file(JFK, faster_engine, Settings())
    assert word_error_rate(JFK_TEXT, report.text) <= 0.10


def test_jfk_word_error_rate_openai_whisper(openai_engine):
    report = score_file(JFK, openai_engine, Settings(engine="openai-whisper"))
    assert report.engine_name == "openai-whisper"
    assert word_error_rate(JFK_TEXT, report.text) <= 0.10


def test_engines_agree_on_a_synthetic_answer(flite_clip, flite_report, openai_engine):
    other = score_file(flite_clip[0], openai_engine, Settings(engine="openai-whisper"))
    assert word_error_rate(flite_report.text, other.text) <= 0.10


def test_inserted_silences_found_within_300ms(paused_clip, paused_report):
    _, segments = paused_clip
    inner = [s for s in segments if s.kind == "silence" and s.start > 0]
    assert len(paused_report.pauses) == len(inner), paused_report.pauses
    for truth, found in zip(inner, paused_report.pauses):
        assert abs(found.start - truth.start) <= 0.3, (truth, found)
        assert abs(found.duration - (truth.end - truth.start)) <= 0.3, (truth, found)


def test_metrics_match_hand_computed_values(flite_clip, flite_report):
    _, segments = flite_clip
    speech = [s for s in segments if s.kind == "speech"]
    ref_words = sum(len(s.text.split()) for s in speech)
    true_span = speech[-1].end - speech[0].start
    true_speech = sum(s.end - s.start for s in speech)
    m = flite_report.metrics
    assert abs(m.word_count - ref_words) <= 3  # tiny.en may split or merge a word or two
    assert m.think_time_s == pytest.approx(LEAD_S, abs=0.3)
    assert m.speaking_span_s == pytest.approx(true_span, abs=0.4)
    assert m.speech_s == pytest.approx(true_speech, rel=0.06)
    # Rates against the true timing of the synthesized clip, for the words recognised.
    assert m.wpm == pytest.approx(m.word_count / true_span * 60, rel=0.03)
    assert m.articulation_wpm == pytest.approx(m.word_count / true_speech * 60, rel=0.04)
    assert m.pause_count == 3  # 1.2, 2.5 and 1.6 s; the 0.6 s pause is below 1 s
    assert m.longest_pause_s == pytest.approx(2.5, abs=0.3)


def test_metrics_formulas_on_hand_built_words():
    from voicecoach.analysis.metrics import compute_metrics
    from voicecoach.report import Filler

    words = [Word("so", 2.0, 2.4), Word("um", 2.5, 2.9), Word("data", 4.0, 4.5),
             Word("first", 4.6, 5.0), Word("then", 7.0, 7.5), Word("model", 7.6, 8.0)]
    regions = [Span(2.0, 2.9), Span(4.0, 5.0), Span(7.0, 8.0)]
    pauses = [Span(2.9, 4.0), Span(5.0, 7.0)]
    fillers = [Filler("um", 2.5, 2.9, "filled_pause")]
    m = compute_metrics(words, regions, pauses, fillers)
    assert m.word_count == 6
    assert m.speaking_span_s == pytest.approx(6.0)
    assert m.speech_s == pytest.approx(2.9)
    assert m.wpm == pytest.approx(60.0)
    assert m.articulation_wpm == pytest.approx(6 / 2.9 * 60)
    assert m.pause_count == 2 and m.longest_pause_s == pytest.approx(2.0)
    assert m.think_time_s == pytest.approx(2.0)
    assert m.filler_count == 1 and m.fillers_per_min == pytest.approx(10.0)


def test_chunks_cut_only_at_silence():
    regions = [Span(1.0, 2.0), Span(2.2, 5.0), Span(5.5, 12.0), Span(15.0, 20.0),
               Span(20.3, 49.0)]
    chunks = plan_chunks(regions, duration_s=50.0)
    # A pause before the chunk holds 4 s of speech does not end it; the first pause
    # after that does; 3 s of silence always does; 20.3..49 is longer than a window.
    assert [(round(c.start, 2), round(c.end, 2)) for c in chunks] == [
        (0.75, 5.25), (5.25, 12.25), (14.75, 20.15), (20.15, 34.65), (34.65, 49.25)]
    assert plan_chunks(regions[:3], 50.0, ChunkPlan(min_chunk_s=8.0))[0].end == 12.25


def test_score_json_schema_from_the_cli():
    out = subprocess.run([sys.executable, "-m", "voicecoach", "score", str(JFK), "--json"],
                         capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(out.stdout)
    assert report["schema"] == "voicecoach.report/1"
    assert report["audio"]["duration_s"] == pytest.approx(11.0, abs=0.01)
    assert report["engine"] == {"name": "faster-whisper", "model": "tiny.en"}
    words = report["transcript"]["words"]
    assert len(words) == 22
    assert all(set(w) >= {"text", "start", "end"} for w in words)
    assert all(a["start"] <= b["start"] for a, b in zip(words, words[1:]))
    assert word_error_rate(JFK_TEXT, report["transcript"]["text"]) <= 0.10
    # The one clear gap near 7.6 s (shared/audio/README.md), measured by the VAD.
    assert len(report["pauses"]) == 1
    assert report["pauses"][0]["start"] == pytest.approx(7.6, abs=0.3)
    metrics = report["metrics"]
    for key in ("word_count", "speaking_span_s", "speech_s", "wpm", "articulation_wpm",
                "pause_count", "longest_pause_s", "think_time_s", "filler_count",
                "fillers_per_min"):
        assert key in metrics
    assert metrics["wpm"] == pytest.approx(22 / metrics["speaking_span_s"] * 60, rel=1e-3)
    assert isinstance(report["fillers"], list)


def test_human_scorecard_from_the_cli():
    out = subprocess.run([sys.executable, "-m", "voicecoach", "score", str(JFK)],
                         capture_output=True, text=True, timeout=300, check=True)
    assert "wpm" in out.stdout and "jfk.wav" in out.stdout


def _cli(*args: str, models_dir, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "VOICECOACH_MODELS_DIR": str(models_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "voicecoach", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("engine,hint", [("faster-whisper", ""),
                                         ("openai-whisper", " --engine openai-whisper")])
def test_named_model_offline_is_one_clear_line(engine, hint, tmp_path):
    out = _cli("score", str(JFK), "--engine", engine, "--model", "base.en", models_dir=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"voicecoach: error: {engine} model 'base.en' is not on this machine; run "
        f"`voicecoach models download base.en{hint}` (needs network)"]


def test_models_convert_then_list_shows_it_ready(tmp_path):
    before = _cli("models", "list", models_dir=tmp_path).stdout
    assert "openai-whisper   tiny.en    convertible" in before
    out = _cli("models", "convert", models_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "openai-whisper" / "tiny.en.pt").stat().st_size > 30e6
    after = _cli("models", "list", models_dir=tmp_path).stdout
    assert "openai-whisper   tiny.en    ready" in after


def test_no_words_invented_over_trailing_silence():
    """With the filler prompt on, Whisper is known to repeat text over a silent tail."""
    from voicecoach.asr.models import load_engine
    from voicecoach.pipeline import transcribe_options

    path, segments = cached_answer("trailing-silence", [
        "I would start by asking what the latency budget is.", 20.0], voice="flite")
    settings = Settings(filler_prompt=True)
    engine = load_engine("faster-whisper", "tiny.en", transcribe_options(settings))
    report = score_file(path, engine, settings)
    speech_end = segments[0].end
    assert report.words and all(w.end <= speech_end + 0.3 for w in report.words)
    assert word_error_rate(segments[0].text, report.text) <= 0.2
