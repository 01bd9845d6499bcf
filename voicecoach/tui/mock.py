"""Mock interview: the question, your answer, then the follow-up that probes what that
answer left out (spoken like the prompt), your answer to it, optionally a second one,
then a summary of the whole session.

A PracticeScreen whose current prompt changes per turn: every answer is a normal take
(recorded, scored, stored) linked to the session and to the take it follows. The
choice of follow-up is core code (voicecoach.interview); this screen only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from voicecoach.analysis.rules import ScoringRules
from voicecoach.errors import VoiceCoachError
from voicecoach.interview.followup import Choice, choose_follow_up
from voicecoach.interview.gaps import session_gaps
from voicecoach.interview.summary import Answer, coverage_line, fixed_line, summarize
from voicecoach.prompts import Prompt, follow_up_prompt
from voicecoach.tui.format import score_text, truncate
from voicecoach.tui.messages import ScoringDone
from voicecoach.tui.practice import PracticeScreen
from voicecoach.tui.widgets.keys import KeyFooter

if TYPE_CHECKING:
    from pathlib import Path

    from voicecoach.report import Report
    from voicecoach.tui.app import VoiceCoachApp

MAX_FOLLOW_UPS = 2


@dataclass
class MockTurn:
    prompt: Prompt  # what was asked: the question, or a follow-up as a prompt
    take_id: Any = None
    report: Report | None = None
    choice: Choice | None = None  # for a follow-up: which one, and why


class MockInterviewScreen(PracticeScreen):
    BINDINGS = [
        Binding("f", "follow_up", "Another follow-up"),
        Binding("d", "done", "End interview"),
    ]

    def __init__(self, prompt: Prompt) -> None:
        super().__init__(prompt)
        self.question = prompt
        self.turns: list[MockTurn] = [MockTurn(prompt)]
        self.session_id: Any = None

    @property
    def answered(self) -> list[MockTurn]:
        return [t for t in self.turns if t.report is not None]

    def on_mount(self) -> None:
        super().on_mount()
        card = self.query_one("#prompt-card", Static)
        card.border_title = f"Mock interview · {self.question.category}"
        self.query_one("#practice-body").mount(Static(id="mock-log"), after=card)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        idle = not self.is_mounted or (self.panel.state == "idle" and not self.processing)
        waiting = len(self.turns) == len(self.answered)  # no question open
        if action == "follow_up":
            return idle and waiting and 1 < len(self.turns) <= MAX_FOLLOW_UPS
        if action == "done":
            return idle and waiting and len(self.turns) > 1
        if action == "record":
            return super().check_action(action, parameters) and not waiting
        return super().check_action(action, parameters)

    # --- recording: link each take to the session -----------------------------------------

    def action_record(self) -> None:
        if self.session_id is None:
            from voicecoach.store.sessions import start_session

            try:
                self.session_id = start_session(self.vc.takes.store, self.question.id)
            except VoiceCoachError as err:
                self.notify(f"The session is not saved: {err}", severity="warning")
        super().action_record()

    def _begin_processing(self, path: Path, take_id: Any, streamer: Any = None) -> None:
        turn = self.turns[-1]
        turn.take_id = take_id
        if self.session_id is not None:
            from voicecoach.store.sessions import link_take

            follows = self.turns[-2].take_id if len(self.turns) > 1 else None
            choice = turn.choice
            try:
                link_take(self.vc.takes.store, self.session_id, take_id, len(self.turns) - 1,
                          follows, choice.follow_up.id if choice else None,
                          choice.reason if choice else None)
            except VoiceCoachError as err:
                self.notify(f"The take is not linked to its session: {err}",
                            severity="warning")
        super()._begin_processing(path, take_id, streamer)

    @on(ScoringDone)
    def _answer_scored(self, message: ScoringDone) -> None:
        message.prevent_default()  # no result screen between the questions
        self._end_processing()
        if message.problem:
            self.notify(f"The result was not saved: {message.problem}", severity="error")
        turn = self.turns[-1]
        turn.report = message.report
        self.last_report, self.last_take_id = message.report, message.take_id
        self._show_log()
        if len(self.turns) == 1:
            self.action_follow_up()  # the interviewer always probes the first answer
        elif len(self.turns) > MAX_FOLLOW_UPS:
            self.action_done()
        else:
            self.refresh_bindings()
            self._hint()

    # --- the interview ------------------------------------------------------------------------

    def action_follow_up(self) -> None:
        reports = [t.report for t in self.answered if t.report is not None]
        asked = [t.choice.follow_up.id for t in self.turns if t.choice]
        choice = choose_follow_up(self.question, session_gaps(self.question, reports), asked,
                                  ScoringRules.from_settings(self.vc.settings))
        if choice is None:
            self.action_done()
            return
        self.prompt = follow_up_prompt(self.question, choice.follow_up)
        self.turns.append(MockTurn(self.prompt, choice=choice))
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
        self.vc.speaker.stop()
        if self.session_id is not None:
            from voicecoach.store.sessions import finish_session

            try:
                finish_session(self.vc.takes.store, self.session_id)
            except VoiceCoachError as err:
                self.notify(f"The session is not saved: {err}", severity="warning")
        summary = MockSummaryScreen(self.question, self.turns, self.session_id)
        self.dismiss(None)
        self.vc.push_screen(summary)

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
        if not self.is_mounted or self.processing or self.panel.state != "idle" \
                or len(self.turns) != len(self.answered) or len(self.turns) == 1:
            super()._hint(again)
            if self.is_mounted and len(self.turns) > 1 and self.vc.speaker.speaking:
                self.query_one("#practice-hint", Static).update(Text(
                    "♪ Asking the follow-up aloud…  p stops it; r stops it and starts "
                    "recording your answer.", style="bold"))
            return
        more = len(self.turns) <= MAX_FOLLOW_UPS
        self.query_one("#practice-hint", Static).update(
            ("f asks another follow-up; " if more else "") + "d ends the interview and "
            "shows the summary.")


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


class SummaryTable(DataTable[object]):
    BINDINGS = [Binding("enter", "select_cursor", "Open take")]


class MockSummaryScreen(Screen[None]):
    """Both (or all three) takes, scores over the session, what the follow-ups fixed."""

    BINDINGS = [
        Binding("a", "model_answer", "Model answer"),
        Binding("escape", "home", "Home"),
    ]

    def __init__(self, question: Prompt, turns: list[MockTurn], session_id: Any = None
                 ) -> None:
        super().__init__()
        self.question = question
        self.turns = [t for t in turns if t.take_id is not None]
        self.session_id = session_id
        self.summary = summarize(question, [
            Answer(i, t.take_id, t.prompt.text, t.report,
                   t.choice.follow_up.id if t.choice else None,
                   t.choice.reason if t.choice else None) for i, t in enumerate(self.turns)])

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="mock-summary"):
            yield Static(Text(truncate(self.question.text, 200), style="bold"),
                         id="mock-question")
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
            said = ("" if where is None else
                    " (first answer)" if where == 0 else f" (follow-up {where})")
            text.append(f"\n {mark} {kp['label']}{said}",
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

    def action_home(self) -> None:
        self.dismiss(None)
