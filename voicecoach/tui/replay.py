"""Replay a take: play/pause, seek ±5 s, the word being spoken lit as it plays,
findings with timestamps that jump the playback there.

The audio is decoded and the output device opened in a thread worker (PortAudio can
take a second to open on a busy machine), so the screen is up at once. While playing,
the screen polls the player 20 times a second from a timer on the UI thread; the
PortAudio callback never touches Textual. The lit word is what the speaker plays now
(`Player.audible_s`). Paused or ended, the timer is stopped and so is the stream: an
idle replay costs no CPU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from voicecoach.audio.output import Output
from voicecoach.errors import VoiceCoachError
from voicecoach.history import TakeRow
from voicecoach.playback import SEEK_STEP_S, Player, word_at, word_starts
from voicecoach.report import Finding, Report
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.word_transcript import WordTranscript
from voicecoach.tui.workers import thread_worker

TICK_S = 0.05
SEVERITY_STYLE = {"major": "bold red", "minor": "yellow", "info": "green"}


def clock(seconds: float, tenths: bool = False) -> str:
    s = max(0.0, seconds)
    if tenths:
        return f"{int(s) // 60}:{s % 60:04.1f}"
    return f"{int(s) // 60}:{int(s) % 60:02d}"


def finding_label(f: Finding) -> Text:
    text = Text()
    text.append(f"{clock(f.start):>5} " if f.start is not None else "  all ", style="cyan")
    text.append(f"{f.severity:<5} ", style=SEVERITY_STYLE.get(f.severity, ""))
    text.append(f.message)
    return text


def _prompt_text(prompt_id: str | None) -> str:
    if not prompt_id:
        return "Free answer"
    from voicecoach.prompts import get_prompt

    try:
        return get_prompt(prompt_id).text
    except VoiceCoachError:
        return prompt_id


class PlayerReady(Message):
    """The worker decoded the take and opened the output (or says why it could not)."""

    def __init__(self, player: Player | None, error: str = "") -> None:
        super().__init__()
        self.player, self.error = player, error


class ReplayScreen(Screen[None]):
    DEFAULT_CSS = """
    ReplayScreen #replay-title { height: auto; padding: 0 1; text-style: bold; }
    ReplayScreen #replay-transport { height: 1; padding: 0 1; }
    ReplayScreen #replay-time { width: 24; }
    ReplayScreen #replay-bar { width: 1fr; }
    ReplayScreen #replay-bar Bar { width: 1fr; }
    ReplayScreen #replay-main { height: 1fr; }
    ReplayScreen #replay-transcript { width: 3fr; border: round $primary 50%; }
    ReplayScreen #replay-side { width: 2fr; }
    ReplayScreen #replay-findings { height: 1fr; border: round $primary 50%; }
    """
    # Priority: the transcript (a scroll view, focused) binds the arrows and Home to
    # scrolling, which would hide these from the footer.
    # Paired keys share one footer entry ("←→ ±5 s"), so every key fits at 80 columns.
    SEEK = Binding.Group(f"±{SEEK_STEP_S:.0f} s", compact=True)
    WORD = Binding.Group("word", compact=True)
    BINDINGS = [
        Binding("space", "toggle", "Play/Pause"),
        Binding("left", "skip(-1)", f"Back {SEEK_STEP_S:.0f} s", key_display="←",
                priority=True, group=SEEK),
        Binding("right", "skip(1)", f"On {SEEK_STEP_S:.0f} s", key_display="→",
                priority=True, group=SEEK),
        Binding("left_square_bracket", "word(-1)", "Previous word", key_display="[",
                group=WORD),
        Binding("right_square_bracket", "word(1)", "Next word", key_display="]",
                group=WORD),
        Binding("home", "restart", "Start", show=False, priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, report: Report, audio_path: Path | str | None = None, *,
                 row: TakeRow | None = None, output: Output | None = None,
                 player: Player | None = None, long_pause_s: float = 1.0,
                 autoplay: bool = False) -> None:
        super().__init__()
        self.report = report
        self.audio_path = Path(audio_path or report.audio_path)
        self.row = row
        self.output = output
        self.player = player
        self.long_pause_s = long_pause_s
        self.starts = word_starts(report.words)
        self.audio_error = ""
        self.opening_audio = player is None  # decoding the take, opening the device
        self.autoplay = autoplay  # play as soon as the audio is ready
        self._shown = ""
        self.ticking = False  # the 20 Hz timer runs only while playing
        self._opening: Player | None = None
        self._gone = False

    def compose(self) -> ComposeResult:
        yield Header()
        title = self.row.prompt_text if self.row else _prompt_text(self.report.prompt_id)
        when = f"  ·  {self.row.created_at:%Y-%m-%d %H:%M}" if self.row else ""
        yield Static(Text(f"{title}{when}"), id="replay-title")
        with Horizontal(id="replay-transport"):
            yield Static(id="replay-time")
            yield ProgressBar(total=max(self.report.duration_s, 0.001), show_eta=False,
                              show_percentage=False, id="replay-bar")
        with Horizontal(id="replay-main"):
            yield WordTranscript(self.report, self.long_pause_s, id="replay-transcript")
            with Vertical(id="replay-side"):
                yield OptionList(*(Option(finding_label(f), id=str(i))
                                   for i, f in enumerate(self.report.findings)),
                                 id="replay-findings")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Replay"
        self.query_one("#replay-transcript").border_title = "Transcript (click a word)"
        findings = self.query_one("#replay-findings", OptionList)
        findings.border_title = f"Findings ({len(self.report.findings)})"
        self._timer = self.set_interval(TICK_S, self.tick, pause=True)
        if self.opening_audio:
            self._load(self.audio_path, self.output)
        elif self.autoplay:
            self.action_toggle()
        self.tick()
        self.query_one(WordTranscript).focus()

    @thread_worker(exclusive=True, group="replay-audio")
    def _load(self, path: Path, output: Output | None) -> None:
        try:
            player = Player.from_file(path, output=output)
        except VoiceCoachError as err:
            self.post_message(PlayerReady(None, str(err)))
            return
        self._opening = player  # closed by on_unmount if the screen goes first
        try:
            player.open()
            if self._gone:
                player.close()
                return
        except VoiceCoachError as err:  # no output device: seeking and the text still work
            self.post_message(PlayerReady(player, str(err)))
            return
        self.post_message(PlayerReady(player))

    @on(PlayerReady)
    def _ready(self, message: PlayerReady) -> None:
        self.opening_audio = False
        self.player = message.player
        if message.error:
            self.audio_error = message.error
            more = ("\nThe transcript and findings are still here." if message.player is None
                    else "")
            self.notify(f"{message.error}{more}", title="Replay", severity="error")
        elif self.autoplay:
            self.action_toggle()
        self.tick()

    def on_unmount(self) -> None:
        self._gone = True
        for player in {self.player, self._opening} - {None}:
            player.close()  # type: ignore[union-attr]

    # --- following playback ------------------------------------------------------------------
    @property
    def position_s(self) -> float:
        return self.player.audible_s if self.player is not None else 0.0

    def tick(self) -> None:
        """Show where playback is; keep the timer running only while it plays."""
        player = self.player
        position = self.position_s
        if player is None:
            state = "◌ loading the audio…" if self.opening_audio else "no audio"
        else:
            error = getattr(player.output, "error", None)
            if error and error != self.audio_error:
                self.audio_error = error
                player.pause()
                self.notify(error, title="Playback", severity="error")
            state = "▶" if player.playing else ("■" if player.ended else "❚❚")
        self.ticking = player is not None and player.playing
        if self.ticking:
            self._timer.resume()
        else:
            self._timer.pause()
        text = f"{state} {clock(position, tenths=True)} / {clock(self.report.duration_s)}"
        if text != self._shown:  # repaint only what the eye would see change
            self._shown = text
            self.query_one("#replay-time", Static).update(text)
            self.query_one("#replay-bar", ProgressBar).update(progress=position)
        transcript = self.query_one(WordTranscript)
        lit = word_at(self.starts, position)
        if transcript.lit != lit:
            transcript.lit = lit
        pause = transcript.pause_at(position)  # silence now: light its ‖ mark too
        if transcript.lit_pause != pause:
            transcript.lit_pause = pause

    # --- control ------------------------------------------------------------------------------
    def _with_player(self) -> Player | None:
        if self.player is None:
            if self.opening_audio:
                self.autoplay = True  # a key pressed while the audio loads: play when ready
            else:
                self.notify(self.audio_error or "no audio for this take", title="Replay",
                            severity="warning")
        return self.player

    def _guard(self, action: Any) -> None:
        try:
            action()
        except VoiceCoachError as err:  # the output device failed to open
            self.notify(str(err), title="Playback", severity="error")
        self.tick()

    def action_toggle(self) -> None:
        player = self._with_player()
        if player is not None:
            self._guard(player.toggle)

    def action_skip(self, direction: int) -> None:
        player = self._with_player()
        if player is not None:
            self._guard(lambda: player.seek(self.position_s + direction * SEEK_STEP_S))

    def action_restart(self) -> None:
        self.seek(0.0)

    def action_word(self, direction: int) -> None:
        if not self.starts:
            return
        # The heard position: a seek drops what the device held, so right after one it
        # is exactly the word just chosen, and the next word follows it.
        current = word_at(self.starts, self.position_s)
        index = 0 if current is None else current + direction
        self.seek_word(max(0, min(index, len(self.starts) - 1)))

    def seek(self, seconds: float, play: bool = False) -> None:
        player = self._with_player()
        if player is None:
            return

        def go() -> None:
            player.seek(seconds)
            if play and not player.playing:
                player.play()

        self._guard(go)

    def seek_word(self, index: int) -> None:
        self.seek(self.report.words[index].start)

    @on(WordTranscript.WordClicked)
    def _word_clicked(self, event: WordTranscript.WordClicked) -> None:
        self.seek_word(event.index)

    @on(OptionList.OptionSelected, "#replay-findings")
    def _finding_selected(self, event: OptionList.OptionSelected) -> None:
        finding = self.report.findings[int(event.option.id or 0)]
        if finding.start is None:
            self.notify("this finding is about the whole take", title=finding.category)
            return
        self.seek(finding.start, play=True)

    def action_back(self) -> None:
        self.dismiss(None)
