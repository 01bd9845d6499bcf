"""Drill mode: N prompts back to back, each with a think countdown then an answer
countdown that stops the recording by itself; a summary of the whole drill at the end.

Takes are scored in the background while the next prompt runs, so the drill keeps
its rhythm; the summary waits only for what is still being scored.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Digits, Header, Input, Label, Select, Static
from textual.widgets import Switch as ToggleSwitch

from voicecoach.app.drill import ANY, DrillItem, DrillPlan, plan_drill, recurring
from voicecoach.app.feedback import top_tips
from voicecoach.app.take import score_take
from voicecoach.errors import VoiceCoachError
from voicecoach.prompts import CATEGORIES, Prompt
from voicecoach.tui.format import clock, duration, score_text, truncate
from voicecoach.tui.messages import (
    RecordingFailed,
    RecordingStarted,
    RecordingStopped,
    ScoringDone,
    ScoringFailed,
)
from voicecoach.tui.practice import MIN_TAKE_S, prompt_card
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.widgets.record_panel import RecordPanel
from voicecoach.tui.workers import thread_worker

if TYPE_CHECKING:
    from voicecoach.app.session import TakeSession
    from voicecoach.tui.app import VoiceCoachApp

TICK_S = 0.1


# A drill answers each prompt against the clock, or runs a mock interview per prompt
# (a follow-up after each answer; untimed, like the mock interview on its own).
MODES = [("Timed answers", "timed"), ("Mock interviews", "mock")]


class DrillSetupScreen(ModalScreen["DrillPlan | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, category: str | None = None) -> None:
        super().__init__()
        self.category = category

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        present = [c for c in CATEGORIES if any(p.category == c for p in self.vc.prompts)]
        options = [("Any category (random)", ANY)] + [(c, c) for c in present]
        with Vertical(id="drill-setup"):
            yield Label("Timed drill", classes="dialog-title")
            yield Label("Number of prompts")
            # compact fields: the bordered ones pushed the buttons off a 24-row screen
            with Horizontal(id="drill-count-row"):
                yield Input("3", type="integer", id="drill-count", compact=True)
                yield Select(MODES, allow_blank=False, id="drill-mode", compact=True,
                             value="timed")
            yield Label("Prompts from")
            yield Select(options, allow_blank=False, id="drill-category", compact=True,
                         value=self.category if self.category in present else ANY)
            with Horizontal(classes="switch-row"):
                yield ToggleSwitch(value=True, id="drill-own-times")
                yield Label("Use each prompt's own think/answer times", id="own-times-label")
            yield Static(id="drill-times")
            yield Static(id="drill-error")
            with Horizontal(classes="buttons"):
                yield Button("Start drill", variant="primary", id="drill-start")
                yield Button("Cancel", id="drill-cancel")

    def on_mount(self) -> None:
        self.query_one("#drill-count", Input).focus()
        self._show_times()

    @on(ToggleSwitch.Changed)
    def _show_times(self) -> None:
        s = self.vc.settings
        own = self.query_one("#drill-own-times", ToggleSwitch).value
        text = ("On: each prompt's own times (e.g. think 45s, answer 4m)" if own else
                f"Off: your settings for every prompt: think {duration(s.think_s)}, "
                f"answer {duration(s.answer_s)} (change them in Settings)")
        self.query_one("#drill-times", Static).update(Text(text, style="dim"))

    @on(Input.Submitted, "#drill-count")
    @on(Button.Pressed, "#drill-start")
    def _start(self) -> None:
        raw = self.query_one("#drill-count", Input).value.strip()
        count = int(raw) if raw.isdigit() else 0
        if not 1 <= count <= 50:
            self.query_one("#drill-error", Static).update(
                Text("Choose between 1 and 50 prompts.", style="red"))
            return
        category = self.query_one("#drill-category", Select).value
        own = self.query_one("#drill-own-times", ToggleSwitch).value
        plan = plan_drill(self.vc.prompts, count, str(category), own, self.vc.settings)
        plan.mock = self.query_one("#drill-mode", Select).value == "mock"
        if not plan.prompts:
            self.query_one("#drill-error", Static).update(
                Text("No prompts in that category.", style="red"))
            return
        self.dismiss(plan)

    @on(Button.Pressed, "#drill-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DrillScreen(Screen["list[DrillItem] | None"]):
    """Phases per prompt: think -> answer -> (next). Dismissed with the items."""

    BINDINGS = [
        Binding("space", "advance", "Start answering / Stop early"),
        Binding("s", "stop_early", "Stop early", show=False),
        Binding("r", "retry", "Retry microphone", show=False),
        Binding("escape", "end", "End drill"),
    ]

    def __init__(self, plan: DrillPlan) -> None:
        super().__init__()
        self.plan = plan
        self.items = [DrillItem(p) for p in plan.prompts]
        self.index = 0
        self.phase = "think"  # think | answer | stopping | error | finishing
        self.deadline = 0.0
        self.drill_id: Any = None
        self.ending = False

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    @property
    def panel(self) -> RecordPanel:
        return self.query_one(RecordPanel)

    @property
    def item(self) -> DrillItem:
        return self.items[self.index]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="drill-body"):
            yield Static(id="drill-progress")
            yield Static(id="drill-prompt")
            with Horizontal(id="drill-clock"):
                yield Label("", id="phase-label")
                yield Digits("0:00", id="countdown")
            yield RecordPanel(id="recorder")
            yield Static(id="drill-queue")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.vc.ensure_engine()
        plan = self.plan
        self.drill_id = self.vc.takes.start_drill(
            [p.id for p in plan.prompts], round(sum(plan.think_s) / len(plan.think_s)),
            round(sum(plan.answer_s) / len(plan.answer_s)))
        self.ticker = self.set_interval(TICK_S, self._tick)
        self._begin_prompt()

    # --- phases -------------------------------------------------------------------------------

    def _begin_prompt(self) -> None:
        prompt = self.item.prompt
        self.phase = "think"
        self.deadline = time.monotonic() + self.plan.think_s[self.index]
        self.query_one("#drill-progress", Static).update(Text.assemble(
            (f"Prompt {self.index + 1} of {len(self.items)}", "bold"),
            (f"  ·  {prompt.category}", "cyan")))
        self.query_one("#drill-prompt", Static).update(
            prompt_card(prompt, self.plan.think_s[self.index], self.plan.answer_s[self.index]))
        self.panel.limit_s = self.plan.answer_s[self.index]
        self._show_phase()
        self._show_queue()

    def _begin_answer(self) -> None:
        self.phase = "answer"
        self.vc.speaker.stop()
        if not self.panel.start(self.item.prompt.id, self.drill_id, self.item.prompt.category):
            self.phase = "error"
        self._show_phase()

    def _tick(self) -> None:
        if self.phase == "think" and time.monotonic() >= self.deadline:
            self._begin_answer()
        elif (self.phase == "answer" and self.panel.state == "recording"
              and self.panel.elapsed_s >= self.plan.answer_s[self.index]):
            self.phase = "stopping"  # time is up: the automatic stop
            self.panel.stop()
        self._show_clock()

    def _next(self) -> None:
        if self.index + 1 < len(self.items) and not self.ending:
            self.index += 1
            self._begin_prompt()
        else:
            for item in self.items:
                if item.status == "pending":
                    item.status = "skipped"
            self.phase = "finishing"
            self._show_phase()
            self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self.phase == "finishing" and not any(
                i.status in ("recording", "scoring") for i in self.items):
            self.vc.takes.finish_drill(self.drill_id)
            self.dismiss(self.items)

    # --- keys -------------------------------------------------------------------------------

    def action_advance(self) -> None:
        if self.phase == "think":
            self._begin_answer()
        elif self.phase == "answer":
            self.action_stop_early()

    def action_stop_early(self) -> None:
        if self.phase == "answer" and self.panel.state == "recording":
            self.phase = "stopping"
            self.panel.stop()

    def action_retry(self) -> None:
        if self.phase == "error":
            self._begin_answer()

    def action_end(self) -> None:
        self.ending = True
        if self.phase == "answer" and self.panel.state == "recording":
            self.action_stop_early()  # the take so far is kept and scored
        elif self.phase in ("think", "error"):
            self._next()

    # --- recording and scoring events ------------------------------------------------------

    @on(RecordingStarted)
    def _started(self, message: RecordingStarted) -> None:
        self.item.take_id = message.take_id
        self.item.drill_id = self.drill_id
        self.item.status = "recording"
        self._show_queue()

    @on(RecordingFailed)
    def _failed(self, message: RecordingFailed) -> None:
        self.phase = "error"
        self._show_phase()

    @on(RecordingStopped)
    def _stopped(self, message: RecordingStopped) -> None:
        item = next((i for i in self.items if i.take_id == message.take_id), self.item)
        item.take_id = message.take_id
        item.seconds = message.seconds
        if message.path is None or message.seconds < MIN_TAKE_S:
            item.status, item.error = "failed", message.error or "too short to score"
            if message.session is not None:
                message.session.discard()
            self.vc.takes.failed(message.take_id, item.error)
        else:
            item.status = "scoring"
            self.vc.takes.scoring(message.take_id)
            self._score(item.prompt, message.path, message.take_id, message.session)
        self._next()

    @thread_worker(group="drill-score")
    def _score(self, prompt: Prompt, path: Path, take_id: Any,
               session: TakeSession | None = None) -> None:
        def quiet(fraction: float, text: str) -> None:
            pass

        try:
            report = (session.score(prompt, quiet) if session is not None else
                      score_take(path, prompt, self.vc.engines, self.vc.settings, quiet))
        except VoiceCoachError as err:
            self.post_message(ScoringFailed(take_id, str(err)))
            return
        except Exception as err:  # one bad take must not stall the drill
            self.post_message(ScoringFailed(take_id, f"{type(err).__name__}: {err}"))
            return
        self.post_message(ScoringDone(take_id, report))

    @on(ScoringDone)
    def _scored(self, message: ScoringDone) -> None:
        for item in self.items:
            if item.take_id == message.take_id:
                item.report, item.status = message.report, "done"
                self.vc.takes.scored(item.take_id, message.report)
        self._show_queue()
        self._maybe_finish()

    @on(ScoringFailed)
    def _score_failed(self, message: ScoringFailed) -> None:
        for item in self.items:
            if item.take_id == message.take_id:
                item.status, item.error = "failed", message.error
                self.vc.takes.failed(item.take_id, message.error)
        self._show_queue()
        self._maybe_finish()

    # --- display ------------------------------------------------------------------------------

    def _show_phase(self) -> None:
        label = self.query_one("#phase-label", Label)
        names = {
            "think": ("THINK", "Plan your answer. Space starts answering now."),
            "answer": ("ANSWER", "Recording. It stops by itself; space stops early."),
            "stopping": ("SAVED", ""),
            "error": ("PAUSED", "The microphone did not start: r retries, Esc ends the drill."),
            "finishing": ("DONE", "Scoring the last takes…"),
        }
        name, hint = names[self.phase]
        label.update(Text.assemble((name, "bold"), "\n", (hint, "dim")))
        self.set_class(self.phase == "answer", "-answering")
        self._show_clock()

    def _show_clock(self) -> None:
        if self.phase == "think":
            left = max(0.0, self.deadline - time.monotonic())
        elif self.phase == "answer":
            left = max(0.0, self.plan.answer_s[self.index] - self.panel.elapsed_s)
        else:
            left = 0.0
        self.query_one("#countdown", Digits).update(clock(left + 0.999 if left else 0))

    def _show_queue(self) -> None:
        marks = {"pending": ("·", "dim"), "recording": ("● recording", "red"),
                 "scoring": ("◌ scoring", "yellow"), "done": ("✓", "green"),
                 "failed": ("✗ failed", "red"), "skipped": ("– skipped", "dim")}
        text = Text("Takes  ", style="bold")
        for n, item in enumerate(self.items, 1):
            mark, style = marks[item.status]
            if n > 1:
                text.append("    ")
            text.append(f"{n} {mark}", style=style)
            if item.report is not None:
                overall = (item.report.scores or {}).get("overall")
                text.append(" ")
                text.append_text(score_text(overall, 0) if overall is not None
                                 else Text("scored", style="green"))
        self.query_one("#drill-queue", Static).update(text)


class SummaryTable(DataTable[object]):
    """One row per take (of a drill, or a mock interview's summary); Enter opens that
    take's full result."""

    BINDINGS = [Binding("enter", "select_cursor", "Open take")]


class DrillSummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "home", "Home"),
    ]

    def __init__(self, items: list[DrillItem]) -> None:
        super().__init__()
        self.items = items

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="summary-body"):
            yield Static(self._headline(), id="summary-headline")
            yield SummaryTable(id="summary-table", cursor_type="row")
            yield Static(id="summary-tip")
        yield KeyFooter()

    def _headline(self) -> Text:
        scored = [i.report for i in self.items
                  if i.report is not None and "overall" in (i.report.scores or {})]
        done = sum(1 for i in self.items if i.report is not None)
        text = Text("Drill complete", style="bold")
        text.append(f"  ·  {done} of {len(self.items)} prompts scored")
        if scored:
            avg = sum(r.scores["overall"] for r in scored) / len(scored)  # type: ignore[index]
            text.append("  ·  average overall ")
            text.append_text(score_text(avg, 0))
        # Voiced time from the reports: a take's length counts its silences too.
        spoken = sum(i.report.metrics.speech_s for i in self.items if i.report is not None)
        text.append(f"  ·  {clock(spoken)} spoken")
        if scored:
            text.append("\nAverages  ", style="dim")
            for name in ("structure", "delivery", "fillers", "flow"):
                values = [r.scores[name] for r in scored if name in r.scores]  # type: ignore[index]
                if values:
                    text.append(f"{name} ")
                    text.append_text(score_text(sum(values) / len(values), 0))
                    text.append("   ")
        repeated = recurring([i.report for i in self.items if i.report is not None])
        if repeated:
            text.append("\nRecurring  ", style="dim")
            text.append("; ".join(f"{m.rstrip('.')} ({n} takes)" for m, n in repeated[:2]),
                        style="yellow")
        return text

    def on_mount(self) -> None:
        table = self.query_one("#summary-table", DataTable)
        # Below 100 columns only the overall score stays (the headline averages the
        # others): all five ran the table off the screen. Each cell has one column of
        # padding either side; the prompt and the tip share what is left.
        names = [("Overall", "overall"), ("Struct", "structure"), ("Deliv", "delivery"),
                 ("Fill", "fillers"), ("Flow", "flow")]
        if self.size.width < 100:
            names = names[:1]
        fixed = 2 + sum(len(label) for label, _ in names) + 4 + 2 * (len(names) + 4)
        spare = max(24, self.size.width - 4 - 2 - fixed)  # body padding, scrollbar
        prompt_w, tip_w = spare * 3 // 5, spare - spare * 3 // 5
        table.add_column("#", width=2)
        table.add_column("Prompt", width=prompt_w)
        for label, _ in names:
            table.add_column(label, width=len(label))
        table.add_column("wpm", width=4)
        table.add_column("Fix first", width=tip_w)
        for n, item in enumerate(self.items, 1):
            r = item.report
            if r is None:
                status = item.error or item.status
                table.add_row(str(n), truncate(item.prompt.text, prompt_w),
                              *[Text("–")] * (len(names) + 1),
                              Text(truncate(status, tip_w), style="dim"), key=str(n))
                continue
            scores = r.scores or {}
            tips = top_tips(r, 1)
            table.add_row(
                str(n), truncate(item.prompt.text, prompt_w),
                *[score_text(scores.get(key)) for _, key in names],
                f"{r.metrics.wpm:.0f}",
                truncate(tips[0].message, tip_w) if tips else "",
                key=str(n),
            )
        table.focus()
        self._show_tip()

    @on(DataTable.RowHighlighted)
    def _show_tip(self) -> None:
        item = self._current()
        tip = self.query_one("#summary-tip", Static)
        if item is None:
            tip.update("")
            return
        if item.report is None:
            text = Text(item.prompt.text, style="bold")
            reason = item.error or item.status
            text.append(f"\nNot scored: {reason.rstrip('.')}.", style="yellow")
            if item.status == "failed" and item.seconds:
                text.append("\nThe recording is kept in your history, where R re-scores it.",
                            style="dim italic")
            tip.update(text)
            return
        tips = top_tips(item.report, 3)
        text = Text(item.prompt.text, style="bold")
        for t in tips:
            at = f"[{clock(t.at)}] " if t.at is not None else ""
            text.append(f"\n• {at}", style="cyan")
            text.append(t.message)
            if t.tip:
                text.append(f" — {t.tip}", style="dim")
        if not tips:
            text.append("\nNothing major to fix in this take.", style="dim")
        text.append("\nEnter opens the full result.", style="dim italic")
        tip.update(text)

    def _current(self) -> DrillItem | None:
        table = self.query_one("#summary-table", DataTable)
        row = table.cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        item = self._current()
        if item is not None and item.report is not None:
            from voicecoach.tui.result import ResultScreen

            self.vc.push_screen(ResultScreen(item.prompt, item.report, allow_again=False,
                                             take_id=item.take_id, drill_id=item.drill_id),
                                lambda _: None)

    def action_home(self) -> None:
        self.dismiss(None)
