"""The transcript with fillers, hedges, signposts and long pauses marked in place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from voicecoach.report import Report
from voicecoach.tui.marks import counts, legend, render_transcript


class TranscriptView(VerticalScroll):
    def __init__(self, report: Report, long_pause_s: float = 1.0, *, id: str | None = None
                 ) -> None:
        super().__init__(id=id)
        self.report = report
        self.long_pause_s = long_pause_s

    def compose(self) -> ComposeResult:
        n = counts(self.report, self.long_pause_s)
        self.border_title = "Transcript"
        self.border_subtitle = (f"{n['filler']} fillers · {n['hedge']} hedges · "
                                f"{n['signpost']} signposts · {n['pause']} long pauses")
        yield Static(legend(), classes="legend")
        yield Static(render_transcript(self.report, self.long_pause_s), classes="transcript")
