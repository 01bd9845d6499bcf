"""Progress: trends of overall score, pace, fillers, long pauses and structure, per
category and overall, drawn in the terminal; streaks and what to practise next."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from voicecoach.baseline import MIN_TAKES, usual_value
from voicecoach.compare import PACE_BAND
from voicecoach.history import TakeRow
from voicecoach.progress import (
    ALL,
    METRICS,
    by_category,
    daily,
    needs_practice,
    series,
    streaks,
    summary,
)
from voicecoach.tui.format import pace_band
from voicecoach.tui.widgets.keys import KeyFooter

CHARTS = ("overall", "wpm", "fillers_per_min", "long_pauses", "structure")
VOLUME_DAYS = 14


# Short enough for a chart a third of 120 columns wide.
TITLES = {"wpm": "Pace (wpm)", "fillers_per_min": "Fillers per min"}


def chart_title(metric: str) -> str:
    return TITLES.get(metric, METRICS[metric].label)


def y_ticks(values: list[float], metric: str) -> tuple[list[float], list[str]]:
    """Three round y ticks (bottom, middle, top): plotext's own came out as 83.3, 66.7."""
    if metric in ("overall", "structure"):
        return [0.0, 50.0, 100.0], ["0", "50", "100"]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    digits = 0 if hi - lo >= 3 else 1
    ticks = [lo, (lo + hi) / 2, hi]
    return ticks, [f"{t:.{digits}f}" for t in ticks]


def plot_metric(plot: PlotextPlot, rows: list[TakeRow], metric: str,
                band: tuple[float, float] = PACE_BAND) -> int:
    """Draw one metric's daily means into `plot`; returns how many days it shows.
    A pace chart shows `band` (the user's, from Settings) as two lines, every chart
    the user's usual (baseline.usual_value) as an orange line once there is one, named
    in the border's subtitle. The title is the chart's border title (Textual shortens
    it to fit; plotext dropped it)."""
    points = series(rows, metric)
    usual = usual_value([p.value for p in points])
    if plot.parent is not None:
        plot.parent.border_subtitle = usual_subtitle(usual, len(points), metric)
    days = daily(points)
    plt = plot.plt
    plt.clear_figure()
    if not days:
        plt.text("no scored takes yet", 0.5, 0.5, alignment="center")
        plt.xlim(0, 1)
        plt.ylim(0, 1)
        plt.xticks([])
        plt.yticks([])
        plot.refresh()
        return 0
    first = days[0].day
    xs = [(d.day - first).days for d in days]
    ys = [round(d.value, 1) for d in days]
    plt.plot(xs, ys, marker="braille")
    plt.scatter(xs, ys, marker="dot")
    shown = ys + (list(band) if metric == "wpm" else []) + ([usual] if usual is not None
                                                             else [])
    ticks, labels = y_ticks(shown, metric)
    plt.ylim(ticks[0], ticks[-1])
    plt.yticks(ticks, labels)
    if metric == "wpm":
        for bound in band:  # the pace band, for reference
            plt.hline(bound, "gray")
    if usual is not None:
        plt.hline(usual, "orange")
    ticks = spaced_ticks(xs)
    plt.xticks(ticks, [date.fromordinal(first.toordinal() + t).strftime("%m-%d")
                       for t in ticks])
    if len(xs) == 1:
        plt.xlim(xs[0] - 1, xs[0] + 1)
    plot.refresh()
    return len(days)


def spaced_ticks(xs: list[int]) -> list[int]:
    """The first and the last x only.

    Plotext drops or nudges tick labels that would crowd each other, and how depends on
    set ordering (it changes with PYTHONHASHSEED); two labels at the ends never crowd
    in a chart wide enough to read.
    """
    return sorted({xs[0], xs[-1]})


def usual_subtitle(usual: float | None, takes: int, metric: str) -> str:
    """The chart's subtitle: the user's usual (the orange line) over `takes` takes with
    a value, or what it needs."""
    if usual is None:
        return f"usual after {MIN_TAKES - takes} more" if takes else ""
    digits = 1 if metric in ("fillers_per_min", "long_pauses") else 0
    return f"usual {usual:.{digits}f}"


def plot_volume(plot: PlotextPlot, rows: list[TakeRow], today: date | None = None,
                days: int = VOLUME_DAYS) -> None:
    """Takes per day over the last `days` days: the practice behind the streak."""
    today = today or date.today()
    counts = [0] * days
    for r in rows:
        back = (today - r.created_at.date()).days
        if 0 <= back < days:
            counts[days - 1 - back] += 1
    plt = plot.plt
    plt.clear_figure()
    practised = [(i, n) for i, n in enumerate(counts) if n]
    if practised:
        plt.bar([i for i, _ in practised], [n for _, n in practised], width=0.4)
    top = max(counts, default=0)
    plt.xlim(-0.5, days - 0.5)
    plt.ylim(0, top + 1)
    plt.yticks(list(range(0, top + 2, max(1, (top + 1) // 4))))
    ticks = spaced_ticks([0, days - 1])
    plt.xticks(ticks, [date.fromordinal(today.toordinal() - (days - 1 - t)).strftime("%m-%d")
                       for t in ticks])
    plot.refresh()


def side_text(rows: list[TakeRow], prompts: list[Any] | None, today: date | None) -> Text:
    """Streaks and totals, then the heading of the list `next_table` draws."""
    streak = streaks(rows, today)
    sm = summary(rows, today)
    text = Text()
    text.append("Streak\n", style="bold")
    text.append(f"  {streak.current} day(s) in a row", style="bold green" if streak.current
                else "dim")
    text.append("" if streak.practised_today or not streak.current else
                "  · practise today to keep it")
    text.append(f"\n  longest {streak.longest} · {streak.days} day(s) practised\n")
    text.append(f"  {sm.takes} takes, {sm.minutes:.0f} min spoken\n")
    if sm.week_mean is not None:
        text.append(f"  this week: overall {sm.week_mean:.0f}")
        if sm.prior_week_mean is not None:
            change = sm.week_mean - sm.prior_week_mean
            text.append(f" ({change:+.0f} vs the week before)",
                        style="green" if change >= 0 else "red")
        text.append("\n")
    text.append("\nPractise next", style="bold")
    if not needs_practice(rows, prompts or (), today):
        text.append("\n  nothing yet: record a take first", style="dim")
    return text


def next_table(rows: list[TakeRow], prompts: list[Any] | None, today: date | None
               ) -> Table:
    """The prompts most in need of practice, as a grid: a prompt that wraps stays
    indented under itself (as text, its second line ran back under the score)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", width=5)
    table.add_column(ratio=1)
    for n in needs_practice(rows, prompts or (), today):
        score = "–" if n.last_overall is None else str(n.last_overall)
        table.add_row(Text(score, style="bold"),
                      Text.assemble(n.text, "\n", (n.reason, "dim")))
    return table


class ProgressScreen(Screen[None]):
    # Wide: six charts in a 3×2 grid filling the screen. Narrow (80 columns): two per
    # row at a readable height, scrolled; the left pane gives up ten columns.
    DEFAULT_CSS = """
    ProgressScreen #progress-body { height: 1fr; }
    ProgressScreen #progress-left { width: 40; }
    ProgressScreen.-narrow #progress-left { width: 30; }
    ProgressScreen #progress-categories { height: auto; max-height: 12; }
    ProgressScreen.-short #progress-categories { max-height: 6; }
    ProgressScreen #progress-side { height: 1fr; border: round $primary 50%; }
    ProgressScreen #progress-scroll { width: 1fr; height: 1fr; }
    ProgressScreen #progress-charts {
        grid-size: 3 2; grid-gutter: 0 1; height: 100%; min-height: 20;
    }
    ProgressScreen.-narrow #progress-charts {
        grid-size: 2; grid-rows: 11; height: auto; min-height: 0;
    }
    ProgressScreen .chart {
        border: round $primary 50%; border-title-color: $text; height: 100%;
    }
    ProgressScreen PlotextPlot { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, rows: list[TakeRow], prompts: list[Any] | None = None,
                 today: date | None = None, settings: Any = None) -> None:
        super().__init__()
        self.settings = settings  # None: the app's
        self.rows = rows
        self.prompts = prompts
        self.today = today
        self.groups = by_category(rows)
        self.category = ALL
        self.shown_days: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="progress-body"):
            with Vertical(id="progress-left"):
                yield Label("Category", classes="pane-title")
                yield OptionList(*(Option(f"{name} ({len(rows)})", id=name)
                                   for name, rows in self.groups.items()),
                                 id="progress-categories")
                with VerticalScroll(id="progress-side"):
                    yield Static(side_text(self.rows, self.prompts, self.today),
                                 id="progress-summary")
                    yield Static(next_table(self.rows, self.prompts, self.today),
                                 id="progress-next")
            with VerticalScroll(id="progress-scroll"), Grid(id="progress-charts"):
                for metric in CHARTS:
                    with Vertical(classes="chart") as chart:
                        chart.border_title = chart_title(metric)
                        yield PlotextPlot(id=f"chart-{metric}")
                with Vertical(classes="chart") as chart:
                    chart.border_title = f"Takes a day ({VOLUME_DAYS} d)"
                    yield PlotextPlot(id="chart-volume")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Progress"
        self.sub_title = "daily means"
        self.query_one("#progress-side").border_title = "Streaks and next steps"
        self.draw()

    def draw(self) -> None:
        rows = self.groups.get(self.category, [])
        band = pace_band(self.settings or getattr(self.app, "settings", None))
        for metric in CHARTS:
            self.shown_days[metric] = plot_metric(
                self.query_one(f"#chart-{metric}", PlotextPlot), rows, metric, band)
        plot_volume(self.query_one("#chart-volume", PlotextPlot), rows, self.today)

    @on(OptionList.OptionHighlighted, "#progress-categories")
    def _category(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.category:
            self.category = event.option.id
            self.draw()

    def action_back(self) -> None:
        self.dismiss(None)
