"""The transcript as Rich text, with the core's marks (voicecoach.marks) styled inline."""

from __future__ import annotations

from rich.text import Text

from voicecoach.marks import transcript_tokens
from voicecoach.report import Report
from voicecoach.timefmt import clock

STYLES = {
    "filler": "bold black on dark_orange",
    "hedge": "italic magenta",
    "signpost": "bold green underline",
    "pause": "bold cyan",
    "time": "dim",
}


def render_transcript(report: Report, long_pause_s: float = 1.0) -> Text:
    """The transcript with marks inline: fillers, hedges, signposts, `‖2.4s`, times."""
    text = Text()
    line_start = True
    for token in transcript_tokens(report, long_pause_s):
        if token.kind == "line":
            if text:
                text.append("\n")
            text.append(f"[{clock(token.start)}] ", style=STYLES["time"])
            line_start = True
            continue
        if not line_start:
            text.append(" ")
        line_start = False
        if token.kind == "pause":
            text.append(f"‖{token.text}", style=STYLES["pause"])
        else:
            mark = "filler" if token.kind == "unsaid" else token.mark
            text.append(token.text, style=STYLES[mark] if mark else "")
    if not report.words:
        text.append("(no words recognised)", style="dim")
    return text


def legend() -> Text:
    text = Text()
    for label, kind in (("filler", "filler"), ("hedge", "hedge"), ("signpost", "signpost"),
                        ("‖ long pause", "pause")):
        if text:
            text.append("  ")
        text.append(label, style=STYLES[kind])
    return text
