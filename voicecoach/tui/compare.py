"""Two takes of one prompt side by side: scores, metric deltas, findings that went away
or appeared, and both transcripts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from voicecoach.compare import PACE_BAND, Comparison, Delta, compare
from voicecoach.history import TakeRow
from voicecoach.report import Finding, Report
from voicecoach.tui.format import pace_band
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.word_transcript import WordTranscript


def _value(value: float | None, digits: int, unit: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def delta_cell(d: Delta) -> Text:
    if d.delta is None:
        return Text("")
    if abs(d.delta) < 10 ** -(d.digits + 1):
        return Text("=", style="dim")
    arrow = "▲" if d.delta > 0 else "▼"
    style = {True: "green", False: "red", None: "dim"}[d.improved]
    return Text(f"{arrow}{abs(d.delta):.{d.digits}f}", style=style)


def delta_table(deltas: list[Delta], title: str) -> Table:
    table = Table(title=title, title_justify="left", box=None, padding=(0, 1),
                  show_header=True, header_style="dim")
    table.add_column("")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("change", justify="right")
    for d in deltas:
        table.add_row(d.name, _value(d.before, d.digits), _value(d.after, d.digits, d.unit),
                      delta_cell(d))
    return table


def findings_text(c: Comparison) -> Text:
    text = Text()

    def section(title: str, items: list[Finding], mark: str, style: str) -> None:
        text.append(f"{title} ({len(items)})\n", style="bold")
        if not items:
            text.append("  none\n", style="dim")
        for f in items:
            text.append(f"  {mark} ", style=style)
            text.append(f"{f.message}\n")

    section("Gone since the earlier take", c.disappeared, "✓", "bold green")
    text.append("\n")
    section("New in the later take", c.appeared, "✗", "bold red")
    if c.kept:
        text.append(f"\nStill there: {len(c.kept)}\n", style="bold")
        for before, _ in c.kept:
            text.append(f"  · {before.message}\n", style="dim")
    return text


class CompareScreen(Screen[None]):
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: auto; padding: 0 1; }
    CompareScreen #compare-top { height: auto; max-height: 50%; }
    CompareScreen #compare-scores, CompareScreen #compare-metrics {
        width: auto; padding: 0 2 0 1;
    }
    CompareScreen #compare-findings { width: 1fr; min-width: 30; }
    CompareScreen #compare-findings .narrow-only { display: none; margin-top: 1; }
    CompareScreen.-narrow #compare-metrics { display: none; }
    CompareScreen.-narrow #compare-findings .narrow-only { display: block; }
    CompareScreen #compare-transcripts { height: 1fr; }
    CompareScreen WordTranscript { width: 1fr; border: round $primary 50%; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, before: Report, after: Report, before_row: TakeRow | None = None,
                 after_row: TakeRow | None = None, *, long_pause_s: float = 1.0,
                 band: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.reports = (before, after)
        self.band = band  # the pace band; None: the app's settings
        self.comparison = compare(before, after, band or PACE_BAND)
        self.rows = (before_row, after_row)
        self.long_pause_s = long_pause_s

    def _label(self, which: int) -> str:
        row = self.rows[which]
        name = ("Before", "After")[which]
        return f"{name}: #{row.id} · {row.created_at:%Y-%m-%d %H:%M}" if row else name

    def compose(self) -> ComposeResult:
        if self.band is None:  # the user's band decides whether a pace change helped
            self.comparison = compare(*self.reports,
                                      pace_band(getattr(self.app, "settings", None)))
        c = self.comparison
        yield Header()
        row = self.rows[1] or self.rows[0]
        title = Text(row.prompt_text if row else (c.after.prompt_id or ""), style="bold")
        title.append(f"\n{self._label(0)}   →   {self._label(1)}", style="dim")
        yield Static(title, id="compare-title")
        with Horizontal(id="compare-top"):
            yield Static(delta_table(c.scores, "Scores"), id="compare-scores")
            yield Static(delta_table(c.metrics, "Delivery"), id="compare-metrics")
            with VerticalScroll(id="compare-findings"):
                yield Static(findings_text(c))
                # Below 100 columns the delivery table moves here, under the findings:
                # three columns side by side squeezed the findings out of sight.
                yield Static(delta_table(c.metrics, "Delivery"), classes="narrow-only")
        with Horizontal(id="compare-transcripts"):
            yield WordTranscript(c.before, self.long_pause_s, id="compare-before")
            yield WordTranscript(c.after, self.long_pause_s, id="compare-after")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Compare"
        self.query_one("#compare-before").border_title = self._label(0)
        self.query_one("#compare-after").border_title = self._label(1)

    def action_back(self) -> None:
        self.dismiss(None)
