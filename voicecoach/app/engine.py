"""One speech engine per app session, loaded off the UI thread.

The heavy imports (faster_whisper, ctranslate2, torch for openai-whisper) happen
inside `load`, which runs in a thread worker started when the app mounts, so the
first frame does not wait for them and the model is ready by the time the user has
read the prompt. Scoring workers call `load` too: it returns at once when the model
is ready, waits while another thread loads it, and retries after a failed load.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from voicecoach.config import Settings
from voicecoach.errors import ModelError, VoiceCoachError

if TYPE_CHECKING:
    from voicecoach.asr.base import Engine

Progress = Callable[[float, str], None]
EngineLoader = Callable[[Settings, Progress], "Engine"]


def default_loader(settings: Settings, progress: Progress) -> Engine:
    from voicecoach.asr.models import load_engine
    from voicecoach.pipeline import transcribe_options

    return load_engine(settings.engine, settings.model, transcribe_options(settings),
                       progress=progress)


def engine_key(settings: Settings) -> tuple[object, ...]:
    """The settings that need a reload when they change."""
    return (settings.engine, settings.model, settings.beam_size, settings.filler_prompt)


def _quiet(fraction: float, text: str) -> None:
    pass


class EngineService:
    """Thread-safe holder of the loaded engine."""

    def __init__(self, loader: EngineLoader | None = None) -> None:
        self._loader = loader or default_loader
        self._cond = threading.Condition()
        self._engine: Engine | None = None
        self._key: tuple[object, ...] | None = None
        self._loading = False
        self.error: str | None = None
        self.load_s: float = 0.0
        # Whisper runs one decode at a time here: two at once on two cores only
        # doubles the wait for both (drill mode scores while the next answer records).
        self.decode_lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._cond:
            if self._loading:
                return "loading"
            if self._engine is not None:
                return "ready"
            return "failed" if self.error else "idle"

    def ready_for(self, settings: Settings) -> bool:
        with self._cond:
            return self._engine is not None and self._key == engine_key(settings)

    def load(self, settings: Settings, progress: Progress | None = None) -> Engine:
        """The engine for `settings`; blocks while loading. Raises ModelError."""
        key = engine_key(settings)
        with self._cond:
            while self._loading:
                self._cond.wait()
            if self._engine is not None and self._key == key:
                return self._engine
            self._loading = True
            self.error = None
        engine: Engine | None = None
        error: str | None = None
        started = time.perf_counter()
        try:
            engine = self._loader(settings, progress or _quiet)
        except VoiceCoachError as err:
            error = str(err)
        except Exception as err:  # a broken install must not kill the app
            error = f"cannot load {settings.engine} {settings.model}: {type(err).__name__}: {err}"
        with self._cond:
            self._loading = False
            if engine is not None:
                self._engine, self._key = engine, key
                self.load_s = time.perf_counter() - started
            else:
                self.error = error
            self._cond.notify_all()
        if engine is None:
            raise ModelError(error or "the speech model did not load")
        return engine
