"""Where recorded audio comes from: the microphone the settings name, by default.

Tests and demos pass their own factory (e.g. a `FileSource` playing a WAV in real
time) to `create_app(audio_source_factory=...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voicecoach.config import Settings

SourceFactory = Callable[[Settings], Any]


def microphone_source(settings: Settings) -> Any:
    """A MicrophoneSource for `settings.input_device`; DeviceError when there is none.

    Runs in a worker thread: PortAudio's first import and device scan can take a
    moment, and `quiet_stderr` keeps ALSA's chatter away from the terminal.
    """
    from voicecoach.audio.devices import quiet_stderr, resolve_input_device
    from voicecoach.audio.sources import MicrophoneSource

    with quiet_stderr():
        device = resolve_input_device(settings.input_device or None)
        return MicrophoneSource(device)
