"""User-facing errors: each carries one line that is shown instead of a traceback."""

import sys


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


class DiskFullError(StoreError):
    """The disk is full: what was not written can be written again when space returns."""


def first_line(err: BaseException, limit: int = 160) -> str:
    """A library exception as one short line: its first line, or its type's name."""
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:limit]


def os_reason(err: OSError) -> str:
    """An OSError in words a user reads: "disk full" rather than errno 28."""
    import errno

    if err.errno == errno.ENOSPC:
        return "disk full"
    return err.strerror or str(err)


def print_error(err: BaseException) -> None:
    """Show `err` on stderr, one line per problem (a settings file can hold several bad values)."""
    for line in str(err).splitlines() or [type(err).__name__]:
        print(f"voicecoach: error: {line}", file=sys.stderr)
