"""The key footer every screen shows."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 100  # columns: below this the footer drops its padding so more keys fit


class KeyFooter(Footer):
    """Textual's footer, compact on a narrow terminal (at 80 columns the normal one cut
    off the last keys of most screens)."""

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < NARROW
