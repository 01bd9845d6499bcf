"""Home: browse the prompt bank by category, search it, pick one or a random one.

Each prompt shows whether it was practiced and its last overall score.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from voicecoach.prompts import CATEGORIES, Prompt
from voicecoach.tui.format import duration, score_text, truncate
from voicecoach.tui.widgets.keys import KeyFooter

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp

ALL = "__all__"
NARROW = 100  # columns; keep in step with the app's breakpoint and voicecoach.tcss
# Keep in step with #category-pane in voicecoach.tcss (wide, narrow).
CATEGORY_PANE = {False: 30, True: 24}
# Columns besides the prompt text: marker, category, answer time, last score; each
# cell has one column of padding on both sides; the table has a border and scrollbar.
FIXED_COLS = (1, 16, 5, 4)
MIN_PROMPT = 24


@dataclass(frozen=True)
class Layout:
    """How the prompt list fits a screen `width` columns wide."""

    width: int

    @property
    def narrow(self) -> bool:
        return self.width < NARROW

    @property
    def pane(self) -> int:
        return CATEGORY_PANE[self.narrow]

    @property
    def show_category(self) -> bool:
        """The category column goes first when space is short: the pane and the
        preview below both name it."""
        return self._prompt(with_category=True) >= MIN_PROMPT

    @property
    def prompt(self) -> int:
        return max(MIN_PROMPT if self.show_category else 12,
                   self._prompt(self.show_category))

    def _prompt(self, with_category: bool) -> int:
        done, category, answer, last = FIXED_COLS
        cols = [done, answer, last] + ([category] if with_category else [])
        chrome = self.pane + 2 + 2 + 2 * (len(cols) + 1)
        return self.width - chrome - sum(cols)


def prompt_width(screen_width: int) -> int:
    return Layout(screen_width).prompt


def category_label(name: str, done: int, total: int, width: int) -> str:
    """`name (done/total)` in `width` columns: a long name is shortened, never wrapped
    (a wrapped one looked like two categories)."""
    count = f" ({done}/{total})"
    return truncate(name, max(4, width - len(count))) + count


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
        Binding("r", "random", "Random"),
        Binding("d", "drill", "Drill"),
        Binding("m", "mock", "Mock"),
        Binding("h", "history", "History"),
        Binding("g", "progress", "Progress"),
        Binding("s", "settings", "Settings"),
        # Not in the footer (its placeholder names the key): at 80 columns every
        # footer key of this screen then fits.
        Binding("slash", "search", "Search", key_display="/", show=False),
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
        yield KeyFooter()

    def on_mount(self) -> None:
        self._layout = Layout(self.size.width or 120)
        self._fill_categories()
        self._fill_table()
        self.query_one("#prompt-table", DataTable).focus()
        self.watch(self.vc, "engine_status", self._show_status)

    def on_resize(self) -> None:
        layout = Layout(self.size.width)
        if layout != self._layout:
            if layout.pane != self._layout.pane:
                self._fill_categories()
            self._fill_table(keep_cursor=True)

    def _columns(self, table: DataTable[object]) -> Layout:
        layout = self._layout = Layout(self.size.width or 120)
        table.clear(columns=True)
        done, category, answer, last = FIXED_COLS
        table.add_column("", key="done", width=done)
        table.add_column("Prompt", key="text", width=layout.prompt)
        if layout.show_category:
            table.add_column("Category", key="category", width=category)
        table.add_column("Time", key="time", width=answer)
        table.add_column("Last", key="last", width=last)
        return layout

    def on_screen_resume(self) -> None:
        # Back from a take: the practiced marks and last scores may have changed.
        self._fill_categories()
        self._fill_table(keep_cursor=True)
        self._show_status(self.vc.engine_status)

    def _fill_categories(self) -> None:
        prompts = self.vc.prompts
        scores = self.vc.last_scores()
        width = Layout(self.size.width or 120).pane - 4  # border and option padding
        options = [Option(f"All prompts ({len(prompts)})", id=ALL)]
        for cat in CATEGORIES:
            in_cat = [p for p in prompts if p.category == cat]
            if in_cat:
                done = sum(1 for p in in_cat if p.id in scores)
                options.append(Option(category_label(cat, done, len(in_cat), width), id=cat))
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
        layout = self._columns(table)
        for p in self.shown:
            last = scores.get(p.id, -1)
            done = Text("●", style="green") if p.id in scores else Text("·", style="dim")
            category = [truncate(p.category, FIXED_COLS[1])] if layout.show_category else []
            table.add_row(done, truncate(p.text, layout.prompt), *category,
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
        if prompt.id in scores and scores[prompt.id] is None:
            text.append("  ·  last take too short to judge", style="dim")
        elif prompt.id in scores:
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

    def action_mock(self) -> None:
        """A mock interview on the highlighted prompt (voicecoach.tui.mock)."""
        prompt = self.current()
        if prompt is not None:
            self.vc.open_mock(prompt)

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
