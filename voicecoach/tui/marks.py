"""The transcript as Rich text, with the core's marks (voicecoach.marks) styled inline."""

from __future__ import annotations

from rich.text import Text

from voicecoach.marks import collect_marks, word_kinds
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
    marks = collect_marks(report, long_pause_s)
    pauses = [m for m in marks if m.kind == "pause"]
    kinds = word_kinds(report, marks)
    text = Text()
    p = 0
    for i, word in enumerate(report.words):
        shown_pause = False
        while p < len(pauses) and pauses[p].end <= word.start + 0.3:
            if i:  # a pause before the first word is think time, shown elsewhere
                text.append(" ")
                text.append(f"‖{pauses[p].label}", style=STYLES["pause"])
                shown_pause = True
            p += 1
        if i == 0 or shown_pause:
            if i:
                text.append("\n")
            text.append(f"[{clock(word.start)}] ", style=STYLES["time"])
        elif i:
            text.append(" ")
        kind = kinds[i]
        text.append(word.text, style=STYLES[kind] if kind else "")
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
