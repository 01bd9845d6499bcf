"""Mock interview: the question, your answer, then the follow-up that probes what that
answer left out (spoken like the prompt), your answer to it, optionally a second one,
then a summary of the whole session.

A PracticeScreen whose current prompt changes per turn: every answer is a normal take
(recorded, scored, stored). The interview itself (turns, session links, which
follow-up and why) is the app service voicecoach.app.interview; this screen shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from voicecoach.analysis.rules import ScoringRules
from voicecoach.app.interview import MockInterview, MockTurn, turns_summary
from voicecoach.interview.summary import coverage_line, fixed_line, touched_where
from voicecoach.prompts import Prompt
from voicecoach.tui.drill import SummaryTable  # one row per take; Enter opens it
from voicecoach.tui.format import score_text, truncate
from voicecoach.tui.messages import ScoringDone
from voicecoach.tui.practice import PracticeScreen
from voicecoach.tui.widgets.keys import KeyFooter

if TYPE_CHECKING:
    from pathlib import Path

    from voicecoach.report import Report
    from voicecoach.tui.app import VoiceCoachApp


class MockInterviewScreen(PracticeScreen):
    BINDINGS = [
        Binding("f", "follow_up", "Another follow-up"),
        Binding("d", "done", "End interview"),
    ]

    def __init__(self, prompt: Prompt, queue: list[Prompt] | None = None) -> None:
        super().__init__(prompt)
        self.question = prompt
        self.queue = list(queue or [])  # a drill of mock interviews: the questions to come
        self.interview: MockInterview | None = None  # made on mount (needs the app)

    @property
    def turns(self) -> list[MockTurn]:
        return self.interview.turns if self.interview else [MockTurn(self.question)]

    @property
    def answered(self) -> list[MockTurn]:
        return self.interview.answered if self.interview else []

    def on_mount(self) -> None:
        self.interview = MockInterview(self.question, self.vc.takes.store,
                                       ScoringRules.from_settings(self.vc.settings))
        super().on_mount()
        card = self.query_one("#prompt-card", Static)
        card.border_title = f"Mock interview · {self.question.category}"
        self.query_one("#practice-body").mount(Static(id="mock-log"), after=card)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.interview is None:
            return super().check_action(action, parameters)
        idle = not self.is_mounted or (self.panel.state == "idle" and not self.processing)
        waiting = self.interview.waiting  # no question open
        if action == "follow_up":
            return idle and self.interview.can_ask_more and len(self.turns) > 1
        if action == "done":
            return idle and waiting and len(self.turns) > 1
        if action == "record":
            return super().check_action(action, parameters) and not waiting
        return super().check_action(action, parameters)

    # --- each answer is a take linked to the session ------------------------------------------

    def _begin_processing(self, path: Path, take_id: Any, session: Any = None) -> None:
        assert self.interview is not None
        problem = self.interview.recording(take_id)
        if problem:
            self.notify(problem, severity="warning")
        super()._begin_processing(path, take_id, session)

    @on(ScoringDone)
    def _answer_scored(self, message: ScoringDone) -> None:
        message.prevent_default()  # no result screen between the questions
        assert self.interview is not None
        self._end_processing()
        if message.problem:
            self.notify(f"The result was not saved: {message.problem}", severity="error")
        self.interview.scored(message.report)
        self.last_report, self.last_take_id = message.report, message.take_id
        self._show_log()
        if len(self.turns) == 1:
            self.action_follow_up()  # the interviewer always probes the first answer
        elif not self.interview.can_ask_more:
            self.action_done()
        else:
            self.refresh_bindings()
            self._hint()

    # --- the interview ------------------------------------------------------------------------

    def action_follow_up(self) -> None:
        assert self.interview is not None
        choice = self.interview.next_follow_up()
        if choice is None:
            self.action_done()
            return
        self.prompt = self.interview.current.prompt
        card = self.query_one("#prompt-card", Static)
        text = Text(f"Follow-up {len(self.turns) - 1}: ", style="bold")
        text.append(choice.follow_up.text, style="bold")
        text.append(f"\n\n{choice.reason}", style="italic")
        text.append(f"\n\nThe question: {truncate(self.question.text, 120)}", style="dim")
        card.update(text)
        card.border_subtitle = self.prompt.id
        self.refresh_bindings()
        self.action_speak()  # asked aloud, as an interviewer would

    def action_done(self) -> None:
        assert self.interview is not None
        self.vc.speaker.stop()
        problem = self.interview.finish()
        if problem:
            self.notify(problem, severity="warning")
        summary = MockSummaryScreen(self.question, self.interview.turns, self.queue)
        self.dismiss(None)
        self.vc.push_screen(summary, lambda _: self.vc.refresh_scores())

    # --- display ------------------------------------------------------------------------------

    def _show_log(self) -> None:
        lines = Text()
        for i, turn in enumerate(self.answered):
            label = "Answer" if i == 0 else f"Follow-up {i}"
            lines.append(f"{label}: ", style="bold")
            lines.append_text(turn_scores(turn.report))
            lines.append("\n")
        self.query_one("#mock-log", Static).update(lines)

    def _hint(self, again: bool = False) -> None:
        interview = self.interview
        if interview is None or not self.is_mounted or self.processing \
                or self.panel.state != "idle" or not interview.waiting or len(self.turns) == 1:
            super()._hint(again)
            if self.is_mounted and len(self.turns) > 1 and self.vc.speaker.speaking:
                self.query_one("#practice-hint", Static).update(Text(
                    "♪ Asking the follow-up aloud…  p stops it; r stops it and starts "
                    "recording your answer.", style="bold"))
            return
        self.query_one("#practice-hint", Static).update(
            ("f asks another follow-up; " if interview.can_ask_more else "")
            + "d ends the interview and shows the summary.")


def turn_scores(report: Report | None) -> Text:
    if report is None:
        return Text("not scored", style="dim")
    scores = report.scores or {}
    text = Text()
    for name in ("overall", "structure"):
        if name in scores:
            text.append(f"{name} ")
            text.append_text(score_text(scores[name]))
            text.append("  ")
    cov = report.extra.get("coverage")
    if cov:
        text.append(f"key points {cov['touched']}/{cov['total']}")
    if report.extra.get("not_judged"):
        text.append("too short to judge structure", style="dim")
    return text


class MockSummaryScreen(Screen[None]):
    """Both (or all three) takes, scores over the session, what the follow-ups fixed."""

    BINDINGS = [
        Binding("a", "model_answer", "Model answer"),
        Binding("n", "next", "Next question"),
        Binding("escape", "home", "Home"),
    ]

    def __init__(self, question: Prompt, turns: list[MockTurn],
                 queue: list[Prompt] | None = None) -> None:
        super().__init__()
        self.question = question
        self.queue = list(queue or [])
        self.turns = [t for t in turns if t.take_id is not None]
        self.summary = turns_summary(question, self.turns)

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="mock-summary"):
            heading = Text(truncate(self.question.text, 200), style="bold")
            if self.queue:
                heading.append(f"   ({len(self.queue)} more in this drill: n)", style="dim")
            yield Static(heading, id="mock-question")
            yield SummaryTable(id="mock-turns", cursor_type="row")
            fixed = Static(self._fixed_text(), id="mock-fixed")
            fixed.border_title = "Over the session"
            yield fixed
        yield KeyFooter()

    def _fixed_text(self) -> Text:
        text = Text(fixed_line(self.summary), style="bold")
        text.append("\n" + coverage_line(self.summary))
        for kp in self.summary["coverage"]["key_points"]:
            where = kp["touched_in"]
            mark = "✓" if where is not None else "✗"
            text.append(f"\n {mark} {kp['label']}{touched_where(where)}",
                        style="green" if where is not None else "red")
        return text

    def on_mount(self) -> None:
        table = self.query_one(SummaryTable)
        table.add_columns("#", "Question", "Why asked", "Overall", "Structure", "Points")
        for turn, row in zip(self.turns, self.summary["turns"]):
            scores = row["scores"]
            cov = turn.report.extra.get("coverage") if turn.report else None
            table.add_row(
                "Q" if row["turn"] == 0 else f"F{row['turn']}",
                truncate(row["question"], 30 if self.size.width < 100 else 48),
                truncate((row["reason"] or "").removeprefix("asked because "),
                         18 if self.size.width < 100 else 34),
                score_text(scores["overall"]) if "overall" in scores else "–",
                score_text(scores["structure"]) if "structure" in scores else "–",
                f"{cov['touched']}/{cov['total']}" if cov else "–",
                key=str(row["turn"]))
        table.focus()

    @on(DataTable.RowSelected, "#mock-turns")
    def _open(self, event: DataTable.RowSelected) -> None:
        turn = self.turns[int(str(event.row_key.value))]
        if turn.report is None:
            self.notify("That answer was not scored.", severity="warning")
            return
        from voicecoach.tui.result import ResultScreen

        self.vc.push_screen(ResultScreen(turn.prompt, turn.report, allow_again=False,
                                         take_id=turn.take_id))

    def action_model_answer(self) -> None:
        from voicecoach.tui.model_answer import ModelAnswerScreen

        self.vc.push_screen(ModelAnswerScreen(self.question))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return bool(self.queue)
        return True

    def action_next(self) -> None:
        """The drill's next mock interview."""
        first, *rest = self.queue
        self.dismiss(None)
        self.vc.open_mock(first, rest)

    def action_home(self) -> None:
        self.dismiss(None)
