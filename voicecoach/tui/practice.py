"""Practice one prompt: read (or hear) it, record an answer, get it scored.

The speech model keeps loading in the background while the prompt is on screen.
Turning the finished recording into a report is one worker (`_score`) around one
function (`take.score_take`), so a streaming transcriber can replace it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Label, ProgressBar, Static

from voicecoach import trace
from voicecoach.app.speech import can_speak
from voicecoach.app.take import score_take
from voicecoach.errors import VoiceCoachError
from voicecoach.prompts import Prompt
from voicecoach.tui.format import duration
from voicecoach.tui.messages import (
    RecordingFailed,
    RecordingStarted,
    RecordingStopped,
    ScoringDone,
    ScoringFailed,
    ScoringProgress,
)
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.widgets.record_panel import RecordPanel
from voicecoach.tui.workers import thread_worker

if TYPE_CHECKING:
    from pathlib import Path

    from voicecoach.app.session import TakeSession
    from voicecoach.report import Report
    from voicecoach.tui.app import VoiceCoachApp

MIN_TAKE_S = 0.5  # shorter than this is a key pressed twice, not an answer


def prompt_card(prompt: Prompt, think_s: int | None = None, answer_s: int | None = None
                ) -> Text:
    """The prompt and its times (a drill may use the user's times instead of the prompt's)."""
    think = prompt.think_s if think_s is None else think_s
    answer = prompt.answer_s if answer_s is None else answer_s
    text = Text(prompt.text, style="bold")
    text.append(f"\n\nthink {duration(think)}  ·  answer {duration(answer)}"
                f"  ·  {len(prompt.key_points)} key points a strong answer covers", style="dim")
    return text


class PracticeScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "record", "Record"),
        Binding("s", "stop", "Stop"),
        Binding("space", "toggle", "Record/Stop", show=False),
        Binding("p", "speak", "Read prompt aloud"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, prompt: Prompt) -> None:
        super().__init__()
        self.prompt = prompt
        self.processing = False
        self.last_report: Report | None = None  # this session's previous take, for "change"
        self.last_take_id: Any = None
        self._takes = 0  # scored takes of this prompt on this screen

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="practice-body"):
            card = Static(prompt_card(self.prompt), id="prompt-card")
            card.border_title = self.prompt.category
            card.border_subtitle = self.prompt.id
            yield card
            yield RecordPanel(id="recorder")
            with Vertical(id="processing"):
                yield Label("", id="proc-text")
                yield ProgressBar(total=100, show_eta=False, id="proc-bar")
            yield Static(id="practice-hint")
            yield Static(id="engine-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.vc.ensure_engine()
        self.watch(self.vc, "engine_status", self._engine_status)
        self._speech_timer = self.set_interval(0.25, self._speech_check, pause=True)
        self._hint()

    def on_unmount(self) -> None:
        self.vc.speaker.stop()

    @property
    def panel(self) -> RecordPanel:
        return self.query_one(RecordPanel)

    # --- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        state = self.panel.state
        if action == "record":
            return state == "idle" and not self.processing
        if action == "stop":
            return state == "recording"
        if action == "back":
            return state == "idle" and not self.processing
        return True

    def action_record(self) -> None:
        if self.processing:
            return
        self.vc.speaker.stop()  # the microphone must not hear the question
        self._speech_timer.pause()
        self.panel.start(self.prompt.id, category=self.prompt.category)
        self._hint()

    def action_stop(self) -> None:
        self.panel.stop()

    def action_toggle(self) -> None:
        if self.panel.state == "recording":
            self.action_stop()
        elif self.panel.state == "idle":
            self.action_record()

    def action_speak(self) -> None:
        """Read the prompt aloud; p again while it speaks stops it."""
        if self.panel.state != "idle":
            self.notify("Not while recording.", severity="warning")
            return
        if self.vc.speaker.speaking:
            self.vc.speaker.stop()
        else:
            error = self.vc.speaker.say(self.prompt)
            if error:
                self.notify(error, severity="warning")
                return
            # Watch the synthesizer: the hint says it is speaking until it is done.
            self._speech_timer.resume()
        self._hint()

    def _speech_check(self) -> None:
        if not self.vc.speaker.speaking:
            self._speech_timer.pause()
            self._hint()

    def action_back(self) -> None:
        if self.panel.state != "idle" or self.processing:
            self.notify("Stop the recording first (s).", severity="warning")
            return
        self.dismiss(None)

    # --- recording events (bubbled up from the panel) -------------------------------------------

    @on(RecordingStarted)
    @on(RecordingFailed)
    def _recording_changed(self) -> None:
        self.refresh_bindings()
        self._hint()

    @on(RecordingStopped)
    def _recording_stopped(self, message: RecordingStopped) -> None:
        self.refresh_bindings()
        if message.path is None or message.seconds < MIN_TAKE_S:
            if message.session is not None:
                message.session.discard()  # a decode in flight ends on its own
            self.vc.takes.discard(message.take_id)
            if not message.error:
                self.notify("That take was too short to score.", severity="warning")
            self._hint()
            return
        self._begin_processing(message.path, message.take_id, message.session)

    # --- scoring: the one swappable step ------------------------------------------------------

    def _begin_processing(self, path: Path, take_id: Any,
                          session: TakeSession | None = None) -> None:
        self.processing = True
        self.vc.takes.scoring(take_id)  # before the worker: it stores "scored"
        trace.mark("db.scoring")
        self._score(path, take_id, session)  # first: screen updates only cost time here
        self.set_class(True, "-processing")
        self.query_one("#proc-text", Label).update("Processing the take…")
        self.query_one("#proc-bar", ProgressBar).update(progress=0)
        self.refresh_bindings()
        self._hint()

    @thread_worker(exclusive=True, group="score")
    def _score(self, path: Path, take_id: Any, session: TakeSession | None = None) -> None:
        def progress(fraction: float, text: str) -> None:
            self.post_message(ScoringProgress(take_id, fraction, text))

        trace.mark("score.start")
        try:
            report = (session.score(self.prompt, progress) if session is not None else
                      score_take(path, self.prompt, self.vc.engines, self.vc.settings, progress))
        except VoiceCoachError as err:
            self.post_message(ScoringFailed(take_id, str(err)))
            return
        except Exception as err:  # never leave the screen stuck in "processing"
            self.post_message(ScoringFailed(take_id, f"{type(err).__name__}: {err}"))
            return
        trace.mark("score.done")
        # Stored and the previous take read here, off the UI thread: the UI only draws.
        problem = self.vc.takes.scored(take_id, report)
        previous = self.last_report or self.vc.takes.previous_report(self.prompt.id, take_id)
        trace.mark("db.saved")
        self.post_message(ScoringDone(take_id, report, previous, problem))

    @on(ScoringProgress)
    def _progress(self, message: ScoringProgress) -> None:
        self.query_one("#proc-text", Label).update(Text(message.text.capitalize() + "…"))
        self.query_one("#proc-bar", ProgressBar).update(progress=message.fraction * 100)

    @on(ScoringFailed)
    def _score_failed(self, message: ScoringFailed) -> None:
        self._end_processing()
        self.vc.takes.failed(message.take_id, message.error)
        self.panel._set_warning(f"Could not score the take: {message.error}. "
                                "The recording is kept; press r to try again.", error=True)

    @on(ScoringDone)
    def _scored(self, message: ScoringDone) -> None:
        trace.mark("ui.scored")
        self.last_report, self.last_take_id = message.report, message.take_id
        self._takes += 1
        from voicecoach.tui.result import ResultScreen

        self.vc.push_screen(ResultScreen(self.prompt, message.report, message.previous,
                                         take_id=message.take_id), self._after_result)
        trace.mark("result.pushed")
        self._end_processing()
        if message.problem:
            self.notify(f"The result was not saved: {message.problem}", severity="error")

    def _end_processing(self) -> None:
        self.processing = False
        self.set_class(False, "-processing")
        self.refresh_bindings()
        self._hint()

    def _after_result(self, choice: str | None) -> None:
        if choice == "again":
            self._hint(again=True)
        elif choice == "next":
            self.vc.replace_practice(self)
        elif choice == "home":
            self.dismiss(None)

    # --- display ------------------------------------------------------------------------------

    def _engine_status(self, status: str) -> None:
        self.query_one("#engine-line", Static).update(Text(status, style="dim"))

    def _hint(self, again: bool = False) -> None:
        state = self.panel.state if self.is_mounted else "idle"
        if self.processing:
            text = "Scoring your answer. The transcript, scores and tips come next."
        elif state == "recording":
            text = "Think aloud: say what you are doing and why. Press s (or space) to stop."
        elif state in ("starting", "stopping"):
            text = ""
        elif self.vc.speaker.speaking:
            self.query_one("#practice-hint", Static).update(Text(
                "♪ Reading the prompt aloud…  p stops it; r stops it and starts recording.",
                style="bold"))
            return
        else:
            speak = "p reads the prompt aloud; " if can_speak(self.prompt) else ""
            text = (f"Take a moment to plan. {speak}press r (or space) to start recording, "
                    "s to stop.")
            last = (self.last_report.scores or {}).get("overall") if self.last_report else None
            if again and last is not None:
                text = (f"Take {self._takes + 1}: last time you scored {last}; fix the first "
                        "tip and press r when ready. The result will show what changed.")
        self.query_one("#practice-hint", Static).update(text)
