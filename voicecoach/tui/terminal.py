"""Keep library noise off the terminal while the TUI owns it.

ALSA and PortAudio print straight to file descriptor 2 from C (e.g. "ALSA lib
pcm.c: Unknown PCM cards.pcm.rear"), at import, when a stream opens, and from audio
threads. Textual draws on `sys.__stderr__`, which is that same descriptor, so one
stray line corrupts the screen. While the app runs, Textual gets a duplicate of the
terminal descriptor and fd 2 points at a log file instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from voicecoach.private import private_dir


@contextlib.contextmanager
def stderr_to_log(log_path: Path) -> Iterator[None]:
    if sys.__stderr__ is None:  # no terminal at all: nothing to protect
        yield
        return
    try:
        sys.__stderr__.flush()
        private_dir(log_path.parent, tighten=True)  # the log may name devices and files
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(log_fd, 0o600)  # a log an older version left 0644
        saved_fd = os.dup(2)
        tty_fd = os.dup(2)
    except OSError:
        yield  # cannot redirect (read-only data dir?): run with the noise
        return
    old_dunder, old_stderr = sys.__stderr__, sys.stderr
    tty = os.fdopen(tty_fd, "w", encoding=old_dunder.encoding or "utf-8", errors="replace")
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.__stderr__ = tty  # Textual's driver writes here
    sys.stderr = tty
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            tty.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        sys.__stderr__, sys.stderr = old_dunder, old_stderr
        with contextlib.suppress(OSError):
            tty.close()
