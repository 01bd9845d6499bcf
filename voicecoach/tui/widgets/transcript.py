"""The transcript with fillers, hedges, signposts and long pauses marked in place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from voicecoach.config import Settings
from voicecoach.marks import counts
from voicecoach.report import Report
from voicecoach.tui.marks import legend, render_transcript


class TranscriptView(VerticalScroll):
    def __init__(self, report: Report, settings: Settings, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report = report
        self.settings = settings

    def compose(self) -> ComposeResult:
        long_pause = self.settings.long_pause_s
        n = counts(self.report, long_pause)
        self.border_title = "Transcript"
        self.border_subtitle = " · ".join(
            f"{n[kind]} {label}{'' if n[kind] == 1 else 's'}"
            for kind, label in (("filler", "filler"), ("hedge", "hedge"),
                                ("signpost", "signpost"), ("pause", "long pause")))
        yield Static(legend(), classes="legend")
        yield Static(render_transcript(self.report, long_pause), classes="transcript")
