"""A transcript that follows playback: the spoken word lit, every word clickable.

Wrapped by us (greedy, at the widget's width) rather than by Rich, so the line of
every word is known: the widget scrolls the lit word into view and a click maps to
a word through the segment's style meta.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from voicecoach.marks import transcript_tokens
from voicecoach.report import Report
from voicecoach.tui.marks import STYLES

LIT = Style(reverse=True, bold=True)


@dataclass(frozen=True)
class Piece:
    text: str
    style: str  # a key of marks.STYLES, or ""
    word: int | None = None  # index into report.words
    new_line: bool = False  # starts a paragraph
    span: tuple[float, float] | None = None  # a pause's start and end


def pieces(report: Report, long_pause_s: float) -> list[Piece]:
    """Words with their mark kinds, long pauses as `‖2.4s` (as on the result screen;
    ⏸ is an emoji some terminals draw two columns wide), untranscribed fillers, a time
    at each paragraph."""
    from voicecoach.tui.marks import clock

    out: list[Piece] = []
    for t in transcript_tokens(report, long_pause_s):
        if t.kind == "line":
            out.append(Piece(f"[{clock(t.start)}]", "time", new_line=True))
        elif t.kind == "pause":
            out.append(Piece(f"‖{t.text}", "pause", span=(t.start, t.end)))
        elif t.kind == "unsaid":
            out.append(Piece(t.text, "filler"))
        else:
            out.append(Piece(t.text, t.mark or "", t.word))
    return out


class WordTranscript(ScrollView, can_focus=True):
    # The scrollbar's column is always kept (stable gutter) and the text wraps inside
    # it: wrapped to the full width, the scrollbar covered the lines' last letters.
    DEFAULT_CSS = """
    WordTranscript {
        height: 1fr; padding: 0 1; scrollbar-gutter: stable; overflow-x: hidden;
    }
    """

    lit: reactive[int | None] = reactive(None)  # the word being spoken (or just spoken)
    lit_pause: reactive[int | None] = reactive(None)  # index into pieces: a long pause now

    class WordClicked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, report: Report, long_pause_s: float = 1.0, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.report = report
        self.pieces = pieces(report, long_pause_s)
        self.lines: list[list[tuple[int, Piece]]] = []  # (x, piece) per line
        self.word_pos: dict[int, Offset] = {}  # word index -> (x, line)
        self.piece_line: dict[int, int] = {}  # piece index -> line
        self._pauses = [(i, p.span) for i, p in enumerate(self.pieces) if p.span]
        self._width = 0
        self._styles = {k: Style.parse(v) for k, v in STYLES.items()}

    # --- layout ------------------------------------------------------------------------------
    def _wrap(self, width: int) -> None:
        width = max(10, width)
        self._width = width
        lines: list[list[tuple[int, Piece]]] = []
        x = 0
        for k, piece in enumerate(self.pieces):
            n = len(piece.text)
            if piece.new_line or not lines or (x and x + 1 + n > width):
                if piece.new_line and lines:
                    lines.append([])  # a blank line between paragraphs
                lines.append([])
                x = 0
            elif x:
                x += 1
            lines[-1].append((x, piece))
            self.piece_line[k] = len(lines) - 1
            if piece.word is not None:
                self.word_pos[piece.word] = Offset(x, len(lines) - 1)
            x += n
        self.lines = lines
        self.virtual_size = Size(width, len(lines))

    @property
    def text_width(self) -> int:
        """Columns the text may use: the content less the scrollbar."""
        return self.scrollable_content_region.width

    def on_resize(self) -> None:
        if self.text_width != self._width:
            self._wrap(self.text_width)
            self._scroll_to_lit()

    def on_mount(self) -> None:
        self._wrap(self.text_width or 60)

    # --- the lit word ------------------------------------------------------------------------
    def watch_lit(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index in self.word_pos:
                self.refresh_lines(self.word_pos[index].y - int(self.scroll_y))
        self._scroll_to_lit()

    def pause_at(self, seconds: float) -> int | None:
        """The long pause (piece index) that `seconds` falls in, if any."""
        for index, span in self._pauses:
            if span is not None and span[0] <= seconds < span[1]:
                return index
        return None

    def watch_lit_pause(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index in self.piece_line:
                self.refresh_lines(self.piece_line[index] - int(self.scroll_y))

    def refresh_lines(self, y: int, count: int = 1) -> None:
        self.refresh(Region(0, y, self.size.width, count))

    def _scroll_to_lit(self) -> None:
        if self.lit is None or self.lit not in self.word_pos:
            return
        line = self.word_pos[self.lit].y
        top, height = int(self.scroll_y), max(1, self.size.height)
        if not top <= line < top + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False)

    def word_offset(self, index: int) -> Offset:
        """Where word `index` is drawn now, relative to the widget (for clicks in tests)."""
        pos = self.word_pos[index]
        gutter = self.styles.gutter
        return Offset(gutter.left + pos.x - int(self.scroll_x),
                      gutter.top + pos.y - int(self.scroll_y))

    # --- drawing and clicks ------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.text_width
        base = self.rich_style
        index = int(self.scroll_y) + y
        if index >= len(self.lines):
            return Strip.blank(width, base)
        segments: list[Segment] = []
        x = 0
        lit_pause = self.pieces[self.lit_pause] if self.lit_pause is not None else None
        for at, piece in self.lines[index]:
            if at > x:
                segments.append(Segment(" " * (at - x), base))
            style = base + self._styles[piece.style] if piece.style else base
            if piece is lit_pause:
                style += LIT
            if piece.word is not None:
                if piece.word == self.lit:
                    style += LIT
                style += Style(meta={"word": piece.word})
            segments.append(Segment(piece.text, style))
            x = at + len(piece.text)
        return Strip(segments).crop_extend(0, width, base)

    def on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("word")
        if index is not None:
            self.post_message(self.WordClicked(int(index)))
