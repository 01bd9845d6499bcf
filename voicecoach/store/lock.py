"""One voicecoach at a time for the steps that must not run twice at once.

Recovery and salvage decide from what is on disk ("this recording has no take") and
then act on it; two processes starting together would both decide and both act
(the same orphan imported twice). An `flock` on a file in the data directory makes
the decision and the action one step. The lock goes with the process, so a killed
voicecoach never leaves it held.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own locking still applies
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".voicecoach.lock"


@contextlib.contextmanager
def exclusive(directory: Path, timeout_s: float = 60.0) -> Iterator[None]:
    """Hold the data directory's lock; wait for another holder up to `timeout_s`.

    A directory where the lock file cannot be made (read-only) cannot be written by
    anyone here either, so the step goes ahead unlocked.
    """
    try:
        fd = os.open(Path(directory) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        if fcntl is not None:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("another voicecoach holds the data directory"
                                           ) from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock
