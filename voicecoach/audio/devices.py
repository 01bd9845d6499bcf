"""Audio devices through PortAudio (sounddevice), with one-line errors and no stderr chatter.

Every failure a user can meet here is a `DeviceError` with one line: no PortAudio library,
no input device, an unknown or ambiguous device name.

ALSA, JACK and PortAudio print diagnostics straight to file descriptor 2, at import, when
devices are opened, and from PortAudio's own thread when a device vanishes mid-stream.

* A terminal UI must wrap its whole run in `divert_stderr()`: Textual draws on
  `sys.__stderr__` (fd 2), so fd 2 cannot simply be pointed elsewhere. `divert_stderr()`
  moves Python's `sys.stderr`/`sys.__stderr__` to a duplicate of the terminal and points
  fd 2 itself at a log file (or /dev/null): the UI keeps drawing, C chatter goes to the log.
* Outside such a session (CLI, tests), `quiet_stderr()` briefly points fd 2 at a scratch
  file around imports and device queries. Inside `divert_stderr()` it does nothing.
  Never use `quiet_stderr()` on its own while a Textual app runs: it would swallow frames.

Set `VOICECOACH_AUDIO_DEBUG=1` to let all chatter through.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import DeviceError, first_line

log = logging.getLogger(__name__)

PORTAUDIO_MISSING = "PortAudio library not found: install libportaudio2"
NO_INPUT = "no audio input device found: connect a microphone (or check its permissions)"
NO_OUTPUT = "no audio output device found"


@dataclass
class DeviceInfo:
    index: int
    name: str
    channels: int  # input channels for an input device, output channels for an output one
    default: bool
    hostapi: str = ""
    default_samplerate: float = 0.0

    @property
    def label(self) -> str:
        mark = " (default)" if self.default else ""
        api = f", {self.hostapi}" if self.hostapi else ""
        return f"{self.index}: {self.name}{api}{mark}"


# --- keeping fd 2 quiet ------------------------------------------------------------------

_quiet_lock = threading.RLock()
_quiet_depth = 0
_saved_fd: int | None = None
_scratch: Any = None
_last_chatter: list[str] = []


def _debug() -> bool:
    return os.environ.get("VOICECOACH_AUDIO_DEBUG", "") not in ("", "0")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send whatever C libraries write to fd 2 to a scratch file for the duration.

    Re-entrant and thread-safe (fd 2 is process-wide, so nested and concurrent users
    share one redirection). What was written is kept in `last_chatter()` and logged at
    DEBUG level. With `VOICECOACH_AUDIO_DEBUG=1` nothing is redirected.
    """
    global _quiet_depth, _saved_fd, _scratch
    if _debug() or _diverted:
        yield
        return
    with _quiet_lock:
        if _quiet_depth == 0:
            try:
                _scratch = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed on exit
                _saved_fd = os.dup(2)
                os.dup2(_scratch.fileno(), 2)
            except OSError:  # no fd 2 at all (daemonised): nothing to protect
                _scratch, _saved_fd = None, None
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None
                try:
                    _scratch.seek(0)
                    text = _scratch.read().decode("utf-8", "replace")
                finally:
                    _scratch.close()
                    _scratch = None
                lines = [line for line in text.splitlines() if line.strip()]
                if lines:
                    _last_chatter[:] = lines[-50:]
                    for line in lines:
                        log.debug("audio stderr: %s", line)


_diverted = False


@contextlib.contextmanager
def divert_stderr(log_path: Path | str | None = None) -> Iterator[Path | None]:
    """For a whole UI session: fd 2 -> `log_path` (appended, 0600) or /dev/null, while
    `sys.stderr` and `sys.__stderr__` keep writing to the terminal through a duplicate.

    Enter it before the UI starts (Textual reads `sys.__stderr__` when its driver starts).
    Yields the log path. Does nothing with `VOICECOACH_AUDIO_DEBUG=1`.
    """
    global _diverted
    if _debug() or _diverted:
        yield None
        return
    target = Path(log_path) if log_path else None
    try:
        if target is not None:
            sink = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        else:
            sink = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        target, sink = None, os.open(os.devnull, os.O_WRONLY)
    saved_fd = os.dup(2)
    old_err, old_dunder = sys.stderr, sys.__stderr__
    encoding = getattr(old_dunder, "encoding", None) or "utf-8"
    terminal = open(saved_fd, "w", buffering=1, encoding=encoding,  # noqa: SIM115
                    errors="backslashreplace", closefd=False)
    with _quiet_lock:
        sys.stderr = terminal if old_err is old_dunder else old_err
        sys.__stderr__ = terminal
        os.dup2(sink, 2)
        os.close(sink)
        _diverted = True
    try:
        yield target
    finally:
        with _quiet_lock:
            with contextlib.suppress(ValueError, OSError):
                terminal.flush()
            os.dup2(saved_fd, 2)
            sys.stderr, sys.__stderr__ = old_err, old_dunder
            _diverted = False
            terminal.close()
            os.close(saved_fd)


def last_chatter() -> list[str]:
    """Lines the audio libraries last wrote to stderr while it was quietened."""
    return list(_last_chatter)


# --- sounddevice -------------------------------------------------------------------------

_sd_module: Any = None


def sounddevice() -> Any:
    """The `sounddevice` module, imported quietly; `DeviceError` if PortAudio is missing."""
    global _sd_module
    if _sd_module is not None:
        return _sd_module
    try:
        with quiet_stderr():
            import sounddevice as sd
    except ImportError:
        raise DeviceError("the sounddevice package is not installed: pip install sounddevice"
                          ) from None
    except OSError as err:  # sounddevice raises OSError("PortAudio library not found")
        if "portaudio" in str(err).lower():
            raise DeviceError(PORTAUDIO_MISSING) from None
        raise DeviceError(f"cannot load PortAudio: {first_line(err)}") from None
    _sd_module = sd
    return sd


def rescan() -> None:
    """Make PortAudio enumerate devices again (after plugging a microphone in).

    Never call this while a stream is open.
    """
    sd = sounddevice()
    with quiet_stderr():
        try:
            sd._terminate()
            sd._initialize()
        except sd.PortAudioError as err:
            raise DeviceError(f"cannot re-initialise PortAudio: {first_line(err)}") from None


def _query() -> tuple[list[dict[str, Any]], int, int, list[str]]:
    sd = sounddevice()
    with quiet_stderr():
        try:
            devices = [dict(d) for d in sd.query_devices()]
            hostapis = [h["name"] for h in sd.query_hostapis()]
            default_in, default_out = _default_indices(sd)
        except sd.PortAudioError as err:
            raise DeviceError(f"cannot list audio devices: {first_line(err)}") from None
    return devices, default_in, default_out, hostapis


def _default_indices(sd: Any) -> tuple[int, int]:
    try:
        din, dout = sd.default.device
    except (TypeError, ValueError):
        din = dout = -1
    # sd.default.device holds -1 (PortAudio decides) unless set; ask PortAudio then.
    lib = sd._lib
    if din is None or din < 0:
        din = lib.Pa_GetDefaultInputDevice()
    if dout is None or dout < 0:
        dout = lib.Pa_GetDefaultOutputDevice()
    return int(din), int(dout)


def _infos(kind: str) -> list[DeviceInfo]:
    devices, default_in, default_out, hostapis = _query()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    default = default_in if kind == "input" else default_out
    found = []
    for i, dev in enumerate(devices):
        if int(dev.get(key, 0)) <= 0:
            continue
        api_index = int(dev.get("hostapi", -1))
        found.append(DeviceInfo(
            index=i,
            name=str(dev.get("name", f"device {i}")),
            channels=int(dev[key]),
            default=(i == default),
            hostapi=hostapis[api_index] if 0 <= api_index < len(hostapis) else "",
            default_samplerate=float(dev.get("default_samplerate", 0.0) or 0.0),
        ))
    return found


def list_input_devices(refresh: bool = False) -> list[DeviceInfo]:
    """Every device that can record; `DeviceError` if there is none or no PortAudio."""
    if refresh:
        rescan()
    found = _infos("input")
    if not found:
        raise DeviceError(NO_INPUT)
    return found


def list_output_devices(refresh: bool = False) -> list[DeviceInfo]:
    """Every device that can play; `DeviceError` if there is none or no PortAudio."""
    if refresh:
        rescan()
    found = _infos("output")
    if not found:
        raise DeviceError(NO_OUTPUT)
    return found


def _resolve(spec: str | int | None, devices: list[DeviceInfo], kind: str) -> int:
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        for d in devices:
            if d.default:
                return d.index
        return devices[0].index  # PortAudio names no default: the first one will do
    if isinstance(spec, int) or spec.strip().lstrip("-").isdigit():
        index = int(spec)
        for d in devices:
            if d.index == index:
                return index
        raise DeviceError(f"no {kind} device with index {index}; "
                          f"available: {_available(devices)}")
    wanted = spec.strip().lower()
    exact = [d for d in devices if d.name.lower() == wanted]
    if exact:
        return exact[0].index
    partial = [d for d in devices if wanted in d.name.lower()]
    if len(partial) == 1:
        return partial[0].index
    if not partial:
        raise DeviceError(f"no {kind} device named {spec!r}; available: {_available(devices)}")
    names = ", ".join(repr(d.name) for d in partial[:5])
    raise DeviceError(f"{kind} device name {spec!r} is ambiguous: {names}")


def _available(devices: list[DeviceInfo]) -> str:
    text = ", ".join(f"{d.index} {d.name!r}" for d in devices[:8])
    return text + (", ..." if len(devices) > 8 else "")


def resolve_input_device(spec: str | int | None) -> int | None:
    """A settings value ("" = default, an index, or part of a name) -> a device index.

    Returns None only when PortAudio has input devices but names no default and
    leaves the choice to the host API (never happens with ALSA/CoreAudio/WASAPI).
    """
    return _resolve(spec, list_input_devices(), "input")


def resolve_output_device(spec: str | int | None) -> int | None:
    return _resolve(spec, list_output_devices(), "output")


def describe_device(index: int) -> str:
    """The name of device `index`, for messages."""
    sd = sounddevice()
    with quiet_stderr():
        try:
            return str(sd.query_devices(index)["name"])
        except (sd.PortAudioError, ValueError, IndexError):
            return f"device {index}"

