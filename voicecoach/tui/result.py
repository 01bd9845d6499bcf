"""The scored take: scores, the marked-up transcript, top three tips, what went well,
and the change since the previous take of the same prompt."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from voicecoach.app.feedback import SCORE_ORDER, Tip, changes, pace_text, top_tips, went_well
from voicecoach.baseline import Baseline, pitch_sd
from voicecoach.errors import VoiceCoachError
from voicecoach.moments import moment_player, moment_span
from voicecoach.playback import Player
from voicecoach.prompts import Prompt
from voicecoach.report import Report
from voicecoach.tui.format import clock, delta_text, score_style, truncate
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.widgets.transcript import TranscriptView
from voicecoach.tui.workers import thread_worker

if TYPE_CHECKING:
    from voicecoach.config import Settings
    from voicecoach.tui.app import VoiceCoachApp

log = logging.getLogger(__name__)

BAR = 20  # the score bars' length; half on a narrow screen (keep #scores-box in step)
NARROW = 100


def score_table(report: Report, previous: Report | None, bar: int = BAR
                ) -> Table | Text | Group:
    if not report.scores:
        return Text("Scores need the scoring analysis; the delivery numbers are on the right.",
                    style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(width=9)
    table.add_column()
    table.add_column(justify="right", width=3)
    table.add_column(width=5)
    prev = previous.scores if previous and previous.scores else {}
    for name in SCORE_ORDER:
        if name not in report.scores:
            continue
        value = report.scores[name]
        filled = round(value / 100 * bar)
        cells = Text("█" * filled, style=score_style(value).replace("bold ", ""))
        cells.append("░" * (bar - filled), style="grey30")
        delta = (delta_text(value - prev[name], None if value == prev[name]
                            else value > prev[name]) if name in prev else Text(""))
        label = Text(name, style="bold" if name == "overall" else "")
        table.add_row(label, cells, Text(str(value), style=score_style(value)), delta)
    if report.extra.get("not_judged"):
        return Group(table, Text(report.extra["not_judged"], style="dim"))  # literal text
    return table


def numbers_text(report: Report, settings: Settings) -> Text:
    m = report.metrics
    text = Text()
    rows = [
        ("pace", pace_text(report, settings)),
        ("fillers", f"{m.filler_count} ({m.fillers_per_min:.1f}/min)"),
        ("pauses", f"{m.pause_count} of 1 s+, longest {m.longest_pause_s:.1f} s"),
        ("think time", f"{m.think_time_s:.1f} s before the first word"),
        ("length", f"{m.word_count} words in {clock(report.duration_s)}"),
    ]
    coverage = (report.extra or {}).get("coverage") or {}
    points = coverage.get("key_points") or []
    if points:
        touched = sum(1 for k in points if k.get("touched"))
        rows.append(("key points", f"{touched}/{len(points)} touched"))
    voice = pitch_text(report)
    if voice:
        rows.append(("pitch", voice))
    for i, (name, value) in enumerate(rows):
        if i:
            text.append("\n")
        text.append(f"{name:<11}", style="dim")
        text.append(value)
    return text


def pitch_text(report: Report) -> str:
    """"varies 3.1 semitones", or "1.4 semitones; flat 0:12" (where it first went
    flat); "" for a take without prosody. Short: it fits the 80-column result."""
    sd = pitch_sd(report)
    if sd is None:
        return ""
    flat = report.extra["prosody"].get("monotone") or []
    if flat:
        return f"{sd:.1f} semitones; flat {clock(flat[0]['start'])}"
    return f"varies {sd:.1f} semitones"


def usual_text(report: Report, baseline: Baseline | None) -> Table | Text:
    """This take against the user's own medians, or how many takes that needs. A grid,
    so a value that wraps stays indented under itself."""
    if baseline is None:
        return Text("…", style="dim")
    if baseline.needed:
        return Text(baseline.summary(), style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=1)
    for c in baseline.compare(report):
        table.add_row(c.metric.label, c.text)
    for u in baseline.waiting():
        if u.needed:
            table.add_row(u.metric.label, Text(f"{u.needed} more take"
                                               f"{'s' if u.needed > 1 else ''} needed",
                                               style="dim"))
    return table


def tips_text(report: Report) -> Text:
    text = Text()
    tips = top_tips(report)
    if not tips:
        note = "Nothing major to fix." if report.scores is not None else (
            "Tips need the scoring analysis.")
        return Text(note, style="dim")
    for i, tip in enumerate(tips, 1):
        if i > 1:
            text.append("\n\n")
        text.append(f"{i}. ", style="bold")
        if tip.at is not None:
            # The key that plays this moment (ResultScreen.action_hear).
            text.append(f"[{clock(tip.at)} ▶{i}] ", style="bold cyan")
        style = "bold red" if tip.severity == "major" else "bold yellow"
        text.append(tip.message, style=style)
        if tip.evidence:
            text.append(f"\n   heard: “{truncate(tip.evidence, 70)}”", style="dim italic")
        if tip.tip:
            text.append(f"\n   try: {tip.tip}")
    return text


def well_text(report: Report, settings: Settings) -> Text:
    items = went_well(report, settings)
    if not items:
        return Text("Keep going: each take gives more to build on.", style="dim")
    text = Text()
    for i, item in enumerate(items[:4]):
        if i:
            text.append("\n")
        text.append("+ ", style="bold green")
        text.append(item)
    return text


def change_text(previous: Report, report: Report) -> Text:
    """What moved since the previous take; the overall score is always shown."""
    text = Text()
    moved = [ch for ch in changes(previous, report)
             if ch.name == "overall" or ch.improved is not None]
    if not moved:
        return Text("No change in scores or delivery numbers.", style="dim")
    for i, ch in enumerate(moved):
        if i:
            text.append("\n")
        digits = 0 if ch.name in SCORE_ORDER or ch.name == "words" else 1
        text.append(f"{ch.name:<14}", style="dim")
        text.append(f"{ch.before:.{digits}f} → {ch.after:.{digits}f}{ch.unit} ")
        text.append_text(delta_text(ch.delta, ch.improved, ch.unit, digits))
    return text


class UsualReady(Message):
    def __init__(self, baseline: Baseline) -> None:
        super().__init__()
        self.baseline = baseline


class MomentFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ResultScreen(Screen[str]):
    """Dismissed with "again", "next" or "home"."""

    BINDINGS = [
        Binding("t", "again", "Try again"),
        Binding("p", "replay", "Play back"),
        Binding("1", "hear(1)", "Hear fix", key_display="1-3"),
        Binding("2", "hear(2)", "Hear fix 2", show=False),
        Binding("3", "hear(3)", "Hear fix 3", show=False),
        Binding("e", "export", "Export"),
        Binding("a", "model_answer", "Model answer"),
        Binding("n", "next", "Next prompt"),
        Binding("escape", "home", "Home"),
        Binding("escape", "back", "Back"),  # opened from a drill summary
    ]

    def __init__(self, prompt: Prompt | None, report: Report, previous: Report | None = None,
                 *, allow_again: bool = True, take_id: Any = None,
                 drill_id: Any = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.report = report
        self.previous = previous
        self.allow_again = allow_again
        self.take_id = take_id  # the stored take: what Export writes
        self.drill_id = drill_id
        self.moment: Player | None = None  # the fix being heard (1-3)
        self._gone = False

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        settings = self.vc.settings
        report = self.report
        yield Header()
        title = self.prompt.text if self.prompt else (report.prompt_id or "Free answer")
        yield Static(Text(truncate(title, 200), style="bold"), id="result-prompt")
        with Horizontal(id="result-top"):
            scores = Static(score_table(report, self.previous), id="scores-box")
            scores.border_title = "Scores"
            if self.previous is not None:
                scores.border_subtitle = "▲▼ vs previous take"
            yield scores
            numbers = Static(numbers_text(report, settings), id="numbers-box")
            numbers.border_title = "Delivery"
            yield numbers
        with Horizontal(id="result-main"):
            yield TranscriptView(report, settings, id="transcript-box")
            with VerticalScroll(id="advice-box"):
                tips = Static(tips_text(report), id="tips")
                tips.border_title = "Fix first"
                yield tips
                if self.previous is not None:
                    change = Static(change_text(self.previous, report), id="change")
                    change.border_title = "Since last take"
                    yield change
                usual = Static(usual_text(report, None), id="usual")
                usual.border_title = "Against your usual"
                yield usual
                well = Static(well_text(report, settings), id="well")
                well.border_title = "Went well"
                yield well
        if report.warnings:
            yield Static(Text("⚠ " + "; ".join(report.warnings), style="yellow"),
                         id="result-warnings")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#transcript-box").focus()
        # The scores first: the baseline's store query runs in a thread, but its
        # Python holds the GIL the first frame is drawn with.
        self.call_after_refresh(self._load_baseline)

    @thread_worker(group="baseline", exclusive=True)
    def _load_baseline(self) -> None:
        """The user's usual, read from the store off the UI thread."""
        from voicecoach.baseline import baseline_for

        takes = getattr(self.app, "takes", None)
        try:
            baseline = baseline_for(takes.store, exclude=self.take_id) if takes else None
        except Exception as err:  # noqa: BLE001 - a damaged store costs the comparison only
            log.warning("baseline: %s", err)
            baseline = None
        if baseline is not None:
            self.post_message(UsualReady(baseline))

    @on(UsualReady)
    def _usual(self, message: UsualReady) -> None:
        self.query_one("#usual", Static).update(usual_text(self.report, message.baseline))

    def on_resize(self) -> None:
        bar = BAR if self.size.width >= NARROW else BAR // 2
        self.query_one("#scores-box", Static).update(score_table(self.report, self.previous,
                                                                 bar))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("again", "next"):
            return self.allow_again and (action == "next" or self.prompt is not None)
        if action == "replay":
            return bool(self.report.audio_path)
        if action == "hear":
            n = int(parameters[0]) if parameters else 1  # type: ignore[call-overload]
            return bool(self.report.audio_path) and self._fix_at(n) is not None
        if action == "export":
            return self.take_id is not None
        if action == "model_answer":
            return self.prompt is not None and bool(self.prompt.model_answer)
        if action in ("home", "back"):
            return (action == "home") == self.allow_again
        return True

    def action_hear(self, n: int) -> None:
        """Play the moment of fix `n` (a few seconds around it), here, without Replay."""
        tip = self._fix_at(n)
        if tip is None or tip.at is None:
            return
        span = moment_span(tip.at, tip.end, self.report.duration_s)
        self._stop_moment()
        factory = self.vc.output_factory
        self.notify(f"Fix {n}: {clock(span[0])}-{clock(span[1])}", title="Playing",
                    timeout=span[1] - span[0])
        self._hear(self.report.audio_path, span, factory() if factory else None)

    def _fix_at(self, n: int) -> Tip | None:
        """Fix `n` (1-3) of "Fix first", if it has a moment to hear."""
        tips = top_tips(self.report)
        return tips[n - 1] if len(tips) >= n and tips[n - 1].at is not None else None

    @thread_worker(exclusive=True, group="result-moment")
    def _hear(self, path: str, span: tuple[float, float], output: Any) -> None:
        try:
            player = moment_player(path, span, output)
        except VoiceCoachError as err:
            self.post_message(MomentFailed(str(err)))
            return
        if self._gone or get_current_worker().is_cancelled:  # another key came first
            player.close()
            return
        previous, self.moment = self.moment, player
        if previous is not None:
            previous.close()
        try:
            player.play()
        except VoiceCoachError as err:
            self.post_message(MomentFailed(str(err)))
            return
        # Watch it to its end: an ended player stops its stream (idle means idle).
        while player.playing and self.moment is player:
            time.sleep(0.1)

    @on(MomentFailed)
    def _failed(self, message: MomentFailed) -> None:
        self.notify(message.error, title="Playback", severity="error")

    def _stop_moment(self) -> None:
        if self.moment is not None:
            self.moment.close()
            self.moment = None

    def on_unmount(self) -> None:
        self._gone = True
        self._stop_moment()

    def action_replay(self) -> None:
        """Hear the take with the spoken word lit and the findings to jump to."""
        from voicecoach.tui.replay import ReplayScreen

        self._stop_moment()

        factory = self.vc.output_factory
        self.vc.push_screen(ReplayScreen(self.report, self.report.audio_path or None,
                                         long_pause_s=self.vc.settings.long_pause_s,
                                         output=factory() if factory else None,
                                         autoplay=True))

    def action_export(self) -> None:
        """This take (or its drill) as HTML or Markdown; the dialog says where it goes
        and the notice names the file written."""
        from voicecoach.export import exports_dir
        from voicecoach.tui.history_dialogs import ExportScreen, export_choice

        folder = exports_dir()

        def chosen(choice: str | None) -> None:
            if choice:
                export_choice(self, self.vc.takes.store, choice, folder, self.take_id,
                              self.drill_id, self.vc.settings.long_pause_s)

        self.vc.push_screen(ExportScreen(self.drill_id is not None, folder), chosen)

    def action_model_answer(self) -> None:
        from voicecoach.tui.model_answer import ModelAnswerScreen

        self.vc.push_screen(ModelAnswerScreen(self.prompt))  # type: ignore[arg-type]

    def action_again(self) -> None:
        self.dismiss("again")

    def action_next(self) -> None:
        self.dismiss("next")

    def action_home(self) -> None:
        self.dismiss("home")

    def action_back(self) -> None:
        self.dismiss("back")

