"""Messages workers post to the UI.

Workers never touch widgets: they post one of these (thread-safe) and the screen or
app that receives it owns the state change. Each carries plain data only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from voicecoach.app.session import TakeSession
    from voicecoach.report import Report


class EngineProgress(Message):
    """The speech model is loading."""

    def __init__(self, fraction: float, text: str) -> None:
        super().__init__()
        self.fraction = fraction
        self.text = text


class EngineReady(Message):
    def __init__(self, name: str, model: str, seconds: float) -> None:
        super().__init__()
        self.name = name
        self.model = model
        self.seconds = seconds


class EngineFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class MicrophoneReady(Message):
    """The input opened ahead of a take delivers audio (`ready`), or gave up waiting."""

    def __init__(self, source: Any, ready: bool) -> None:
        super().__init__()
        self.source = source
        self.ready = ready


class RecordingStarted(Message):
    """The take records; the screen polls its level on a timer from here on."""

    def __init__(self, session: TakeSession, take_id: Any) -> None:
        super().__init__()
        self.session = session  # the recorder, and a transcriber fed while recording
        self.take_id = take_id


class RecordingFailed(Message):
    """The recording could not start (no PortAudio, no device, no disk space)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RecordingStopped(Message):
    """The recorder closed its file. `error` is set when it stopped on a fault."""

    def __init__(self, path: Path | None, take_id: Any, seconds: float,
                 error: str | None = None, session: TakeSession | None = None) -> None:
        super().__init__()
        self.path = path
        self.take_id = take_id
        self.seconds = seconds
        self.error = error
        self.session = session  # scores the take; its words so far: only the rest remains


class ScoringProgress(Message):
    def __init__(self, take_id: Any, fraction: float, text: str) -> None:
        super().__init__()
        self.take_id = take_id
        self.fraction = fraction
        self.text = text


class ScoringDone(Message):
    """The report; with `previous` (the take to compare with) and `problem` (why it
    could not be stored) when the worker stored it itself."""

    def __init__(self, take_id: Any, report: Report, previous: Report | None = None,
                 problem: str | None = None) -> None:
        super().__init__()
        self.take_id = take_id
        self.report = report
        self.previous = previous
        self.problem = problem


class ScoringFailed(Message):
    def __init__(self, take_id: Any, error: str) -> None:
        super().__init__()
        self.take_id = take_id
        self.error = error


class DevicesListed(Message):
    """Input devices PortAudio lists (settings screen)."""

    def __init__(self, devices: list[Any], error: str | None = None) -> None:
        super().__init__()
        self.devices = devices
        self.error = error


class WorkerFailed(Message):
    """A worker met an error it had no message for; the app shows it as one line."""

    def __init__(self, group: str, error: str) -> None:
        super().__init__()
        self.group = group  # which worker: "score", "microphone", "engine", ...
        self.error = error
