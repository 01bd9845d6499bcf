"""User-facing errors: each carries one line that is shown instead of a traceback."""


class VoiceCoachError(Exception):
    """An error the user can act on; `str(err)` is the one line shown to them."""


class AudioInputError(VoiceCoachError):
    """The audio file cannot be read, is empty, or holds no speech."""


class ModelError(VoiceCoachError):
    """A speech model is missing, corrupt, or needs a download that cannot happen."""


class DeviceError(VoiceCoachError):
    """No audio device, no PortAudio library, or the device vanished."""


class StoreError(VoiceCoachError):
    """The take database or data directory cannot be used."""
