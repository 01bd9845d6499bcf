"""The validation harness itself: matching, labels, the prompt guard, the pairs.

The labeled-corpus run (`python -m tools.validate --quick`) is part of
`make test` (scripts/test.sh); these tests keep its pieces honest and fast, plus one
real clip through Whisper.
"""

from __future__ import annotations

import pytest

from tools import validate
from tools.validate import align
from tools.validate.checks import first_difference
from tools.validate.real import read_textgrid
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


# -- real speech: labels from transcripts and TextGrids ----------------------------------


def real(clip_id: str) -> validate.LabeledClip:
    return next(c for c in validate.real_clips() if c.id == clip_id)


def test_real_fillers_are_labeled_from_the_transcript_and_timed_by_the_textgrid():
    cold = real("mfa-cold-monologue")  # "uh so this is the sick corpus uh ..."
    assert [(x.text, x.start) for x in cold.fillers] == [
        ("uh", 1.24), ("uh", 3.69), ("uh", 7.31), ("um", 9.89), ("uh", 17.78)]
    assert [(p.start, p.end) for p in cold.pauses] == [(18.32, 19.65)]  # "a long pause"
    assert cold.untimed_filled == 0 and cold.pauses_known
    # The TextGrid has no "uh" after "intensity": labeled, but matched by count only.
    acoustic = real("mfa-acoustic-monologue")
    assert [x.text for x in acoustic.fillers if x.kind == "filled_pause"] == ["um", "um"]
    assert acoustic.untimed_filled == 1


def test_real_labels_follow_the_transcripts_conventions():
    assert real("mfa_clip_er").untimed_filled == 0  # "i hardly know 'er": her, not a filler
    assert real("mfa_clip_uhum").untimed_filled == 6  # uh um uh hm hm um
    assert not real("mfa_clip_uhum").pauses_known  # no TextGrid: no pause is "false"
    livekit = real("livekit-long-stt-irl")  # not verbatim: its fillers are not judged
    assert not livekit.judge_fillers and not livekit.fillers
    clips = validate.real_clips()
    assert all(c.path.exists() for c in clips) and len(clips) >= 54
    assert sum(sum(x.kind == "filled_pause" for x in c.fillers) + c.untimed_filled
               for c in clips) == 26
    quick = [c.id for c in validate.real_clips(quick=True) if c.id != "jfk"]
    assert len(quick) >= 2


def words(*items: tuple[str, float]) -> list[Word]:
    return [Word(text, t, t + 0.3) for text, t in items]


def test_invented_phrase_is_two_or_more_words_nobody_said():
    ref = align.reference_tokens("montreal forced um aligner")
    hyp = align.hypothesis_tokens(words(("Montreal", 1.0), ("forced,", 1.5), ("um,", 2.0),
                                        ("a", 2.5), ("liner.", 2.8), ("Thank", 3.2),
                                        ("you.", 3.4)))
    found = align.invented_phrases(ref, hyp)  # listed with the word it stands against
    assert [(x.text, x.reference, x.start, x.misheard) for x in found] == \
        [("a liner thank you", "aligner", 2.5, False)]
    found = align.invented_phrases(align.reference_tokens("ask not"), align.hypothesis_tokens(
        words(("Ask", 1.0), ("not.", 1.3), ("As", 2.0), ("well.", 2.2))))
    assert [(x.text, x.reference, x.start) for x in found] == [("as well", "", 2.0)]
    # One word heard as three is a recognition error, listed apart, not an invention.
    split = align.invented_phrases(ref, align.hypothesis_tokens(
        words(("Montreal", 1.0), ("forced", 1.5), ("to", 2.5), ("lie", 2.7), ("there", 2.9))))
    assert [(x.text, x.reference, x.misheard) for x in split] == \
        [("to lie there", "aligner", True)]


def test_reference_marks_spellings_and_fillers_are_no_errors():
    ref = align.reference_tokens("<cutoff-montreal> montreal uh m f a is like yknow putty")
    hyp = align.hypothesis_tokens(words(("Mon-", 0.5), ("Montreal,", 1.0), ("uh,", 1.4),
                                        ("MFA", 2.0), ("is", 2.4), ("like,", 2.6),
                                        ("you", 3.0), ("know,", 3.2), ("putty.", 3.5)))
    assert align.invented_phrases(ref, hyp) == []
    assert align.wer_counts(ref, hyp) == (1, 7)  # "mon" for a cut-off is one insertion


def test_untimed_real_fillers_match_by_count_and_unjudged_ones_not_at_all():
    clip = validate.LabeledClip("uhum", "real", None, "montreal forced aligner", [],
                                0.0, 0.0, said="montreal uh forced uh aligner",
                                untimed_filled=2, pauses_known=False)
    report = fake_report([det(1.0, 1.2), det(2.0, 2.2, "acoustic"), det(3.0, 3.2)], [],
                         words=("montreal", "forced", "aligner"))
    r = validate.evaluate(report, clip)
    assert (r.filled_labels, r.filled_found, r.filled_detections, r.filled_correct) == \
        (2, 2, 3, 2)
    assert "3 flags" in r.notes[0] and r.invented == [] and r.wer == 0
    clip.judge_fillers = False
    r = validate.evaluate(report, clip)
    assert (r.filled_labels, r.filled_detections) == (0, 0)
    assert len(r.notes) == 3 and r.notes[0].startswith("unjudged")


def test_textgrid_reader_and_report_comparison():
    grid = read_textgrid(validate.real_clips()[0].path.parents[1] / "corpus" / "real"
                         / "mfa_cold_corpus_monologue.aligned.TextGrid")
    assert (grid[0].text, grid[0].end, grid[1].text) == ("", 1.24, "uh")
    a = {"transcript": {"words": [{"text": "uh"}, {"text": "so"}]}, "scores": {"overall": 80}}
    b = {"transcript": {"words": [{"text": "uh"}, {"text": "sew"}]}, "scores": {"overall": 80}}
    assert first_difference(a, a) == ""
    assert first_difference(a, b) == ".transcript.words[1].text: 'so' vs 'sew'"


def test_a_transcripts_yknow_is_a_discourse_label_and_spelled_letters_are_long():
    acoustic = real("mfa-acoustic-monologue")
    assert [(x.text, x.start) for x in acoustic.fillers if x.kind == "discourse"] == \
        [("yknow", 5.59)]
    # "m f a" said is "em ef ay": "and the thing" for it is misheard, not invented.
    found = align.invented_phrases(align.reference_tokens("m f a is like apex"),
                                   align.hypothesis_tokens(words(
                                       ("And", 0.7), ("the", 0.9), ("thing", 1.0),
                                       ("is", 1.3), ("like", 1.5), ("Apex.", 1.8))))
    assert [(x.text, x.misheard) for x in found] == [("and the thing", True)]


def invented(reference: str, heard: str) -> list[tuple[str, bool]]:
    ws = [Word(t, i, i + 0.5) for i, t in enumerate(heard.split())]
    return [(x.text, x.misheard) for x in align.invented_phrases(
        align.reference_tokens(reference), align.hypothesis_tokens(ws))]


def test_misheard_stretches_are_told_from_inventions():
    # A filler heard as words, and a coincidental "and" inside a misheard stretch.
    assert invented("if the score drops back hmm we found", "if the score drops back hn and "
                    "we found") == [("hn and", True)]
    assert invented("think about latency and cost", "think about late and see and cast") == \
        [("late and see and cast", True)]
    # A phrase appended where nothing, or only a filler, was said.
    assert invented("careful monitoring", "careful monitoring. Thank you.") == \
        [("thank you", False)]
    assert invented("careful monitoring um", "careful monitoring, thank you.") == \
        [("thank you", False)]
