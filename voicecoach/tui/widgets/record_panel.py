"""Record a take: start/stop, live level meter, elapsed time, input warnings.

The recorder core runs PortAudio in its own callback thread and writes the file;
this panel only polls `Recorder.level()`, `elapsed_s` and `error` on a UI timer,
so the audio callback never waits for the UI. Opening and closing the device can
block (ALSA, a vanished USB device), so both run in thread workers that post
messages. A fault mid-take (device gone, disk full) stops the take and keeps what
was recorded.

Opening a microphone takes seconds (PortAudio's device query and stream set-up, then
~2 s before a PulseAudio source delivers its first block), so the panel opens it when
its screen is shown and closes it when another screen covers it or it goes away: the
input is open only while a practice or drill screen is on screen. Until `r`, only the
last half second is kept, in memory (the pre-roll: it starts the take, so a word begun
with the key is not cut; otherwise it is overwritten and never written to disk).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Static

from voicecoach import trace
from voicecoach.app.session import TakeSession
from voicecoach.errors import VoiceCoachError, first_line
from voicecoach.tui.format import clock
from voicecoach.tui.messages import (
    MicrophoneReady,
    RecordingFailed,
    RecordingStarted,
    RecordingStopped,
)
from voicecoach.tui.widgets.level_meter import LevelMeter, MeterReading
from voicecoach.tui.workers import thread_worker

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp

POLL_S = 0.1
SILENT_WARN_S = 2.0  # a dead input shows within two seconds; shorter pauses are thinking
CLIP_HOLD_S = 1.5  # keep the clipping warning up this long after the last clipped block
LIVE_WORDS = 40  # the live transcript shows the latest words only
READY_WAIT_S = 6.0  # how long an opened input may take to deliver its first block


class RecordPanel(Vertical):
    """States: idle -> starting -> recording -> stopping -> idle."""

    state: reactive[str] = reactive("idle")
    limit_s: reactive[float | None] = reactive(None)  # shown as "0:12 / 2:00"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: TakeSession | None = None  # the take: recorder + transcriber
        self.take_id: Any = None
        self.path: Path | None = None
        self.elapsed_s = 0.0
        self._silent_since: float | None = None
        self._clipped_at: float | None = None
        self._fault: str | None = None
        # The input opened ahead of the take (a MicrophoneSource after `open()`); the
        # lock orders the workers that open, take, hand back and close it.
        self._warm: Any = None
        self._warm_lock = threading.Lock()
        self._want_warm = False
        self.mic_ready = False
        self._live_end = 0.0  # end of the last word the live view showed
        self._flowing = False  # this take has audio (shown as "● REC" without "waiting")
        self._shown: dict[str | None, object] = {}  # what each Static shows now

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    @property
    def recorder(self) -> Any:
        return self.session.recorder if self.session is not None else None

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
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self._screen_changed(self.app.screen)

    def _screen_changed(self, screen: Any) -> None:
        if screen is self.screen:
            self.warm_up()
        else:
            self.cool_down()

    def on_unmount(self) -> None:
        """Quitting mid-take: close the file so the take is kept, not left for recovery."""
        self._want_warm = False
        if self._warm_lock.acquire(blocking=False):
            try:
                self._release_warm()  # the screen is gone: the microphone closes with it
            finally:
                self._warm_lock.release()
        else:  # being opened right now: its worker closes it when done
            threading.Thread(target=self._close_unwanted, daemon=True).start()
        session, self.session = self.session, None
        self._poll_timer.pause()
        if session is None or self.state != "recording":
            return  # stopping: the close worker owns the take
        # The take is kept as audio; its report comes later. The session waits for a
        # decode in flight: a thread inside the engine's native code at exit can crash.
        path = session.close()
        if path is None:
            return  # the partial file stays; Store.recover() finishes it on the next start
        self.vc.takes.recorded(self.take_id, session.elapsed_s, path,
                               "stopped when voicecoach was closed")

    # --- the input, opened while the screen is shown -------------------------------------

    def warm_up(self) -> None:
        """Open the input now, off the UI thread, so `r` records at once."""
        self._want_warm = True
        if self.state == "idle":
            self._open_warm()

    def cool_down(self) -> None:
        """Another screen covers this one: close the input (after a take in progress)."""
        self._want_warm = False
        self._set_mic_ready(False)
        if self.state == "idle":
            self._close_warm()

    @thread_worker(group="microphone")
    def _open_warm(self) -> None:
        with self._warm_lock:
            source = self._warm
            if source is None and self._want_warm:
                try:
                    source = self.vc.audio_source_factory(self.vc.settings)
                    if callable(getattr(source, "open", None)):  # not a file or test source
                        source.open()
                except (VoiceCoachError, OSError):
                    return  # `r` opens it again and says what is wrong
                if not self._want_warm:  # hidden while it opened
                    _close(source)
                    return
                self._warm = source
                trace.mark("mic.opened")
        if source is None or not hasattr(source, "ready"):
            return
        deadline = time.monotonic() + READY_WAIT_S
        while not source.ready and time.monotonic() < deadline and source.error is None:
            time.sleep(0.02)
        if source.ready:
            trace.mark("mic.ready")
        self.post_message(MicrophoneReady(source, bool(source.ready)))

    @thread_worker(group="microphone")
    def _close_warm(self) -> None:
        self._close_unwanted()

    def _close_unwanted(self) -> None:
        with self._warm_lock:
            if not self._want_warm:  # else: shown again meanwhile
                self._release_warm()

    def _release_warm(self) -> None:
        source, self._warm = self._warm, None
        _close(source)

    def _take_warm(self) -> Any:
        """The opened input for a take (None: open one now); the take owns it."""
        with self._warm_lock:
            source, self._warm = self._warm, None
        return source

    def _hand_back(self, source: Any) -> None:
        """After a take: keep the input open for the next one while the screen shows."""
        if not callable(getattr(source, "close", None)) or not getattr(source, "active", 0):
            return
        with self._warm_lock:
            if self._want_warm and self._warm is None and not getattr(source, "error", None):
                self._warm = source
                return
        _close(source)

    @on(MicrophoneReady)
    def _mic_ready(self, message: MicrophoneReady) -> None:
        message.stop()
        self._set_mic_ready(message.ready and self._want_warm)

    def _set_mic_ready(self, ready: bool) -> None:
        self.mic_ready = ready
        self._render_status()

    # --- control ------------------------------------------------------------------------

    def start(self, prompt_id: str | None, drill_id: Any = None,
              category: str | None = None) -> bool:
        if self.state != "idle":
            return False
        trace.mark("key.record")
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
        source = self._ready_source()
        if source is not None:  # a running stream: attaching to it takes microseconds
            self._record(source, self.path, self.take_id)
        else:
            self._open(self.path, self.take_id)
        return True

    def stop(self) -> bool:
        if self.state != "recording":
            return False
        trace.mark("key.stop")
        self.state = "stopping"
        self._close(self.session, self.take_id, self._fault)
        return True

    @thread_worker(exclusive=True, group="recorder-open")
    def _open(self, path: Path, take_id: Any) -> None:
        """No input running yet: wait for the one being opened, or open one now."""
        source = self._take_warm()
        if source is None:
            try:
                source = self.vc.audio_source_factory(self.vc.settings)
            except (VoiceCoachError, OSError) as err:
                self.post_message(RecordingFailed(str(err)))
                return
            except Exception as err:  # noqa: BLE001 - a broken input driver: idle again
                self.post_message(RecordingFailed(f"{type(err).__name__}: {first_line(err)}"))
                raise  # and the app's worker error path says it too
        self._record(source, path, take_id)

    def _ready_source(self) -> Any:
        """The input opened ahead, if it delivers audio and no worker holds it."""
        if not self._warm_lock.acquire(blocking=False):
            return None  # being opened right now: the worker path waits for it
        try:
            source = self._warm
            if source is None or not getattr(source, "ready", False):
                return None
            self._warm = None
            return source
        finally:
            self._warm_lock.release()

    def _record(self, source: Any, path: Path, take_id: Any) -> None:
        """Start the take on `source`; posts RecordingStarted or RecordingFailed."""
        session = TakeSession(path, self.vc.engines, self.vc.settings,
                              live=self.vc.settings.live_transcript)
        try:
            session.start(source)
        except (VoiceCoachError, OSError) as err:
            self._hand_back(source)
            if isinstance(err, OSError):  # e.g. the data directory's disk is full
                message = f"cannot record to {path}: {err.strerror or err}"
            else:
                message = str(err)
            self.post_message(RecordingFailed(message))
            return
        self.post_message(RecordingStarted(session, take_id))

    @thread_worker(group="recorder-close")
    def _close(self, session: TakeSession, take_id: Any, fault: str | None) -> None:
        # The last decoding starts as soon as the transcriber has every block, not after
        # the file is synced and the UI has heard of the stop. The length is read after
        # the stop: blocks still queued for the writer count too (reading it before said
        # "the first 5.9 s were kept" of a 6.0 s take).
        stopped = session.stop()
        trace.mark("rec.closed", seconds=round(stopped.seconds, 3),
                   overflows=int(getattr(session.recorder, "overflows", 0)))
        self._hand_back(session.source)
        self.post_message(RecordingStopped(stopped.path, take_id, stopped.seconds,
                                           fault or stopped.error, session))

    # --- messages from the workers (they bubble on to the screen) --------------------------

    @on(RecordingStarted)
    def _started(self, message: RecordingStarted) -> None:
        self.session = message.session
        self.elapsed_s = message.session.elapsed_s
        # A running stream's pre-roll is in the take already: audio flows from the key.
        self._flowing = bool(self.elapsed_s or getattr(message.session.source, "ready", 0))
        self._live_end = 0.0
        self.state = "recording"
        self._poll_timer.resume()
        trace.mark("rec.started", audio=self._flowing)

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
        self.session = None
        self.elapsed_s = message.seconds or self.elapsed_s
        self.state = "idle"
        if not self._want_warm:
            self._close_warm()  # covered by another screen during the take
        if message.error:
            self._set_mic_ready(False)  # the input failed: `r` opens it afresh
        elif self._want_warm:
            self._open_warm()  # the same input, or a new one after a cold start
        problem = self.vc.takes.recorded(message.take_id, self.elapsed_s, message.path,
                                         message.error)
        trace.mark("db.recorded")
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
        session = self.session
        if session is None or self.state != "recording":
            return
        self.elapsed_s = session.elapsed_s
        if not self._flowing and self.elapsed_s:
            trace.mark("rec.audio")  # the first block of a microphone opened just now
            self._flowing = True
        error = session.error
        if error:
            # The device vanished or the disk filled: stop now, keep what was written.
            self._fault = error
            self.stop()
            return
        level = MeterReading.of(session.level())
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
        session = self.session
        show = bool(self.vc.settings.live_transcript and session is not None
                    and session.streamer is not None and self.state == "recording")
        live.display = show
        if show:
            words = session.partial_words()
            self._show(live, Text(" ".join(w.text for w in words[-LIVE_WORDS:]) or "…"))
            new = [round(w.end, 2) for w in words if w.end > self._live_end]
            if new:
                self._live_end = max(new)
                trace.mark("live.words", ends=new)

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
        if self.state == "idle" and self.mic_ready:
            label = Text.assemble(label, (" · microphone ready", "dim green"))
        if self.state == "recording" and not self._flowing:
            # PulseAudio can take ~2 s to deliver the first block: say so, do not look dead.
            label = Text("● REC  waiting for the microphone…", style="bold yellow")
        self._show(status, label)
        limit = f" / {clock(self.limit_s)}" if self.limit_s else ""
        self._show(self.query_one("#rec-clock", Static),
                   Text(f"{clock(self.elapsed_s)}{limit}",
                        style="bold" if self.state == "recording" else "dim"))

    def _set_warning(self, text: str | None, error: bool = False) -> None:
        try:
            warning = self.query_one("#rec-warning", Static)
        except NoMatches:
            return
        warning.set_class(bool(text), "shown")
        warning.set_class(error, "error")
        self._show(warning, Text(f"⚠ {text}") if text else "")  # literal: names, paths

    def _show(self, widget: Static, content: Text | str) -> None:
        """Update `widget` only when what it shows changes. Each update lays the whole
        screen out again, and the panel polls ten times a second while recording: the
        UI thread spent ~0.13 CPU-s per second of recording on it (2 cores, shared
        with the decoding)."""
        # rich's Text == ignores the base style: the clock keeps its text at the stop
        # and must still turn from bold to dim.
        key = (content.plain, content.style, content.spans) if isinstance(content, Text) \
            else content
        if self._shown.get(widget.id) == key:
            return
        self._shown[widget.id] = key
        widget.update(content)


def _close(source: Any) -> None:
    """Close an input opened ahead (file and test sources have nothing to close)."""
    if callable(getattr(source, "close", None)):
        source.close()
        trace.mark("mic.closed")
