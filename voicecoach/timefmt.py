"""Times as people read them in a transcript or a list of findings."""

from __future__ import annotations


def clock(seconds: float | None, missing: str = "--:--") -> str:
    """62.7 -> '1:02': the minute and second a moment falls in (floored, like a player)."""
    if seconds is None:
        return missing
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"
