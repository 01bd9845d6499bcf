"""One take, from the key to its report: the recorder, the transcriber, the scoring.

A `TakeSession` owns the three for the length of a take and joins their threads:
`start()` begins recording (with a streaming transcriber fed by the recorder when the
engine is loaded), `stop()` finishes the file and starts the last decoding at once,
`score()` turns the take into a Report, and `discard()` / `close()` end whatever is
still running. Its methods block (device, disk, decoding): the TUI calls them from
thread workers, the UI thread only reads `elapsed_s`, `level()` and `error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.app.engine import EngineService
from voicecoach.app.take import Progress, finish_early, score_take, start_streaming
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError

if TYPE_CHECKING:
    from voicecoach.audio.recorder import Level, Recorder
    from voicecoach.model import Word
    from voicecoach.prompts import Prompt
    from voicecoach.report import Report
    from voicecoach.streaming import StreamingTranscriber

CLOSE_TIMEOUT_S = 5.0  # a decode in flight at exit: wait for it (native code at exit crashes)


@dataclass(frozen=True)
class Stopped:
    """What `stop()` kept: the file (None if there is none), its length, and why the
    take ended early, if it did (the first seconds are kept either way)."""

    path: Path | None
    seconds: float
    error: str | None = None


class TakeSession:
    def __init__(self, path: Path, engines: EngineService, settings: Settings,
                 live: bool = False) -> None:
        self.path = path
        self.engines = engines
        self.settings = settings
        self.live = live  # also decode the open chunk, for the live transcript view
        self.recorder: Recorder | None = None
        self.streamer: StreamingTranscriber | None = None

    # --- recording ---------------------------------------------------------------------

    def start(self, source: Any) -> None:
        """Record `source` into `path`. Raises VoiceCoachError or OSError, with nothing
        left running (the caller still owns `source`)."""
        from voicecoach.audio.recorder import Recorder

        self.streamer = start_streaming(self.engines, self.settings, live=self.live)
        try:
            self.recorder = Recorder(self.path, source,
                                     on_block=self.streamer.feed if self.streamer else None)
            self.recorder.start()
        except (VoiceCoachError, OSError):
            self.recorder = None
            self._close_streamer()
            raise

    @property
    def source(self) -> Any:
        return self.recorder.source if self.recorder is not None else None

    @property
    def elapsed_s(self) -> float:
        return float(getattr(self.recorder, "elapsed_s", 0.0))

    @property
    def error(self) -> str | None:
        error = getattr(self.recorder, "error", None)
        return str(error) if error else None

    def level(self) -> Level:
        assert self.recorder is not None
        return self.recorder.level()

    def partial_words(self) -> list[Word]:
        return self.streamer.partial_words() if self.streamer is not None else []

    def stop(self) -> Stopped:
        """Finish the file; the last decoding starts as soon as the transcriber has every
        block, not after the file is synced and the UI has heard of the stop."""
        recorder = self.recorder
        if recorder is None:
            return Stopped(None, 0.0, "the recording did not start")
        fault: str | None = None
        try:
            path: Path | None = recorder.stop(on_drained=lambda: finish_early(self.streamer))
        except (VoiceCoachError, OSError) as err:
            fault = str(err)
            path = getattr(recorder, "out_path", None) or self.path
        if path:
            self.path = Path(path)  # a FLAC that could not be encoded is kept as WAV
        # Read after stop: blocks still queued for the writer count too.
        return Stopped(Path(path) if path else None, self.elapsed_s, fault or self.error)

    # --- scoring -----------------------------------------------------------------------

    def score(self, prompt: Prompt | None, progress: Progress) -> Report:
        """The take's report (streamed words when there are any, else a batch pass).
        Raises VoiceCoachError with a one-line reason. The transcriber's thread is joined
        before it returns (this runs in a worker, never on the UI thread)."""
        try:
            return score_take(self.path, prompt, self.engines, self.settings, progress,
                              self.streamer)
        finally:
            self._close_streamer(CLOSE_TIMEOUT_S)

    # --- ending ------------------------------------------------------------------------

    def discard(self) -> None:
        """No report is wanted (a take too short): a decode in flight ends on its own."""
        if self.streamer is not None:
            self.streamer.cancel()

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> Path | None:
        """Quitting: stop recording if it still runs (the file is kept) and join the
        transcriber's thread. Returns the file, if the recorder finished one."""
        self._close_streamer(timeout)
        recorder = self.recorder
        if recorder is None or not recorder.recording:
            return None
        try:
            return Path(recorder.stop())
        except (VoiceCoachError, OSError):
            return None  # the partial stays; Store.recover() finishes it on the next start

    def _close_streamer(self, timeout: float | None = None) -> None:
        streamer, self.streamer = self.streamer, None
        if streamer is not None:
            streamer.close(timeout=timeout)
