"""Timestamps of what the app does, for the benchmark that drives it (`bench_app`).

Off unless `VOICECOACH_TRACE` names a file. Then each `mark(event, **fields)` appends
one JSON line `{"t": <monotonic seconds>, "event": ..., **fields}` (file 0600).
CLOCK_MONOTONIC is one clock for the whole system on Linux, so a benchmark in another
process can line these up with its own key presses and screen polls. Only timings and
counts are written: never audio or words.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_fd: int | None = None


def enabled() -> bool:
    return bool(os.environ.get("VOICECOACH_TRACE"))


def mark(event: str, **fields: Any) -> None:
    """Record that `event` happened now (a no-op unless tracing is on)."""
    global _fd
    path = os.environ.get("VOICECOACH_TRACE")
    if not path:
        return
    line = json.dumps({"t": round(time.monotonic(), 6), "event": event, **fields},
                      default=str) + "\n"
    with _lock:
        try:
            if _fd is None:
                _fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.write(_fd, line.encode())
        except OSError:
            pass  # a trace must never break the app


def read(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The events of a trace file, in order (lines cut short by a crash are skipped)."""
    events = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    for line in text.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
