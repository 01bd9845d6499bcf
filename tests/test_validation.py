"""The validation harness itself: matching, labels, the prompt guard, the pairs.

The labeled-corpus run (`python -m voicecoach.validate --quick`) is part of
`make test` (scripts/test.sh); these tests keep its pieces honest and fast, plus one
real clip through Whisper.
"""

from __future__ import annotations

import pytest

from voicecoach import validate
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.report import Filler, Metrics, Report


def det(start: float, end: float, kind: str = "filled_pause") -> Filler:
    return Filler("um", start, end, kind)


def test_match_is_one_to_one_within_tolerance():
    labels = [validate.Label("filled_pause", "um", 1.0, 1.3),
              validate.Label("filled_pause", "uh", 5.0, 5.2)]
    pairs = validate.match([det(1.5, 1.6), det(1.1, 1.2), det(9.0, 9.2)], labels)
    assert pairs == {1: 0}  # the nearer of the two candidates takes the label
    assert validate.match([det(1.65, 1.8)], labels) == {0: 0}  # 0.35 s late: within 0.4
    assert validate.match([det(1.75, 1.9)], labels) == {}


def fake_report(fillers, pauses, wpm=150.0, words=("hello", "world")) -> Report:
    ws = [Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(words)]
    metrics = Metrics(len(ws), 10.0, 9.0, wpm, wpm, len(pauses), 1.0, 0.0, len(fillers), 0.0)
    return Report("x.wav", 12.0, "t", "t", ws, pauses, [], fillers, metrics)


def test_evaluate_counts_precision_recall_pauses_and_wpm():
    clip = validate.LabeledClip(
        "c", "espeak", None, "hello world",
        [validate.Label("filled_pause", "um", 1.0, 1.3),
         validate.Label("discourse", "like", 3.0, 3.2),
         validate.Label("pause", "", 4.0, 5.5), validate.Label("pause", "", 6.0, 6.5)],
        0.0, 0.8)
    report = fake_report([det(1.1, 1.25), det(8.0, 8.3, "acoustic"),
                          det(3.05, 3.2, "discourse")],
                         [Span(4.1, 5.45), Span(7.0, 8.2)])
    r = validate.evaluate(report, clip)
    assert (r.filled_labels, r.filled_found, r.filled_found_lexical) == (1, 1, 1)
    assert (r.filled_detections, r.filled_correct) == (2, 1)
    assert (r.discourse_labels, r.discourse_found) == (1, 1)
    assert (r.pauses, r.pauses_found, r.false_pauses) == (1, 1, 1)  # 0.5 s is no target
    assert r.pause_errors == [pytest.approx(0.1)]
    assert r.wpm_true == pytest.approx(3 / 0.8 * 60)  # the discourse "like" is a word
    assert r.false_flags == ["acoustic:um@8.00"]


def test_prompt_verdict_is_precision_first_and_guards_the_transcript():
    off = {"filled_precision": 1.0, "filled_recall": 0.3, "wer_mean": 0.10,
           "wpm_error_max": 0.2}
    good = {**off, "filled_recall": 0.7}
    assert validate.prompt_helps(off, good)
    assert not validate.prompt_helps(off, {**good, "filled_precision": 0.8})
    assert not validate.prompt_helps(off, {**good, "wer_mean": 0.13})
    assert not validate.prompt_helps(off, {**good, "wpm_error_max": 0.66})


def test_every_weak_strong_pair_passes_as_text():
    pairs = validate.text_pairs()
    assert len(pairs) >= 12
    assert sum(p.source == "article" for p in pairs) >= 7
    failed = [(p.id, p.weak, p.strong, p.weak_findings) for p in pairs if not p.ok]
    assert not failed, failed


def test_corpus_labels_are_consistent():
    spec = validate.load_toml("fillers.toml")
    assert len(spec["voices"]) >= 2 and {"espeak", "flite"} <= set(spec["voices"])
    fillers = [p for c in spec["clip"] for p in c["parts"] if str(p).startswith("{")]
    pauses = [p for c in spec["clip"] for p in c["parts"] if isinstance(p, (int, float))
              and p >= validate.TARGET_PAUSE_S]
    assert len(fillers) >= 15 and len(pauses) >= 8


@pytest.mark.slow
def test_one_synthetic_clip_end_to_end(faster_engine):
    """A real clip: synthesized, transcribed, scored; labels line up with the report."""
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file

    spec = validate.load_toml("fillers.toml")
    parts = next(c for c in spec["clip"] if c["id"] == "clean-traps")["parts"]
    clip = validate.synthesize("clean-traps", parts, "espeak")
    res = validate.evaluate(score_file(clip.path, faster_engine, Settings()), clip)
    assert res.detections == 0, res.false_flags  # the traps: "I'd like", "kind of model"
    assert res.pauses_found == res.pauses == 2
    assert abs(res.wpm_measured - res.wpm_true) / res.wpm_true < 0.15
