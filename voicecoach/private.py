"""The user's files are theirs alone: directories 0700, files 0600, written atomically.

Recordings, the take database, settings, exports, logs and screenshots all go
through here, so a umask of 022 never leaves a readable copy behind.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def private_dir(path: Path, tighten: bool = False) -> Path:
    """Create `path` (and missing parents) as 0700 directories. `tighten`: also take
    group and other access away from an existing one (a folder voicecoach owns, made
    0755 by an older version). Raises OSError (e.g. a read-only file system)."""
    path = Path(path)
    if tighten and path.is_dir() and path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    if not path.is_dir():
        missing = []
        p = path
        while not p.exists():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            with contextlib.suppress(FileExistsError):
                d.mkdir(mode=0o700)
            os.chmod(d, 0o700)
    return path


def write_private(path: Path, text: str | bytes) -> Path:
    """Replace `path` with `text` as a 0600 file: a temporary file in the same directory,
    fsynced, then renamed, so a crash or a full disk leaves the old file whole."""
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def make_private(path: Path) -> Path:
    """Tighten a file another library wrote (Textual's screenshot) to 0600."""
    os.chmod(path, 0o600)
    return path
