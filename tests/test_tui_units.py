"""The TUI's pure parts: transcript marks, feedback, drill planning, search, the engine
service, settings form parsing. No terminal, no model."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from voicecoach import marks as core_marks
from voicecoach.app import feedback
from voicecoach.app.drill import plan_drill
from voicecoach.app.engine import EngineService
from voicecoach.app.speech import speak_command
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.errors import ModelError, VoiceCoachError
from voicecoach.prompts import KeyPoint, Prompt
from voicecoach.report import Filler, Finding, Metrics, Report
from voicecoach.tui import marks
from voicecoach.tui.home import Layout, category_label, matches, prompt_width
from voicecoach.tui.settings import parse_form

WORDS = ["So", "um", "first", "I", "think", "we", "should", "look", "at", "the", "data"]


def make_report(scores: dict[str, int] | None = None, **extra) -> Report:
    words = [Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(WORDS)]
    # a long pause between "should" (ends 3.4) and "look" (starts 3.5 -> moved to 5.5)
    words = [w if i < 7 else Word(w.text, w.start + 2.0, w.end + 2.0) for i, w in
             enumerate(words)]
    metrics = Metrics(word_count=len(words), speaking_span_s=7.4, speech_s=5.0, wpm=89.0,
                      articulation_wpm=130.0, pause_count=1, longest_pause_s=2.1,
                      think_time_s=0.0, filler_count=1, fillers_per_min=8.1)
    return Report(
        audio_path="take.wav", duration_s=8.0, engine_name="faster-whisper",
        engine_model="tiny.en", words=words, pauses=[Span(3.4, 5.5)], speech=[],
        fillers=[Filler("um", 0.5, 0.9, "filled_pause")], metrics=metrics,
        scores=scores, extra=extra,
    )


def make_prompt(pid: str = "p1", category: str = "Leakage", text: str = "Explain leakage."
                ) -> Prompt:
    return Prompt(pid, text, category, 20, 90,
                  (KeyPoint("split", "Split by time", ("time split",)),))


# --- marks ----------------------------------------------------------------------------


def test_marks_put_fillers_hedges_signposts_and_pauses_in_place() -> None:
    report = make_report(marks=[{"kind": "signpost", "start": 1.0, "end": 1.4, "text": "first"},
                                {"kind": "hedge", "start": 1.5, "end": 2.4, "text": "I think"}])
    kinds = core_marks.word_kinds(report, core_marks.collect_marks(report, 1.0))
    assert kinds[:6] == [None, "filler", "signpost", "hedge", "hedge", None]
    text = marks.render_transcript(report, 1.0).plain
    # "look" starts at 5.5 s: in second 5, as a player shows it.
    assert text.startswith("[0:00] So um first I think we should ‖2.1s\n[0:05] look at")
    assert core_marks.counts(report, 1.0) == {"filler": 1, "hedge": 1, "signpost": 1,
                                              "pause": 1}


def test_marks_ignore_short_pauses_and_unknown_kinds() -> None:
    report = make_report(marks=[{"kind": "hedge", "start": 1.5, "end": 1.9},
                                {"kind": "shrug", "start": 2.0, "end": 2.1}])
    assert core_marks.counts(report, 3.0) == {"filler": 1, "hedge": 1, "signpost": 0, "pause": 0}
    assert "‖" not in marks.render_transcript(report, 3.0).plain


def test_a_filler_heard_between_words_is_shown_where_it_was() -> None:
    # Whisper wrote nothing for an "uh" at 2.42-2.48 s (between "think" and "we"), and
    # heard the one on "should" as that word: the first gets its own "(filler)".
    report = make_report()
    report.fillers += [Filler("(voiced, no word)", 2.42, 2.48, "acoustic"),
                       Filler("(voiced, no word)", 3.0, 3.3, "acoustic")]
    text = marks.render_transcript(report, 1.0).plain
    assert text.startswith("[0:00] So um first I think (filler) we should ‖2.1s")
    kinds = core_marks.word_kinds(report, core_marks.collect_marks(report, 1.0))
    assert kinds[6] == "filler"  # "should" carries the second one
    from voicecoach.export import _md_transcript

    assert "think ~~(filler)~~ we" in _md_transcript(report, 1.0)


# --- feedback -------------------------------------------------------------------------


def test_top_tips_are_the_most_severe_faults_in_the_scorers_order() -> None:
    report = make_report({"overall": 60})
    report.findings = [
        Finding("a", "pacing", "minor", "slow", "speed up", 1.0),
        Finding("b", "structure", "major", "no framing", "say the plan", 0.0),
        Finding("c", "fillers", "info", "few fillers", ""),
        Finding("d", "flow", "major", "rambling", "stop at 2 min", 5.0),
        Finding("e", "pauses", "minor", "long pause", "", 3.0),
    ]
    assert [t.message for t in feedback.top_tips(report)] == ["no framing", "rambling", "slow"]
    # An "info" finding is an observation (e.g. one self-correction), not a strength.
    assert "few fillers" not in feedback.went_well(report, Settings())


def test_went_well_falls_back_to_the_numbers() -> None:
    report = make_report()
    report.metrics.wpm = 150
    items = feedback.went_well(report, Settings())
    assert any("Pace 150 wpm" in i for i in items)


def test_changes_compare_scores_and_delivery() -> None:
    before, after = make_report({"overall": 60, "flow": 70}), make_report({"overall": 72,
                                                                          "flow": 65})
    after.metrics.fillers_per_min = 2.0
    by_name = {c.name: c for c in feedback.changes(before, after)}
    assert by_name["overall"].delta == 12 and by_name["overall"].improved
    assert by_name["flow"].improved is False
    assert by_name["fillers/min"].improved  # fewer is better
    assert by_name["words"].improved is None


# --- home, drill, settings --------------------------------------------------------------


def test_search_matches_every_word_in_text_category_or_key_points() -> None:
    prompt = make_prompt(text="Your offline AUC jumped overnight.")
    assert matches(prompt, "auc")
    assert matches(prompt, "leakage time split")
    assert not matches(prompt, "auc drift")
    assert prompt_width(120) >= 40 and Layout(120).show_category
    # 80 columns: the category column goes (the pane and the preview name it), so the
    # prompt keeps room and the time and last score stay on screen
    assert not Layout(80).show_category and Layout(80).prompt >= 30
    label = category_label("Modeling decisions and tradeoffs", 0, 5, 26)
    assert len(label) <= 26 and label.endswith("… (0/5)")


def test_plan_drill_picks_distinct_prompts_with_prompt_or_settings_times() -> None:
    prompts = [make_prompt(f"p{i}", "Leakage" if i % 2 else "Debugging") for i in range(6)]
    settings = Settings(think_s=5, answer_s=7)
    plan = plan_drill(prompts, 2, "Leakage", own_times=False, settings=settings,
                      rng=random.Random(1))
    assert len({p.id for p in plan.prompts}) == 2
    assert all(p.category == "Leakage" for p in plan.prompts)
    assert plan.think_s == [5, 5] and plan.answer_s == [7, 7]
    own = plan_drill(prompts, 10, None, own_times=True, settings=settings)
    assert len(own.prompts) == 6 and own.answer_s == [90] * 6


def test_settings_form_parses_and_validates() -> None:
    values = {"think_s": "10", "answer_s": "60", "pace_min_wpm": "110", "pace_max_wpm": "160",
              "filler_words": "basically, like ,", "engine": "openai-whisper",
              "model": "tiny.en", "input_device": "pulse"}
    s = parse_form(Settings(beam_size=3), values)
    assert (s.think_s, s.answer_s, s.engine, s.input_device) == (10, 60, "openai-whisper",
                                                                  "pulse")
    assert s.filler_words == ["basically", "like"] and s.beam_size == 3
    with pytest.raises(VoiceCoachError, match="think s"):
        parse_form(Settings(), {**values, "think_s": "0"})
    with pytest.raises(VoiceCoachError, match="pace_min_wpm"):
        parse_form(Settings(), {**values, "pace_min_wpm": "200"})


def test_speak_command_prefers_the_prompts_own_audio(tmp_path: Path, monkeypatch) -> None:
    audio = tmp_path / "q.wav"
    audio.write_bytes(b"RIFF")
    prompt = make_prompt()
    monkeypatch.setattr("voicecoach.app.speech.shutil.which",
                        lambda exe: f"/usr/bin/{exe}" if exe in ("paplay", "flite") else None)
    assert speak_command(prompt) == ["flite", "-t", "Explain leakage."]
    with_audio = Prompt(**{**prompt.__dict__, "audio": audio})
    assert speak_command(with_audio) == ["paplay", str(audio)]
    monkeypatch.setattr("voicecoach.app.speech.shutil.which", lambda exe: None)
    assert speak_command(prompt) is None


# --- engine service ---------------------------------------------------------------------


def test_engine_service_loads_once_for_concurrent_callers() -> None:
    calls = []

    def loader(settings: Settings, progress) -> object:
        calls.append(settings.model)
        time.sleep(0.1)
        return object()

    service = EngineService(loader)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(service.load(Settings())))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["tiny.en"] and len({id(g) for g in got}) == 1
    assert service.ready_for(Settings()) and not service.ready_for(Settings(model="base"))


def test_engine_service_reports_failure_and_retries() -> None:
    attempts = []

    def loader(settings: Settings, progress) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise ModelError("model 'x' is not on this machine")
        return object()

    service = EngineService(loader)
    with pytest.raises(ModelError, match="not on this machine"):
        service.load(Settings())
    assert service.state == "failed"
    service.load(Settings())
    assert service.state == "ready" and len(attempts) == 2


def test_drill_summary_names_faults_that_recur_across_takes() -> None:
    from voicecoach.app.drill import recurring

    def with_findings(*ids: str) -> Report:
        report = make_report({"overall": 50})
        report.findings = [Finding(i, "structure", "major", f"msg {i}", "") for i in ids]
        return report

    reports = [with_findings("a", "b"), with_findings("a"), with_findings("a", "b", "c")]
    assert recurring(reports) == [("msg a", 3), ("msg b", 2)]


def test_library_noise_on_fd2_goes_to_the_log_not_the_terminal(tmp_path: Path) -> None:
    """What C libraries write to fd 2 lands in the log; Textual's stream still reaches
    the real stderr (run in a child so pytest's own descriptors are untouched)."""
    import subprocess
    import sys

    log = tmp_path / "stderr.log"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from voicecoach.tui.terminal import stderr_to_log\n"
        f"with stderr_to_log(Path({str(log)!r})):\n"
        "    os.write(2, b'ALSA lib pcm.c: Unknown PCM\\n')\n"
        "    sys.__stderr__.write('frame\\n'); sys.__stderr__.flush()\n"
        "os.write(2, b'after\\n')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stderr == "frame\nafter\n"
    assert log.read_text() == "ALSA lib pcm.c: Unknown PCM\n"


def test_a_hung_up_terminal_is_noticed() -> None:
    """The app leaves when its terminal closes, even without SIGHUP (see app.py)."""
    import os

    from voicecoach.tui.app import terminal_open

    master, slave = os.openpty()
    try:
        assert terminal_open(slave)
        os.close(master)  # what closing the terminal window does to the app's side
        assert not terminal_open(slave)
    finally:
        os.close(slave)


@pytest.mark.slow
def test_a_take_is_transcribed_while_it_is_recorded(faster_engine, tmp_path: Path) -> None:
    """With the engine loaded, speech is transcribed during the take; stop adds the rest."""
    from conftest import JFK, JFK_TEXT

    from tools.wer import word_error_rate
    from voicecoach.app.take import score_take, start_streaming
    from voicecoach.audio.recorder import Recorder
    from voicecoach.audio.sources import FileSource

    settings = Settings()
    engines = EngineService(lambda *_: faster_engine)
    assert start_streaming(engines, settings) is None  # not loaded: batch at stop instead
    engines.load(settings)
    streamer = start_streaming(engines, settings)
    assert streamer is not None
    # Real time: jfk's first phrase chunk closes at its pause (7.6 s) and is decoded
    # while the last sentence is still being spoken.
    recorder = Recorder(tmp_path / "take.wav", FileSource(JFK, realtime=True),
                        on_block=streamer.feed)
    recorder.start()
    while not recorder.source_finished:
        time.sleep(0.05)
    path = recorder.stop()
    assert streamer.stats.calls >= 1  # the engine ran before the stop
    report = score_take(path, None, engines, settings, lambda f, t: None, streamer)
    assert word_error_rate(JFK_TEXT, report.text) <= 0.10
    assert report.audio_path == str(path) and report.scores is not None


def test_the_record_panel_redraws_a_label_whose_style_alone_changed() -> None:
    """At the stop the clock keeps its text and turns from bold to dim."""
    from rich.text import Text

    from voicecoach.tui.widgets.record_panel import RecordPanel

    shown: list[Text] = []

    class Label:
        id = "rec-clock"
        update = shown.append

    panel = RecordPanel()
    for style in ("bold", "bold", "dim"):
        panel._show(Label(), Text("0:06 / 2:00", style=style))  # type: ignore[arg-type]
    assert [t.style for t in shown] == ["bold", "dim"]
