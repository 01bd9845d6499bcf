"""A mock interview as an app service: the turns so far, the session in the store,
the next follow-up. No Textual: the TUI's mock screen records and scores each answer
as any take and tells this object what happened; the CLI could drive it the same way.

Store writes are a few milliseconds of SQLite on the caller's thread, like the take
log's; a failure is one line returned to the caller (the takes themselves are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicecoach.analysis.rules import ScoringRules
from voicecoach.errors import VoiceCoachError
from voicecoach.interview.followup import Choice, choose_follow_up
from voicecoach.interview.gaps import session_gaps
from voicecoach.interview.summary import Answer, summarize
from voicecoach.prompts import Prompt, follow_up_prompt
from voicecoach.report import Report

MAX_FOLLOW_UPS = 2


@dataclass
class MockTurn:
    prompt: Prompt  # what was asked: the question, or a follow-up as a prompt
    take_id: Any = None
    report: Report | None = None
    choice: Choice | None = None  # for a follow-up: which one, and why


class MockInterview:
    def __init__(self, question: Prompt, store: Any, rules: ScoringRules | None = None
                 ) -> None:
        self.question = question
        self.store = store
        self.rules = rules or ScoringRules()
        self.turns: list[MockTurn] = [MockTurn(question)]
        self.session_id: int | None = None

    @property
    def current(self) -> MockTurn:
        return self.turns[-1]

    @property
    def answered(self) -> list[MockTurn]:
        return [t for t in self.turns if t.report is not None]

    @property
    def waiting(self) -> bool:
        """Every question asked so far has a scored answer."""
        return len(self.answered) == len(self.turns)

    @property
    def can_ask_more(self) -> bool:
        asked = len(self.turns) - 1
        return self.waiting and asked < MAX_FOLLOW_UPS and asked < len(
            self.question.follow_ups)

    def recording(self, take_id: Any) -> str | None:
        """The current question's answer is take `take_id`: link it to the session
        (started with the first answer). Returns why it could not be saved, if so."""
        from voicecoach.store.sessions import link_take, start_session

        turn = self.current
        turn.take_id = take_id
        try:
            if self.session_id is None:
                self.session_id = start_session(self.store, self.question.id)
            follows = self.turns[-2].take_id if len(self.turns) > 1 else None
            link_take(self.store, self.session_id, take_id, len(self.turns) - 1, follows,
                      turn.choice.follow_up.id if turn.choice else None,
                      turn.choice.reason if turn.choice else None)
        except VoiceCoachError as err:
            return f"the take is not linked to its session: {err}"
        return None

    def scored(self, report: Report) -> None:
        self.current.report = report

    def next_follow_up(self) -> Choice | None:
        """Choose the follow-up for the answers so far and make it the current question;
        None when no follow-up is left to ask."""
        if not self.waiting or len(self.turns) > MAX_FOLLOW_UPS:
            return None
        reports = [t.report for t in self.answered if t.report is not None]
        asked = [t.choice.follow_up.id for t in self.turns if t.choice]
        choice = choose_follow_up(self.question, session_gaps(self.question, reports), asked,
                                  self.rules)
        if choice is not None:
            self.turns.append(MockTurn(follow_up_prompt(self.question, choice.follow_up),
                                       choice=choice))
        return choice

    def finish(self) -> str | None:
        if self.session_id is None:
            return None
        from voicecoach.store.sessions import finish_session

        try:
            finish_session(self.store, self.session_id)
        except VoiceCoachError as err:
            return f"the session is not saved: {err}"
        return None

    def summary(self) -> dict[str, Any]:
        return turns_summary(self.question, self.turns)


def turns_summary(question: Prompt, turns: list[MockTurn]) -> dict[str, Any]:
    """The session summary (voicecoach.interview.summary) of the turns that were answered."""
    return summarize(question, [
        Answer(i, t.take_id, t.prompt.text, t.report,
               t.choice.follow_up.id if t.choice else None,
               t.choice.reason if t.choice else None)
        for i, t in enumerate(turns) if t.take_id is not None])
