"""A virtual table of takes: renders only the rows on screen.

Textual's DataTable measures every cell of every row it is given (about 300 ms for
2,000 takes on this machine), which is too slow to re-filter on each keystroke. Here
the columns have fixed widths (the prompt column takes what is left), so showing a new
list of rows is an assignment plus a refresh; the Line API draws the visible lines.
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
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from voicecoach.history import TakeRow

GAP = 1  # spaces between columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # 0: takes the remaining width
    align: str = "left"  # left | right
    text: Callable[[TakeRow], str] = str
    style: Callable[[TakeRow], str] | None = None


class TakeTable(ScrollView, can_focus=True):
    """Rows of takes with a cursor, a sticky header, marks and sort indicators."""

    COMPONENT_CLASSES = {"take-table--header", "take-table--cursor", "take-table--marked"}
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

    # --- data --------------------------------------------------------------------------------
    def show(self, rows: list[TakeRow], keep: Any = None) -> None:
        """Display `rows`; the cursor stays on the take with id `keep` if still shown."""
        self.rows = rows
        index = next((i for i, r in enumerate(rows) if r.id == keep), 0) if keep is not None \
            else min(self.cursor_row, max(0, len(rows) - 1))
        self.virtual_size = Size(self._total_width(), len(rows) + 1)
        self.cursor_row = index
        self.refresh()

    @property
    def current(self) -> TakeRow | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    def _widths(self) -> list[int]:
        fixed = sum(c.width for c in self.columns) + GAP * len(self.columns) + 1
        flexible = max(16, self.size.width - fixed)
        return [c.width or flexible for c in self.columns]

    def _total_width(self) -> int:
        return sum(self._widths()) + GAP * len(self.columns) + 1

    def on_resize(self) -> None:
        self.virtual_size = Size(self._total_width(), len(self.rows) + 1)

    # --- cursor ------------------------------------------------------------------------------
    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)  # minus the header
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor_row += delta

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, self.size.height - 2)

    def action_jump(self, index: int) -> None:
        self.cursor_row = index if index >= 0 else len(self.rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + int(self.scroll_x))
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor_row and event.chain >= 1 and self.has_focus:
                self.post_message(self.Selected(self, self.rows[index]))
            self.cursor_row = index
        self.focus()

    def column_x(self, key: str) -> int:
        """The x of column `key`'s first cell (for clicks in tests)."""
        left = 1
        for column, width in zip(self.columns, self._widths()):
            if column.key == key:
                return left
            left += width + GAP
        raise KeyError(key)

    def _column_at(self, x: int) -> str | None:
        left = 1
        for column, width in zip(self.columns, self._widths()):
            if left <= x < left + width + GAP:
                return column.key
            left += width + GAP
        return None

    # --- drawing -----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        scroll_x = int(self.scroll_x)
        if y == 0:
            strip = self._header(base + self.get_component_rich_style("take-table--header"))
        else:
            index = int(self.scroll_y) + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            strip = self._row(index, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self, style: Style) -> Strip:
        segments = [Segment(" ", style)]
        for column, w in zip(self.columns, self._widths()):
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.descending else " ▲"
            segments.append(Segment(_fit(label, w, column.align) + " " * GAP, style))
        return Strip(segments)

    def _row(self, index: int, base: Style) -> Strip:
        row = self.rows[index]
        cursor = index == self.cursor_row
        line_style = base + self.get_component_rich_style("take-table--cursor") if cursor \
            else base
        marked = row.id in self.marked
        mark_style = line_style + self.get_component_rich_style("take-table--marked")
        segments = [Segment("●" if marked else " ", mark_style if marked else line_style)]
        for column, w in zip(self.columns, self._widths()):
            style = line_style
            if column.style is not None and not cursor:
                extra = column.style(row)
                if extra:
                    style = line_style + _parse(extra)
            segments.append(Segment(_fit(column.text(row), w, column.align), style))
            segments.append(Segment(" " * GAP, line_style))
        return Strip(segments)


@lru_cache(maxsize=64)
def _parse(style: str) -> Style:
    return Style.parse(style)


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        return text[: max(0, width - 1)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if align == "right" else text.ljust(width)
