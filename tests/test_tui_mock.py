"""A whole mock interview driven with Pilot on real audio: a thin spoken answer to the
fraud-detection prompt that never mentions monitoring gets the monitoring probe, asked
aloud; the answer to it is scored, stored and linked; the summary shows both takes and
what the follow-up fixed.

Real transcription (faster-whisper tiny.en) of espeak-ng speech played through a
file-backed audio source, real SQLite store, the real prompt bank.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import cached_answer
from test_tui_app import SIZE, text_of, wait_for

from voicecoach.app.speech import Speaker, speak_command
from voicecoach.audio.sources import FileSource
from voicecoach.config import Settings
from voicecoach.prompts import Prompt, load_prompts
from voicecoach.store.db import Store
from voicecoach.store.sessions import list_sessions, session_links
from voicecoach.tui.app import create_app
from voicecoach.tui.home import HomeScreen
from voicecoach.tui.mock import MockInterviewScreen, MockSummaryScreen
from voicecoach.tui.model_answer import ModelAnswerScreen
from voicecoach.tui.result import ResultScreen

pytestmark = pytest.mark.slow

THIN = [
    "I would start with the data.",
    "We have labels from chargebacks for past card payments.",
    "Fraud is rare, so I would use class weights when training.",
    "Then I would train a gradient boosted model on the transaction features, because it "
    "is fast.",
    "It has to answer in real time, in under fifty milliseconds.",
    "The main risk is false positives that block good customers.",
]
MONITORING = [
    "Chargebacks arrive weeks late, so I cannot wait for them.",
    "I would monitor the score distribution and the approval rate every hour,",
    "and alert when they drift, because fraudsters adapt quickly.",
    "Analysts review a sample of flagged payments each day, which gives early labels,",
    "and I would retrain the model every week on the matured labels.",
]


class SpySpeaker(Speaker):
    """The app's real speaker, remembering what it was asked to say."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[Prompt] = []

    def say(self, prompt: Prompt) -> str | None:
        self.said.append(prompt)
        return super().say(prompt)


@pytest.fixture
def clips() -> dict[str, Path]:
    return {"thin": cached_answer("mock-thin-fraud", THIN, wpm=160)[0],
            "monitoring": cached_answer("mock-monitoring", MONITORING, wpm=160)[0]}


@pytest.mark.asyncio
async def test_mock_interview_probes_monitoring_after_a_thin_answer(
        tmp_path, faster_engine, clips, monkeypatch, capsys):
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "data" / "voicecoach.sqlite3"
    with Store(path) as store:
        class TurnSource(FileSource):
            """The thin answer while the question is open, then the follow-up answer
            (chosen when the recording starts: the screen may open its input earlier)."""

            def _load(self):
                screen = app.screen
                first = isinstance(screen, MockInterviewScreen) and len(screen.turns) == 1
                self.path = clips["thin" if first else "monitoring"]
                return super()._load()

        def source(settings: Settings) -> FileSource:
            return TurnSource(clips["thin"], realtime=True, speed=4.0)

        app = create_app(Settings(), store, source, lambda settings, progress: faster_engine,
                         load_prompts())
        app.speaker = SpySpeaker()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
            await wait_for(pilot, lambda: "ready" in app.engine_status, what="the model")
            assert app.screen.current().id == "design-fraud-detection"
            await pilot.press("m")
            await wait_for(pilot, lambda: isinstance(app.screen, MockInterviewScreen))
            mock = app.screen
            for turn in (1, 2):
                await pilot.press("r")
                await wait_for(pilot, lambda: mock.panel.state == "recording", what="rec")
                await wait_for(pilot, lambda: mock.panel.recorder.source_finished,
                               what="clip played")
                await pilot.press("s")
                await wait_for(pilot, lambda t=turn: len(mock.answered) == t, 120,
                               f"answer {turn} scored")
                if turn == 1:
                    await wait_for(pilot, lambda: len(mock.turns) == 2, what="follow-up")
                    choice = mock.turns[1].choice
                    first_words = mock.turns[0].report.text.lower()
                    assert "monitor" not in first_words, first_words
                    assert choice.follow_up.id == "monitoring", (choice, first_words)
                    assert choice.reason.startswith("asked because monitoring never came up")
                    card = text_of(app, "#prompt-card")
                    assert choice.follow_up.text[:40] in card.replace("\n", " ")
                    assert "monitoring never came up" in card
                    # Asked aloud with the prompts' own speech (espeak-ng/flite).
                    spoken = app.speaker.said[-1]
                    assert spoken.text == choice.follow_up.text
                    assert speak_command(spoken) == speak_command(
                        Prompt("x", choice.follow_up.text, "Behavioral", 1, 1, ()))
                    assert "Answer:" in text_of(app, "#mock-log")
            await wait_for(pilot, lambda: "d ends the interview" in text_of(app,
                                                                             "#practice-hint"))
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, MockSummaryScreen),
                           what="summary")
            summary = app.screen
            fixed = text_of(app, "#mock-fixed")
            assert "The follow-ups fixed: monitoring" in fixed
            assert "adversarial drift" in fixed.lower()
            assert "(follow-up 1)" in fixed
            rows = summary.query_one("#mock-turns").row_count
            assert rows == 2
            # Both takes open as normal results; the question's result offers the model
            # answer, which p reads aloud with the same speech as the prompts.
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
            assert app.screen.report is summary.turns[1].report
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is summary)
            await pilot.press("up", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ResultScreen))
            result = app.screen
            assert result.report is summary.turns[0].report
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, ModelAnswerScreen))
            fraud = app.screen.prompt
            assert "Let me structure this" in text_of(app, "#model-answer-text")
            await pilot.press("p")
            assert app.speaker.said[-1].text == fraud.model_answer
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is result)
            assert not app.speaker.speaking  # closing stops the reading
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is summary)
            await pilot.press("a")  # from the summary too
            await wait_for(pilot, lambda: isinstance(app.screen, ModelAnswerScreen))
            await pilot.press("escape")

        # Stored: two scored takes linked in one session, the probe following the question.
        (session,) = list_sessions(store)
        first, probe = (store.get(t) for t in session.take_ids)
        assert session.prompt_id == "design-fraud-detection" and session.finished_at
        assert first.prompt_id == "design-fraud-detection" and first.status == "scored"
        assert probe.prompt_id == "design-fraud-detection/monitoring"
        assert probe.status == "scored" and probe.report.extra["coverage"]["score"] == 100
        assert session.turns[1].follows_take_id == first.id
        assert session.turns[1].reason.startswith("asked because monitoring never came up")
        assert session_links(store)[probe.id]["follows_take_id"] == first.id

    # The CLI's history lists the links.
    from voicecoach.cli import main

    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(path.parent))
    assert main(["history", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[probe.id]["session"]["follows_take_id"] == first.id
    assert rows[probe.id]["session"]["follow_up_id"] == "monitoring"
    assert rows[first.id]["session"]["turn"] == 0
    assert main(["history", "--sessions"]) == 0
    out = capsys.readouterr().out
    assert "design-fraud-detection" in out and "asked because monitoring never came up" in out
    assert "The follow-ups fixed: monitoring" in out
    assert main(["history", "--sessions", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert [t["take_id"] for t in data["turns"]] == [first.id, probe.id]
    assert data["turns"][1]["follows_take_id"] == first.id
    # The follow-up's answer made the monitoring point the question's answer missed (and
    # may make others it missed: each answer is judged on all the question's points).
    points = {kp["id"]: kp["touched_in"] for kp in data["coverage"]["key_points"]}
    assert points["adaptation"] == 1
    assert data["coverage"]["touched"] >= data["first_answer_coverage"] + 1
    out_file = tmp_path / "session.md"
    assert main(["export", "--session", str(data["id"]), "-o", str(out_file)]) == 0
    exported = out_file.read_text()
    assert exported.startswith("# Mock interview: Design a real-time fraud detection")
    assert "| Follow-up 1 | Say the model has been live for a month" in exported
    assert "(follow-up 1)" in exported and "The follow-ups fixed: monitoring" in exported
    assert exported.count("### Scores") == 2  # both takes in full
    assert main(["export", "--session", "99"]) == 2
    assert "no session #99" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_drill_of_mock_interviews_goes_question_by_question(tmp_path, faster_engine,
                                                                   monkeypatch):
    """Drill setup's mode "Mock interviews": a mock interview per prompt; each summary's
    n opens the next question."""
    from test_interview_followup import MONITORING_ANSWER, THIN_FRAUD, scored
    from textual.widgets import Select

    from voicecoach.app.interview import MockTurn
    from voicecoach.prompts import follow_up_prompt, get_prompt
    from voicecoach.tui.drill import DrillSetupScreen

    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path / "config"))
    with Store(tmp_path / "voicecoach.sqlite3") as store:
        app = create_app(Settings(), store, lambda s: FileSource(tmp_path / "none.wav"),
                         lambda settings, progress: faster_engine, load_prompts())
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DrillSetupScreen))
            app.screen.query_one("#drill-mode", Select).value = "mock"
            app.screen.query_one("#drill-count").value = "2"
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, MockInterviewScreen))
            first = app.screen
            assert len(first.queue) == 1 and first.queue[0] is not first.question
            card = first.query_one("#prompt-card")
            assert card.border_title.startswith("Mock interview")
            # The summary of this interview (answers scored on the text path) leads on.
            fraud = get_prompt("design-fraud-detection")
            probe = follow_up_prompt(fraud, fraud.follow_up("monitoring"))
            turns = [MockTurn(fraud, 1, scored(THIN_FRAUD, fraud)),
                     MockTurn(probe, 2, scored(MONITORING_ANSWER, probe))]
            first.dismiss(None)
            await app.push_screen(MockSummaryScreen(fraud, turns, first.queue))
            await wait_for(pilot, lambda: isinstance(app.screen, MockSummaryScreen))
            assert "1 more in this drill" in text_of(app, "#mock-question")
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, MockInterviewScreen))
            assert app.screen.question is first.queue[0] and app.screen.queue == []
