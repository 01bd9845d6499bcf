"""Home: browse the prompt bank by category, search it, pick one or a random one.

Each prompt shows whether it was practiced and its last overall score.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from voicecoach.prompts import CATEGORIES, Prompt
from voicecoach.tui.format import duration, score_text, truncate

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp

ALL = "__all__"
CATEGORY_PANE = 30  # keep in step with #category-pane in voicecoach.tcss
# Columns besides the prompt text: marker, category, answer time, last score; each
# cell has one column of padding on both sides; the table has a border and scrollbar.
FIXED_COLS = (1, 16, 5, 4)
CHROME = CATEGORY_PANE + 2 + 2 + 2 * (len(FIXED_COLS) + 1)


def prompt_width(screen_width: int) -> int:
    return max(24, screen_width - CHROME - sum(FIXED_COLS))


class PromptTable(DataTable[object]):
    """The prompt list; Enter opens the highlighted prompt."""

    BINDINGS = [Binding("enter", "select_cursor", "Practice")]


def matches(prompt: Prompt, query: str) -> bool:
    """Every word of the query appears in the prompt's text, id, category or key points."""
    hay = " ".join([prompt.text, prompt.id, prompt.category,
                    *(k.label for k in prompt.key_points)]).lower()
    return all(word in hay for word in query.lower().split())


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "random", "Random prompt"),
        Binding("d", "drill", "Drill"),
        Binding("h", "history", "History"),
        Binding("g", "progress", "Progress"),
        Binding("s", "settings", "Settings"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("escape", "clear_search", "Clear search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.category = ALL
        self.query_text = ""
        self.shown: list[Prompt] = []

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-body"):
            with Vertical(id="category-pane"):
                yield Label("Categories", classes="pane-title")
                yield OptionList(id="category-list")
            with Vertical(id="prompt-pane"):
                yield Input(placeholder="Search prompts and key points  ( / )", id="search")
                yield PromptTable(id="prompt-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="preview")
        yield Static(id="home-status")
        yield Footer()

    def on_mount(self) -> None:
        self._width = 0
        self._fill_categories()
        self._fill_table()
        self.query_one("#prompt-table", DataTable).focus()
        self.watch(self.vc, "engine_status", self._show_status)

    def on_resize(self) -> None:
        if prompt_width(self.size.width) != self._width:
            self._fill_table(keep_cursor=True)

    def _columns(self, table: DataTable[object]) -> None:
        self._width = prompt_width(self.size.width or 120)
        table.clear(columns=True)
        done, category, answer, last = FIXED_COLS
        table.add_column("", key="done", width=done)
        table.add_column("Prompt", key="text", width=self._width)
        table.add_column("Category", key="category", width=category)
        table.add_column("Time", key="time", width=answer)
        table.add_column("Last", key="last", width=last)

    def on_screen_resume(self) -> None:
        # Back from a take: the practiced marks and last scores may have changed.
        self._fill_categories()
        self._fill_table(keep_cursor=True)
        self._show_status(self.vc.engine_status)

    def _fill_categories(self) -> None:
        prompts = self.vc.prompts
        scores = self.vc.last_scores()
        options = [Option(f"All prompts ({len(prompts)})", id=ALL)]
        for cat in CATEGORIES:
            in_cat = [p for p in prompts if p.category == cat]
            if in_cat:
                done = sum(1 for p in in_cat if p.id in scores)
                options.append(Option(f"{cat} ({done}/{len(in_cat)})", id=cat))
        olist = self.query_one("#category-list", OptionList)
        highlighted = olist.highlighted
        olist.clear_options()
        olist.add_options(options)
        olist.highlighted = highlighted if highlighted is not None else 0

    def _fill_table(self, keep_cursor: bool = False) -> None:
        table = self.query_one("#prompt-table", DataTable)
        row = table.cursor_row if keep_cursor else 0
        scores = self.vc.last_scores()
        self.shown = [p for p in self.vc.prompts
                      if (self.category == ALL or p.category == self.category)
                      and matches(p, self.query_text)]
        self._columns(table)
        width = self._width
        for p in self.shown:
            last = scores.get(p.id, -1)
            done = Text("●", style="green") if p.id in scores else Text("·", style="dim")
            table.add_row(done, truncate(p.text, width), truncate(p.category, FIXED_COLS[1]),
                          duration(p.answer_s), score_text(last), key=p.id)
        if self.shown:
            table.move_cursor(row=min(row, len(self.shown) - 1))
        self._show_preview()

    def _show_status(self, engine_status: str) -> None:
        scores = self.vc.last_scores()
        practiced = sum(1 for p in self.vc.prompts if p.id in scores)
        self.query_one("#home-status", Static).update(Text(
            f"{len(self.vc.prompts)} prompts · {practiced} practiced · {engine_status}",
            style="dim"))

    def _show_preview(self) -> None:
        preview = self.query_one("#preview", Static)
        prompt = self.current()
        if prompt is None:
            preview.update(Text("No prompt matches the search. Esc clears it.", style="dim"))
            return
        scores = self.vc.last_scores()
        text = Text()
        text.append(prompt.text, style="bold")
        text.append(f"\n{prompt.category}", style="cyan")
        text.append(f"  ·  think {duration(prompt.think_s)}, answer {duration(prompt.answer_s)}"
                    f"  ·  {len(prompt.key_points)} key points")
        if prompt.id in scores:
            text.append("  ·  last score ")
            text.append_text(score_text(scores[prompt.id]))
        else:
            text.append("  ·  not practiced yet", style="dim")
        preview.update(text)

    def current(self) -> Prompt | None:
        table = self.query_one("#prompt-table", DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(OptionList.OptionHighlighted, "#category-list")
    def _category_changed(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.category:
            self.category = event.option.id
            self._fill_table()

    @on(OptionList.OptionSelected, "#category-list")
    def _category_chosen(self) -> None:
        self.query_one("#prompt-table", DataTable).focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._fill_table()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        """Enter: the one prompt found opens; with several, the list takes the keys."""
        if len(self.shown) == 1:
            self.vc.open_practice(self.shown[0])
        self.query_one("#prompt-table", DataTable).focus()

    @on(DataTable.RowHighlighted, "#prompt-table")
    def _row_highlighted(self) -> None:
        self._show_preview()

    @on(DataTable.RowSelected, "#prompt-table")
    def _row_selected(self) -> None:
        self.action_practice()

    def action_practice(self) -> None:
        prompt = self.current()
        if prompt is not None:
            self.vc.open_practice(prompt)

    def action_random(self) -> None:
        pool = self.shown or self.vc.prompts
        if pool:
            self.vc.open_practice(random.choice(pool))

    def action_drill(self) -> None:
        self.vc.open_drill_setup(None if self.category == ALL else self.category)

    def action_history(self) -> None:
        self.vc.open_history()

    def action_progress(self) -> None:
        self.vc.open_progress()

    def action_settings(self) -> None:
        self.vc.open_settings()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one("#prompt-table", DataTable).focus()
