"""Hear what good sounds like: a prompt's model answer, shown and read aloud."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from voicecoach.prompts import Prompt
from voicecoach.tui.widgets.keys import KeyFooter

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp


class ModelAnswerScreen(ModalScreen[None]):
    """What a strong answer to the prompt sounds like: the text, and p reads it aloud."""

    BINDINGS = [
        Binding("p", "speak", "Read aloud"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, prompt: Prompt) -> None:
        super().__init__()
        self.prompt = prompt

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="model-answer"):
            body = Static(Text(self.prompt.model_answer or
                               "This prompt has no model answer yet."), id="model-answer-text")
            body.border_title = "Model answer"
            body.border_subtitle = "p reads it aloud · esc closes"
            yield body
        yield KeyFooter()

    def action_speak(self) -> None:
        if not self.prompt.model_answer:
            return
        if self.vc.speaker.speaking:
            self.vc.speaker.stop()
            return
        # The prompt with the answer as its text, read by the synthesizer (its own
        # recording, if any, is of the question).
        error = self.vc.speaker.say(replace(self.prompt, text=self.prompt.model_answer,
                                            audio=None))
        if error:
            self.notify(error, severity="warning")

    def action_close(self) -> None:
        self.vc.speaker.stop()
        self.dismiss(None)
