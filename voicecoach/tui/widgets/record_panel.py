"""Record a take: start/stop, live level meter, elapsed time, input warnings.

The recorder core runs PortAudio in its own callback thread and writes the file;
this panel only polls `Recorder.level()`, `elapsed_s` and `error` on a UI timer,
so the audio callback never waits for the UI. Opening and closing the device can
block (ALSA, a vanished USB device), so both run in thread workers that post
messages. A fault mid-take (device gone, disk full) stops the take and keeps what
was recorded.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Static

from voicecoach.errors import VoiceCoachError
from voicecoach.tui.format import clock
from voicecoach.tui.messages import RecordingFailed, RecordingStarted, RecordingStopped
from voicecoach.tui.take import start_streaming
from voicecoach.tui.widgets.level_meter import LevelMeter, MeterReading

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp

POLL_S = 0.1
SILENT_WARN_S = 2.0  # a dead input shows within two seconds; shorter pauses are thinking
CLIP_HOLD_S = 1.5  # keep the clipping warning up this long after the last clipped block
LIVE_WORDS = 40  # the live transcript shows the latest words only


class RecordPanel(Vertical):
    """States: idle -> starting -> recording -> stopping -> idle."""

    state: reactive[str] = reactive("idle")
    limit_s: reactive[float | None] = reactive(None)  # shown as "0:12 / 2:00"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.recorder: Any = None
        self.streamer: Any = None  # transcribes the take while it is recorded
        self.take_id: Any = None
        self.path: Path | None = None
        self.elapsed_s = 0.0
        self._silent_since: float | None = None
        self._clipped_at: float | None = None
        self._fault: str | None = None

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="rec-row"):
            yield Static(id="rec-status")
            yield Static(id="rec-clock")
        yield LevelMeter(id="meter")
        yield Static(id="rec-live")
        yield Static(id="rec-warning")

    def on_mount(self) -> None:
        self._poll_timer = self.set_interval(POLL_S, self._poll, pause=True)
        self.call_after_refresh(self._render_status)

    def on_unmount(self) -> None:
        """Quitting mid-take: close the file so the take is kept, not left for recovery."""
        rec, self.recorder = self.recorder, None
        self._poll_timer.pause()
        if self.streamer is not None:
            # The take is kept as audio; its report comes later. Wait for a call in
            # flight: a thread inside the engine's native code at exit can crash.
            self.streamer.close(timeout=5.0)
            self.streamer = None
        if rec is None or self.state != "recording":
            return
        try:
            path = rec.stop()
        except (VoiceCoachError, OSError):
            return  # the partial file stays; Store.recover() finishes it on the next start
        self.vc.takes.recorded(self.take_id, float(rec.elapsed_s), Path(path),
                               "stopped when voicecoach was closed")

    # --- control ------------------------------------------------------------------------

    def start(self, prompt_id: str | None, drill_id: Any = None,
              category: str | None = None) -> bool:
        if self.state != "idle":
            return False
        self._fault = None
        self.elapsed_s = 0.0
        self._silent_since = self._clipped_at = None
        self._set_warning(None)
        self.take_id = self.path = None
        try:
            self.take_id, self.path = self.vc.takes.begin(prompt_id, drill_id, category)
        except (VoiceCoachError, OSError) as err:
            self.post_message(RecordingFailed(f"cannot create the recording: {err}"))
            return False
        self.state = "starting"
        self._open(self.path, self.take_id)
        return True

    def stop(self) -> bool:
        if self.state != "recording":
            return False
        self.state = "stopping"
        self._close(self.recorder, self.take_id, self._fault, self.streamer)
        self.streamer = None
        return True

    @work(thread=True, exclusive=True, group="recorder-open")
    def _open(self, path: Path, take_id: Any) -> None:
        streamer = start_streaming(self.vc.engines, self.vc.settings)
        try:
            from voicecoach.audio.recorder import Recorder

            source = self.vc.audio_source_factory(self.vc.settings)
            recorder = Recorder(path, source, on_block=streamer.feed if streamer else None)
            recorder.start()
        except (VoiceCoachError, OSError) as err:
            if streamer is not None:
                streamer.close()
            if isinstance(err, OSError):  # e.g. the data directory's disk is full
                message = f"cannot record to {path}: {err.strerror or err}"
            else:
                message = str(err)
            self.post_message(RecordingFailed(message))
            return
        self.post_message(RecordingStarted(recorder, take_id, streamer))

    @work(thread=True, group="recorder-close")
    def _close(self, recorder: Any, take_id: Any, fault: str | None,
               streamer: Any = None) -> None:
        path: Path | None
        try:
            path = recorder.stop()
        except (VoiceCoachError, OSError) as err:
            fault = fault or str(err)
            path = getattr(recorder, "out_path", None) or self.path
        # Read after stop: blocks still queued for the writer count too (reading it
        # before said "the first 5.9 s were kept" of a 6.0 s take).
        seconds = float(getattr(recorder, "elapsed_s", 0.0))
        error = getattr(recorder, "error", None)
        if error and not fault:
            fault = str(error)
        self.post_message(RecordingStopped(Path(path) if path else None, take_id, seconds, fault,
                                           streamer))

    # --- messages from the workers (they bubble on to the screen) --------------------------

    @on(RecordingStarted)
    def _started(self, message: RecordingStarted) -> None:
        self.recorder = message.recorder
        self.streamer = message.streamer
        self.state = "recording"
        self._poll_timer.resume()

    @on(RecordingFailed)
    def _failed(self, message: RecordingFailed) -> None:
        self.state = "idle"
        if self.take_id is not None:
            # Nothing was recorded: the message says why; a take would only be an empty
            # "[failed] 0:00" row in the history.
            self.vc.takes.discard(self.take_id)
            self.take_id = None
        self._set_warning(message.error, error=True)

    @on(RecordingStopped)
    def _stopped(self, message: RecordingStopped) -> None:
        self._poll_timer.pause()
        self.recorder = None
        self.elapsed_s = message.seconds or self.elapsed_s
        self.state = "idle"
        problem = self.vc.takes.recorded(message.take_id, self.elapsed_s, message.path,
                                         message.error)
        if problem:
            self.notify(f"The take's record was not updated: {problem}", severity="error")
        meter = self.query_one(LevelMeter)
        meter.active = False
        meter.reading = MeterReading()
        if message.error:
            kept = f" The first {self.elapsed_s:.1f} s were kept." if self.elapsed_s else ""
            self._set_warning(f"Recording stopped: {message.error}.{kept}", error=True)
        else:
            self._set_warning(None)

    # --- polling ----------------------------------------------------------------------------

    def _poll(self) -> None:
        rec = self.recorder
        if rec is None or self.state != "recording":
            return
        self.elapsed_s = float(getattr(rec, "elapsed_s", 0.0))
        error = getattr(rec, "error", None)
        if error:
            # The device vanished or the disk filled: stop now, keep what was written.
            self._fault = str(error)
            self.stop()
            return
        level = MeterReading.of(rec.level())
        meter = self.query_one(LevelMeter)
        meter.active = self.elapsed_s > 0  # no reading until the microphone delivers
        meter.reading = level
        now = time.monotonic()
        # Silence counts once audio flows: a microphone still opening is not a dead one.
        silent = level.silent and self.elapsed_s > 0
        self._silent_since = (self._silent_since or now) if silent else None
        if level.clipping:
            self._clipped_at = now
        if self._clipped_at is not None and now - self._clipped_at < CLIP_HOLD_S:
            self._set_warning("Input is clipping: move back from the microphone or lower "
                              "its gain.")
        elif self._silent_since is not None and now - self._silent_since >= SILENT_WARN_S:
            self._set_warning(f"No sound for {now - self._silent_since:.0f} s: is the "
                              "microphone muted or the wrong input chosen (Settings)?")
        else:
            self._set_warning(None)
        self._render_status()
        self._render_live()

    def _render_live(self) -> None:
        """The words so far, when the user asked to see them (off by default)."""
        live = self.query_one("#rec-live", Static)
        show = bool(self.vc.settings.live_transcript and self.streamer is not None
                    and self.state == "recording")
        live.display = show
        if show:
            words = self.streamer.partial_words()
            live.update(Text(" ".join(w.text for w in words[-LIVE_WORDS:]) or "…"))

    # --- display ----------------------------------------------------------------------------

    def watch_state(self) -> None:
        self._render_status()

    def watch_limit_s(self) -> None:
        self._render_status()

    def _render_status(self) -> None:
        try:
            status = self.query_one("#rec-status", Static)
        except NoMatches:  # not composed yet
            return
        labels = {
            "idle": Text("○ not recording", style="dim"),
            "starting": Text("◌ opening the microphone…", style="yellow"),
            "recording": Text("● REC", style="bold red"),
            "stopping": Text("◌ saving the take…", style="yellow"),
        }
        label = labels[self.state]
        if self.state == "recording" and self.elapsed_s == 0:
            # PulseAudio can take ~2 s to deliver the first block: say so, do not look dead.
            label = Text("● REC  waiting for the microphone…", style="bold yellow")
        status.update(label)
        limit = f" / {clock(self.limit_s)}" if self.limit_s else ""
        self.query_one("#rec-clock", Static).update(
            Text(f"{clock(self.elapsed_s)}{limit}",
                 style="bold" if self.state == "recording" else "dim"))

    def _set_warning(self, text: str | None, error: bool = False) -> None:
        try:
            warning = self.query_one("#rec-warning", Static)
        except NoMatches:
            return
        warning.set_class(bool(text), "shown")
        warning.set_class(error, "error")
        warning.update(Text(f"⚠ {text}") if text else "")  # literal: device names, paths
