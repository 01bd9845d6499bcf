"""The key footer every screen shows."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

NARROW = 100  # columns: below this the footer drops its padding so more keys fit


class KeyFooter(Footer):
    """Textual's footer, compact on a narrow terminal, showing only the keys that fit
    whole (in binding order, so a screen lists its most used keys first).

    At 80 columns the normal footer cut off the last keys of most screens, half a word
    at a time, and drew them under the command palette's key. A key left out is still
    in the palette (ctrl+p).
    """

    DEFAULT_CSS = """
    KeyFooter.-compact FooterLabel { margin-right: 1; }
    """

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < NARROW
        self.call_after_refresh(self._fit)

    def _width(self, child: Widget) -> int:
        """Columns `child` takes, measured from what it renders (no layout needed)."""
        content = child.get_content_width(self.size, self.app.size)
        return content + child.styles.padding.width + child.styles.margin.width \
            + child.styles.border.spacing.width

    def _fit(self) -> None:
        children = list(self.children)
        palette = [c for c in children if c.has_class("-command-palette")]
        room = self.size.width - sum(self._width(c) for c in palette)
        used, fits = 0, True
        for child in children:
            if child in palette:
                continue
            used += self._width(child)
            fits = fits and used <= room
            child.display = fits
