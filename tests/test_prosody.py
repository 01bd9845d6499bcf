"""How it sounded: pitch variation, monotone stretches and trailing off (issue #14).

Fast tests build voices with a known pitch contour (a buzz of harmonics, which Praat
tracks as a voice) and check the measures and findings; the slow ones run the matched
synthetic pairs (validate/prosody.py) and the real recordings through the pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from voicecoach.analysis.prosody import measure_prosody, prosody_findings
from voicecoach.audio.pitch import STEP_S, PitchFollower, track_pitch
from voicecoach.audio.vad import Span
from voicecoach.model import SAMPLE_RATE, Word
from voicecoach.report import Report

REAL = Path(__file__).parent / "corpus" / "real"


def buzz(f0: np.ndarray, level: np.ndarray | None = None) -> np.ndarray:
    """A voice-like buzz following `f0` (Hz per sample): harmonics with falling power."""
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    x = sum(np.sin(k * phase) / k for k in range(1, 12)).astype(np.float32)
    x *= 0.1 * (level if level is not None else 1.0)
    return x


def sentences(contour, seconds: float = 3.0, gap_s: float = 0.5, n: int = 8,
              fade: bool = False) -> tuple[np.ndarray, list[Word], list[Span]]:
    """`n` "sentences" with pitch `contour(t)` (t in 0..1), a word every 0.5 s (the last
    one ending in a full stop), speech regions and silences between them."""
    pieces, words, regions, t0 = [], [], [], 0.0
    for i in range(n):
        t = np.linspace(0, 1, int(seconds * SAMPLE_RATE), endpoint=False)
        level = np.ones_like(t)
        if fade:  # the last second fades to -20 dB
            tail = t > 1 - 1 / seconds
            level[tail] = np.linspace(1.0, 0.1, tail.sum())
        pieces += [buzz(contour(t, i), level), np.zeros(int(gap_s * SAMPLE_RATE), np.float32)]
        for k in range(int(seconds / 0.5)):
            words.append(Word("end." if k == int(seconds / 0.5) - 1 else "word",
                              t0 + 0.5 * k, t0 + 0.5 * k + 0.45))
        regions.append(Span(t0, t0 + seconds))
        t0 += seconds + gap_s
    return np.concatenate(pieces), words, regions


def flat(t, i):
    return np.full_like(t, 120.0)


def lively(t, i):  # rises and falls 10 semitones in each sentence (SD ~3 semitones)
    return 120.0 * 2 ** (10 / 12 * np.sin(np.pi * t) * (1 if i % 2 else -1))


def analysed(samples, words, regions) -> tuple[dict, list[str]]:
    section = measure_prosody(track_pitch(samples), words, regions)
    return section, [f.id for f in prosody_findings(section)]


def test_flat_voice_is_monotone_and_lively_is_not() -> None:
    section, ids = analysed(*sentences(flat))
    assert ids == ["monotone"]
    assert section["pitch"]["sd_st"] < 0.5
    stretch = section["monotone"][0]
    assert stretch["start"] < 1 and stretch["end"] > 27  # the whole 28 s answer
    section, ids = analysed(*sentences(lively))
    assert "monotone" not in ids
    assert section["pitch"]["sd_st"] > 2 and section["pitch"]["range_st"] > 6


def test_monotone_finding_names_the_flat_stretch_and_its_time() -> None:
    def middle_flat(t, i):
        return flat(t, i) if 3 <= i <= 6 else lively(t, i)

    samples, words, regions = sentences(middle_flat, n=10)
    section = measure_prosody(track_pitch(samples), words, regions)
    (finding,) = prosody_findings(section)
    flat_from, flat_to = 3 * 3.5, 6 * 3.5 + 3.0  # sentences 3..6
    assert finding.id == "monotone" and finding.category == "voice"
    assert flat_from - 2 <= finding.start <= flat_from + 2
    assert flat_to - 2 <= finding.end <= flat_to + 2
    assert finding.tip and "semitones" in finding.message


def test_fading_sentence_ends_trail_off_and_steady_ones_do_not() -> None:
    section, ids = analysed(*sentences(lively, fade=True))
    assert "trailing-off" in ids
    assert len(section["loudness"]["trailing"]) >= 6
    section, ids = analysed(*sentences(lively))
    assert "trailing-off" not in ids and section["loudness"]["trailing"] == []


def test_tracking_while_recording_equals_one_pass() -> None:
    samples, _, _ = sentences(lively, n=6)
    follower = PitchFollower()
    for end in range(1600, len(samples) + 1600, 1600):  # 0.1 s blocks, as a recorder
        follower.advance(lambda lo, hi: samples[lo:hi], min(end, len(samples)))
    assert follower.frames > 0  # blocks were tracked before the stop
    streamed = follower.finish(lambda lo, hi: samples[lo:hi], len(samples))
    whole = track_pitch(samples)
    assert len(streamed.f0) == len(whole.f0) == len(samples) // int(STEP_S * SAMPLE_RATE)
    np.testing.assert_allclose(streamed.f0, whole.f0, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(streamed.db, whole.db, rtol=1e-6)


def test_silence_and_a_stored_report_without_prosody() -> None:
    empty = track_pitch(np.zeros(SAMPLE_RATE, np.float32))
    section = measure_prosody(empty, [], [])
    assert section["pitch"]["sd_st"] is None and prosody_findings(section) == []
    assert prosody_findings(None) == []
    old = {"schema": "voicecoach.report/1", "audio": {"path": "a.wav", "duration_s": 1.0},
           "engine": {"name": "x", "model": "y"}, "transcript": {"text": "", "words": []},
           "pauses": [], "fillers": [], "metrics": {
               "word_count": 0, "speaking_span_s": 0.0, "speech_s": 0.0, "wpm": 0.0,
               "articulation_wpm": 0.0, "pause_count": 0, "longest_pause_s": 0.0,
               "think_time_s": 0.0, "filler_count": 0, "fillers_per_min": 0.0}}
    report = Report.from_dict(old)  # stored before prosody existed: still loads
    assert "prosody" not in report.extra
    report.extra["prosody"] = section
    again = Report.from_dict(json.loads(report.to_json()))
    assert again.extra["prosody"] == json.loads(json.dumps(section))


@pytest.mark.slow
def test_synthetic_pairs_separate_and_real_voices_are_not_monotone(faster_engine) -> None:
    """The #14 acceptance: flat vs lively and fading vs steady separate through the
    pipeline, the flat stretch of the mixed answer is found where it is, and the real
    recordings get no monotone finding."""
    from tools.validate import prosody
    from voicecoach.config import Settings

    real = [(p.stem, p) for p in sorted(REAL.glob("*.wav"))]
    results = prosody.run(faster_engine, Settings(), real)
    table = prosody.format_table(results)
    assert all(r.ok for r in results), table
    by_id = {r.id: r for r in results}
    assert by_id["flat"].pitch_sd_st < 1.0 < 2.0 < by_id["lively"].pitch_sd_st, table
