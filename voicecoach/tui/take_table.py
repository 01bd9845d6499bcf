"""A virtual table of takes: renders only the rows on screen.

Textual's DataTable measures every cell of every row it is given (about 300 ms for
2,000 takes on this machine), which is too slow to re-filter on each keystroke. Here
the columns have fixed widths (the prompt column takes what is left), so showing a new
list of rows is an assignment plus a repaint of this widget; the Line API draws the
visible lines. It scrolls itself (and draws its own scrollbar) instead of being a
ScrollView: a ScrollView's virtual size change forces a layout of the whole screen,
which costs more than the table on every filter keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from voicecoach.history import TakeRow

GAP = 1  # spaces between columns


MIN_FLEX = 16  # the flexible (prompt) column never gets narrower than this


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # 0: takes the remaining width
    align: str = "left"  # left | right
    text: Callable[[TakeRow], str] = str
    style: Callable[[TakeRow], str] | None = None
    drop: int = 0  # on a narrow table, columns with the highest `drop` go first; 0 stays


class TakeTable(Widget, can_focus=True):
    """Rows of takes with a cursor, a sticky header, marks and sort indicators."""

    COMPONENT_CLASSES = {"take-table--header", "take-table--cursor", "take-table--marked",
                         "take-table--scrollbar", "take-table--thumb"}
    DEFAULT_CSS = """
    TakeTable { height: 1fr; }
    TakeTable > .take-table--header { text-style: bold; background: $panel; }
    TakeTable > .take-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    TakeTable:focus > .take-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    TakeTable > .take-table--marked { text-style: bold; color: $accent; }
    TakeTable > .take-table--scrollbar { color: $scrollbar-background; }
    TakeTable > .take-table--thumb { color: $scrollbar; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, table: TakeTable, row: TakeRow | None) -> None:
            super().__init__()
            self.table, self.row = table, row

    class Selected(Message):
        def __init__(self, table: TakeTable, row: TakeRow) -> None:
            super().__init__()
            self.table, self.row = table, row

    class HeaderClicked(Message):
        def __init__(self, table: TakeTable, column: str) -> None:
            super().__init__()
            self.table, self.column = table, column

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.rows: list[TakeRow] = []
        self.marked: set[Any] = set()
        self.sort_column = ""
        self.descending = True
        self._cell_cache: dict[int, tuple[TakeRow, list[tuple[str, Style | None]]]] = {}
        self._laid_out: tuple[int, list[tuple[int, Column, int]]] | None = None
        self.top = 0  # index of the first row on screen

    # --- data --------------------------------------------------------------------------------
    def show(self, rows: list[TakeRow], keep: Any = None) -> None:
        """Display `rows`; the cursor stays on the take with id `keep` if still shown."""
        self.rows = rows
        index = next((i for i, r in enumerate(rows) if r.id == keep), 0) if keep is not None \
            else min(self.cursor_row, max(0, len(rows) - 1))
        self.top = min(self.top, self._max_top())
        self.cursor_row = index
        self.refresh()

    @property
    def current(self) -> TakeRow | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - 1)  # minus the header

    def _max_top(self) -> int:
        return max(0, len(self.rows) - self.visible_rows)

    def _layout(self) -> list[tuple[int, Column, int]]:
        """(index, column, width) of the columns that fit, left to right.

        Columns are dropped (highest `drop` first) until the flexible one has at least
        MIN_FLEX columns: on 80 columns the scores stay readable instead of running off
        the right edge.
        """
        width = self.size.width
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        shown = list(self.columns)
        droppable = sorted((c for c in shown if c.drop), key=lambda c: -c.drop)
        while True:
            # one cell for the mark on the left, one for the scrollbar on the right
            fixed = sum(c.width for c in shown) + GAP * len(shown) + 2
            if width - fixed >= MIN_FLEX or not droppable:
                break
            shown.remove(droppable.pop(0))
        flexible = max(MIN_FLEX, width - fixed)
        layout = [(i, c, c.width or flexible) for i, c in enumerate(self.columns)
                  if c in shown]
        self._laid_out = (width, layout)
        return layout

    @property
    def shown_columns(self) -> list[str]:
        return [c.key for _, c, _ in self._layout()]

    def on_resize(self) -> None:
        self.top = min(self.top, self._max_top())
        self._scroll_to_cursor()

    def scroll_rows(self, delta: int) -> None:
        top = max(0, min(self.top + delta, self._max_top()))
        if top != self.top:
            self.top = top
            self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows(-3)

    # --- cursor ------------------------------------------------------------------------------
    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = self.top
        self._scroll_to_cursor()
        if top == self.top and old != new:  # only the two lines that changed
            for index in (old, new):
                self.refresh(Region(0, index - self.top + 1, self.size.width, 1))
        else:
            self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_to_cursor(self) -> None:
        if self.cursor_row < self.top:
            self.top = self.cursor_row
        elif self.cursor_row >= self.top + self.visible_rows:
            self.top = self.cursor_row - self.visible_rows + 1
        self.top = max(0, min(self.top, self._max_top()))

    def action_cursor(self, delta: int) -> None:
        self.cursor_row += delta

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, self.visible_rows - 1)

    def action_jump(self, index: int) -> None:
        self.cursor_row = index if index >= 0 else len(self.rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        if event.x >= self.size.width - 1 and len(self.rows) > self.visible_rows:
            # the scrollbar: jump there
            fraction = max(0, event.y - 1) / max(1, self.visible_rows - 1)
            self.scroll_rows(round(fraction * self._max_top()) - self.top)
            return
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = self.top + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor_row and event.chain >= 1 and self.has_focus:
                self.post_message(self.Selected(self, self.rows[index]))
            self.cursor_row = index
        self.focus()

    def column_x(self, key: str) -> int:
        """The x of column `key`'s first cell (for clicks in tests)."""
        left = 1
        for _, column, width in self._layout():
            if column.key == key:
                return left
            left += width + GAP
        raise KeyError(key)

    def _column_at(self, x: int) -> str | None:
        left = 1
        for _, column, width in self._layout():
            if left <= x < left + width + GAP:
                return column.key
            left += width + GAP
        return None

    # --- drawing -----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            strip = self._header(base + self.get_component_rich_style("take-table--header"))
        else:
            index = self.top + y - 1
            if index >= len(self.rows):
                strip = Strip.blank(width - 1, base)
            else:
                strip = self._row(index, base)
        strip = strip.crop_extend(0, width - 1, base)
        return Strip([*strip, self._scrollbar(y, base)], width)

    def _scrollbar(self, y: int, base: Style) -> Segment:
        rows, visible = len(self.rows), self.visible_rows
        if y == 0 or rows <= visible:
            return Segment(" ", base)
        track = visible
        size = max(1, round(track * visible / rows))
        start = round((track - size) * self.top / max(1, rows - visible))
        thumb = start <= y - 1 < start + size
        style = base + self.get_component_rich_style(
            "take-table--thumb" if thumb else "take-table--scrollbar")
        return Segment("█" if thumb else "▕", style)

    def _header(self, style: Style) -> Strip:
        segments = [Segment(" ", style)]
        for _, column, w in self._layout():
            cell = _fit(column.label, w, column.align)
            if column.key == self.sort_column:
                # the arrow takes the gap after the label: "Length▼" where "Length ▼"
                # was cut to "Lengt…" in a 6-column cell
                arrow = "▼" if self.descending else "▲"
                cell = _fit(column.label + arrow, w + GAP, column.align)
            else:
                cell += " " * GAP
            segments.append(Segment(cell, style))
        return Strip(segments)

    def _cells(self, row: TakeRow) -> list[tuple[str, Style | None]]:
        """Each column's text and extra style for `row`, formatted once per row object
        (strftime and friends cost more than drawing)."""
        entry = self._cell_cache.get(id(row))
        if entry is not None and entry[0] is row:
            return entry[1]
        cells = []
        for column in self.columns:
            extra = column.style(row) if column.style is not None else ""
            cells.append((column.text(row), _parse(extra) if extra else None))
        if len(self._cell_cache) > 4 * max(len(self.rows), 1000):
            self._cell_cache.clear()
        self._cell_cache[id(row)] = (row, cells)
        return cells

    def _row(self, index: int, base: Style) -> Strip:
        row = self.rows[index]
        cursor = index == self.cursor_row
        line_style = base + self.get_component_rich_style("take-table--cursor") if cursor \
            else base
        marked = row.id in self.marked
        mark_style = line_style + self.get_component_rich_style("take-table--marked")
        segments = [Segment("●" if marked else " ", mark_style if marked else line_style)]
        gap = Segment(" " * GAP, line_style)
        cells = self._cells(row)
        for index, column, w in self._layout():
            text, extra = cells[index]
            style = line_style + extra if extra is not None and not cursor else line_style
            segments.append(Segment(_fit(text, w, column.align), style))
            segments.append(gap)
        return Strip(segments)


@lru_cache(maxsize=64)
def _parse(style: str) -> Style:
    return Style.parse(style)


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        return text[: max(0, width - 1)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if align == "right" else text.ljust(width)
