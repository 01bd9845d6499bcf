"""Small text helpers the screens share: times, scores, truncation."""

from __future__ import annotations

from rich.text import Text

from voicecoach.report import score_band
from voicecoach.timefmt import clock

__all__ = ["clock"]  # screens import clock from here with the other text helpers


def duration(seconds: int) -> str:
    """45 -> '45s', 240 -> '4m', 150 -> '2m30'."""
    if seconds < 60:
        return f"{seconds}s"
    m, s = divmod(seconds, 60)
    return f"{m}m" if not s else f"{m}m{s:02d}"


BAND_STYLES = {"good": "bold green", "fair": "bold yellow", "poor": "bold red"}


def score_style(score: float) -> str:
    return BAND_STYLES[score_band(score)]


def score_text(score: float | None, width: int = 3) -> Text:
    if score is None or score < 0:
        return Text("–".rjust(width), style="dim")
    return Text(f"{score:.0f}".rjust(width), style=score_style(score))


def truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def delta_text(delta: float, improved: bool | None, unit: str = "", digits: int = 0) -> Text:
    if improved is None:
        return Text("  ±0", style="dim")
    arrow = "▲" if delta > 0 else "▼"
    style = "green" if improved else "red"
    return Text(f" {arrow}{abs(delta):.{digits}f}{unit}", style=style)


def pace_band(settings: object) -> tuple[float, float]:
    """The user's pace band (Settings), or the default one when none is at hand."""
    from voicecoach.compare import PACE_BAND

    low, high = (getattr(settings, "pace_min_wpm", None), getattr(settings, "pace_max_wpm", None))
    return (float(low), float(high)) if low and high else PACE_BAND
