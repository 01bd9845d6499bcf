"""History: every take with date, prompt, length and scores; filter, sort, open, delete,
export, compare, re-score.

Takes are read once from the store's indexed columns (no report JSON is parsed), then
filtered and sorted in memory and drawn by a virtual table, so 2,000 takes open and
re-filter without a pause. Opening a take loads its report for the replay screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Select, Static

from voicecoach.errors import VoiceCoachError
from voicecoach.history import (
    COLUMNS,
    HistoryFilter,
    TakeRow,
    apply,
    parse_day,
    prompt_lookup,
    sort_rows,
    to_rows,
)
from voicecoach.tui.format import score_style
from voicecoach.tui.history_dialogs import ConfirmScreen, ExportScreen, export_choice
from voicecoach.tui.take_table import Column, TakeTable
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.workers import thread_worker

EngineLoader = Callable[[], Any]  # -> a loaded Engine (runs on a worker thread)


@lru_cache(maxsize=8)
def _score_style(value: int | None) -> str:
    if value is None:
        return "dim"
    return score_style(value).removeprefix("bold ")  # plain weight: a table is dense


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _score_col(key: str, label: str, width: int = 5, drop: int = 0) -> Column:
    return Column(key, label, width, "right",
                  lambda r: _num(r.scores.get(key), "d"),
                  lambda r: _score_style(r.scores.get(key)), drop)


# `drop`: on a narrow screen the highest go first (drill, then fillers/min, category...);
# date, prompt, length and the overall score always stay.
COLUMN_SPECS: list[Column] = [
    Column("date", COLUMNS["date"], 16, text=lambda r: f"{r.created_at:%Y-%m-%d %H:%M}"),
    Column("prompt", COLUMNS["prompt"], 0,
           text=lambda r: r.prompt_text if r.status in ("scored", "") else
           f"[{r.status}] {r.prompt_text}",
           style=lambda r: "" if r.status in ("scored", "") else "dim"),
    Column("category", COLUMNS["category"], 16, text=lambda r: r.category or "–", drop=6),
    Column("duration", COLUMNS["duration"], 6, "right",
           lambda r: f"{int(r.duration_s) // 60}:{int(r.duration_s) % 60:02d}"),
    _score_col("overall", COLUMNS["overall"], 7),
    _score_col("structure", COLUMNS["structure"], 6, drop=1),
    _score_col("delivery", COLUMNS["delivery"], 5, drop=2),
    _score_col("fillers", COLUMNS["fillers"], 4, drop=3),
    _score_col("flow", COLUMNS["flow"], 4, drop=4),
    Column("wpm", COLUMNS["wpm"], 4, "right", lambda r: _num(r.wpm, ".0f"), drop=5),
    Column("fillers_per_min", COLUMNS["fillers_per_min"], 8, "right",
           lambda r: _num(r.fillers_per_min, ".1f"), drop=7),
    Column("drill", COLUMNS["drill"], 5, "right",
           lambda r: "" if r.drill_id is None else str(r.drill_id), drop=8),
]
SORT_CYCLE = [c.key for c in COLUMN_SPECS]


class RescoreProgress(Message):
    def __init__(self, fraction: float, text: str) -> None:
        super().__init__()
        self.fraction, self.text = fraction, text


class RescoreDone(Message):
    def __init__(self, outcomes: list[Any], error: str = "") -> None:
        super().__init__()
        self.outcomes, self.error = outcomes, error


class HistoryScreen(Screen[None]):
    """Every take. Constructed with the store (and optionally everything it needs for
    replay and re-scoring), so it runs on its own in tests."""

    # One line of compact filters: at 80 columns the bordered ones squeezed the text
    # filter to 4 letters and the category to nothing.
    DEFAULT_CSS = """
    HistoryScreen #history-filters { height: 1; margin: 1 0; }
    HistoryScreen #history-filters > * { margin-left: 1; }
    HistoryScreen #filter-text { width: 1fr; }
    HistoryScreen #filter-category { width: 24; }
    HistoryScreen #filter-since { width: 15; }
    HistoryScreen #filter-until { width: 12; }
    HistoryScreen #filter-drill { width: 24; margin-right: 1; }
    HistoryScreen.-narrow #filter-category { width: 16; }
    HistoryScreen.-narrow #filter-drill { width: 13; }
    HistoryScreen Input.-invalid { color: $error; text-style: bold; }
    HistoryScreen #history-status { height: 1; color: $text-muted; padding: 0 1; }
    """
    AUTO_FOCUS = "#history-table"  # focus once: each focus change recomposes the footer
    BINDINGS = [
        Binding("c", "compare", "Compare"),
        Binding("space", "mark", "Mark"),
        Binding("e", "export", "Export"),
        Binding("delete,x", "delete", "Delete"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("p", "progress", "Progress"),
        Binding("R", "rescore", "Re-score"),
        Binding("ctrl+r", "rescore_shown", "Re-score shown", show=False),
        Binding("slash", "search", "Filter", key_display="/"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, store: Any, prompts: list[Any] | None = None, *,
                 settings: Any = None, export_dir: Path | None = None,
                 engine_loader: EngineLoader | None = None,
                 output_factory: Callable[[], Any] | None = None,
                 initial: HistoryFilter | None = None) -> None:
        super().__init__()
        self.store = store
        self.prompts = prompts
        self.settings = settings
        self.export_dir = export_dir
        self.engine_loader = engine_loader
        self.output_factory = output_factory
        self.filter = initial or HistoryFilter()
        self.sort_column, self.descending = "date", True
        self.all_rows: list[TakeRow] = []
        self.shown: list[TakeRow] = []
        self.timings: dict[str, float] = {}  # last load/filter in seconds (benchmarks)
        self._info = prompt_lookup(prompts)

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-filters"):
            yield Input(self.filter.text, placeholder="Filter by prompt  ( / )",
                        id="filter-text", compact=True)
            yield Select([], prompt="All categories", id="filter-category", compact=True)
            yield Input(placeholder="since 7d/date", id="filter-since", compact=True)
            yield Input(placeholder="until date", id="filter-until", compact=True)
            yield Select([], prompt="All takes", id="filter-drill", compact=True)
        yield TakeTable(COLUMN_SPECS, id="history-table")
        yield Static(id="history-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "History"
        self.reload()

    # --- data ------------------------------------------------------------------------------
    def reload(self, keep: Any = None) -> None:
        """Read every take from the store (columns only), then filter and show."""
        started = time.perf_counter()
        try:
            self.all_rows = to_rows(self.store.takes(), self._info)
        except VoiceCoachError as err:
            self.all_rows = []
            self.notify(str(err), title="History", severity="error")
        self._fill_selects()
        self.refilter(keep=keep)
        self.timings["load"] = time.perf_counter() - started

    def _fill_selects(self) -> None:
        categories = sorted({r.category for r in self.all_rows if r.category})
        if self.prompts:
            categories = sorted(set(categories) | {p.category for p in self.prompts})
        category = self.query_one("#filter-category", Select)
        with self.prevent(Select.Changed):
            category.set_options((c, c) for c in categories)
            if self.filter.category in categories:
                category.value = self.filter.category
        drills: dict[Any, TakeRow] = {}
        for r in self.all_rows:
            if r.drill_id is not None and (r.drill_id not in drills
                                           or r.created_at < drills[r.drill_id].created_at):
                drills[r.drill_id] = r
        drill = self.query_one("#filter-drill", Select)
        with self.prevent(Select.Changed):
            drill.set_options(
                (f"Drill {d} · {r.created_at:%m-%d %H:%M}", d)
                for d, r in sorted(drills.items(), key=lambda kv: kv[1].created_at,
                                   reverse=True))
            if self.filter.drill_id in drills:
                drill.value = self.filter.drill_id

    def refilter(self, keep: Any = None) -> None:
        started = time.perf_counter()
        table = self.query_one(TakeTable)
        if keep is None and table.current is not None:
            keep = table.current.id
        self.shown = sort_rows(apply(self.all_rows, self.filter), self.sort_column,
                               self.descending)
        table.sort_column, table.descending = self.sort_column, self.descending
        table.marked &= {r.id for r in self.all_rows}
        table.show(self.shown, keep=keep)
        self._status()
        self.timings["filter"] = time.perf_counter() - started

    def _status(self) -> None:
        table = self.query_one(TakeTable)
        heading = COLUMNS[self.sort_column].lower()
        text = Text(f"{len(self.shown)} of {len(self.all_rows)} takes · sorted by {heading} "
                    f"{'▼' if self.descending else '▲'}")
        if table.marked:
            text.append(f" · marked #{', #'.join(str(m) for m in sorted(table.marked))}")
        self.query_one("#history-status", Static).update(text, layout=False)  # fixed size

    @property
    def current(self) -> TakeRow | None:
        return self.query_one(TakeTable).current

    @property
    def long_pause_s(self) -> float:
        """From the settings given, else the app's, else the default."""
        settings = self.settings or getattr(self.app, "settings", None)
        return float(getattr(settings, "long_pause_s", 1.0))

    # --- filters ---------------------------------------------------------------------------
    def set_filter(self, **changes: Any) -> None:
        from dataclasses import replace

        self.filter = replace(self.filter, **changes)
        self.refilter()

    @on(Input.Changed, "#filter-text")
    def _text_changed(self, event: Input.Changed) -> None:
        self.set_filter(text=event.value.strip())

    @on(Input.Changed, "#filter-since, #filter-until")
    def _day_changed(self, event: Input.Changed) -> None:
        field = "since" if event.input.id == "filter-since" else "until"
        value = event.value.strip()
        try:
            day = parse_day(value) if value else None
        except VoiceCoachError:
            event.input.add_class("-invalid")
            return
        event.input.remove_class("-invalid")
        self.set_filter(**{field: day})

    @on(Select.Changed, "#filter-category")
    def _category_changed(self, event: Select.Changed) -> None:
        self.set_filter(category=None if event.value is Select.NULL else event.value)

    @on(Select.Changed, "#filter-drill")
    def _drill_changed(self, event: Select.Changed) -> None:
        self.set_filter(drill_id=None if event.value is Select.NULL else event.value)

    @on(Input.Submitted)
    def _filter_done(self) -> None:
        self.query_one(TakeTable).focus()

    def action_search(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(TakeTable).focus()
        else:
            self.dismiss(None)

    # --- sorting ---------------------------------------------------------------------------
    def sort_by(self, column: str, descending: bool | None = None) -> None:
        if descending is None:
            descending = not self.descending if column == self.sort_column else (
                column not in ("prompt", "category"))
        self.sort_column, self.descending = column, descending
        self.refilter()

    @on(TakeTable.HeaderClicked)
    def _header_clicked(self, event: TakeTable.HeaderClicked) -> None:
        self.sort_by(event.column)

    def action_sort(self) -> None:
        i = SORT_CYCLE.index(self.sort_column)
        self.sort_by(SORT_CYCLE[(i + 1) % len(SORT_CYCLE)])

    def action_reverse(self) -> None:
        self.sort_by(self.sort_column, not self.descending)

    # --- open, mark, compare ---------------------------------------------------------------
    @on(TakeTable.Selected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.current
        if row is None:
            return
        from voicecoach.tui.replay import ReplayScreen

        try:
            take = self.store.get(row.id)
            report = take.report
        except VoiceCoachError as err:
            self.notify(str(err), title="Replay", severity="error")
            return
        if report is None:
            self.notify(f"take #{row.id} has no report yet ({row.status})", title="Replay",
                        severity="warning")
            return
        output = self.output_factory() if self.output_factory else None
        long_pause = self.long_pause_s
        self.app.push_screen(ReplayScreen(report, take.audio_path, row=row, output=output,
                                          long_pause_s=long_pause))

    def action_mark(self) -> None:
        table = self.query_one(TakeTable)
        row = table.current
        if row is None:
            return
        table.marked ^= {row.id}
        table.refresh()
        self._status()

    def action_compare(self) -> None:
        row = self.current
        if row is None:
            return
        table = self.query_one(TakeTable)
        others = [r for r in self.all_rows if r.id in table.marked and r.id != row.id]
        if len(others) > 1:
            self.notify("mark one take to compare with the highlighted one", title="Compare",
                        severity="warning")
            return
        if others:
            other = others[0]
        else:  # nothing marked: the take before this one, of the same prompt
            earlier = [r for r in self.all_rows if r.prompt_id == row.prompt_id
                       and r.created_at < row.created_at and r.overall is not None]
            if not row.prompt_id or not earlier:
                self.notify("no earlier take of this prompt: mark one with space",
                            title="Compare", severity="warning")
                return
            other = max(earlier, key=lambda r: r.created_at)
        if other.prompt_id != row.prompt_id:
            self.notify("compare takes of the same prompt", title="Compare",
                        severity="warning")
            return
        before, after = sorted((other, row), key=lambda r: r.created_at)
        from voicecoach.tui.compare import CompareScreen

        try:
            b, a = self.store.get(before.id), self.store.get(after.id)
            if b.report is None or a.report is None:
                raise VoiceCoachError("both takes need a report")
        except VoiceCoachError as err:
            self.notify(str(err), title="Compare", severity="error")
            return
        long_pause = self.long_pause_s
        self.app.push_screen(CompareScreen(b.report, a.report, before, after,
                                           long_pause_s=long_pause))

    def action_progress(self) -> None:
        from voicecoach.tui.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(self.all_rows, self.prompts))

    # --- delete ----------------------------------------------------------------------------
    def action_delete(self) -> None:
        row = self.current
        if row is None:
            return
        question = (f"Delete take #{row.id} ({row.created_at:%Y-%m-%d %H:%M}, "
                    f"{row.prompt_text[:60]})?\nIts recording and report are deleted too; "
                    "this cannot be undone.")

        def done(yes: bool | None) -> None:
            if yes:
                self.delete_take(row.id)

        self.app.push_screen(ConfirmScreen(question), done)

    def delete_take(self, take_id: Any) -> None:
        try:
            self.store.delete(take_id)
        except VoiceCoachError as err:
            self.notify(str(err), title="Delete", severity="error")
            return
        index = self.query_one(TakeTable).cursor_row
        self.all_rows = [r for r in self.all_rows if r.id != take_id]
        self.refilter(keep=-1)
        self.query_one(TakeTable).cursor_row = index
        self.notify(f"deleted take #{take_id}", title="History")

    # --- export ----------------------------------------------------------------------------
    def action_export(self) -> None:
        row = self.current
        if row is None:
            return

        def chosen(choice: str | None) -> None:
            if choice:
                self.export(row, choice)

        self.app.push_screen(ExportScreen(row.drill_id is not None, self._export_folder),
                             chosen)

    @property
    def _export_folder(self) -> Path:
        from voicecoach.export import exports_dir

        return self.export_dir or exports_dir()

    def export(self, row: TakeRow, choice: str) -> Path | None:
        return export_choice(self, self.store, choice, self._export_folder, row.id,
                             row.drill_id, self.long_pause_s, self._info)

    # --- re-score --------------------------------------------------------------------------
    def action_rescore(self) -> None:
        if self.current is not None:
            self._start_rescore([self.current.id])

    def action_rescore_shown(self) -> None:
        self._start_rescore([r.id for r in self.shown])

    def _start_rescore(self, ids: list[Any]) -> None:
        loader = self.engine_loader or self._app_engine_loader()
        if loader is None:
            self.notify("no speech engine available to re-score", title="Re-score",
                        severity="error")
            return
        self.notify(f"re-scoring {len(ids)} take(s); old reports stay until each new one "
                    "is complete", title="Re-score")
        self._rescore(ids, loader)

    def _app_engine_loader(self) -> EngineLoader | None:
        engines, settings = getattr(self.app, "engines", None), getattr(self.app, "settings",
                                                                        None)
        if engines is None or settings is None:
            return None
        return lambda: engines.load(settings)

    @thread_worker(exclusive=True, group="rescore")
    def _rescore(self, ids: list[Any], loader: EngineLoader) -> None:
        from voicecoach.config import Settings
        from voicecoach.rescore import rescore

        lock = getattr(getattr(self.app, "engines", None), "decode_lock", None)
        settings = self.settings or getattr(self.app, "settings", None) or Settings()
        try:
            engine = loader()
            takes = [self.store.get(i) for i in ids]
            outcomes = rescore(self.store, takes, engine, settings,
                               lambda f, t: self.post_message(RescoreProgress(f, t)),
                               lock=lock)
        except VoiceCoachError as err:
            self.post_message(RescoreDone([], str(err)))
            return
        self.post_message(RescoreDone(outcomes))

    @on(RescoreProgress)
    def _rescore_progress(self, message: RescoreProgress) -> None:
        self.query_one("#history-status", Static).update(
            Text(f"re-scoring {message.fraction:.0%}: {message.text}", style="italic"))

    @on(RescoreDone)
    def _rescore_done(self, message: RescoreDone) -> None:
        self.reload()
        if message.error:
            self.notify(message.error, title="Re-score", severity="error")
            return
        ok = sum(1 for o in message.outcomes if o.ok)
        failed = [o for o in message.outcomes if not o.ok]
        text = f"re-scored {ok} take(s)"
        if failed:
            text += f"; {len(failed)} kept the old report ({failed[0].error})"
        self.notify(text, title="Re-score", severity="warning" if failed else "information")
