"""A live input level meter: RMS bar, peak tick, and the level in dB.

The screen polls the recorder (`Recorder.level()`) on a timer and sets `level`; the
PortAudio callback never touches the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

FLOOR_DB = -60.0  # the left edge of the bar; quieter than this reads as silence
LOUD_DB = -6.0  # from here on the bar turns amber: close to clipping


@dataclass(frozen=True)
class MeterReading:
    """What the meter shows; built from the recorder's Level."""

    rms_db: float = FLOOR_DB
    peak: float = 0.0  # linear 0..1
    silent: bool = False
    clipping: bool = False

    @classmethod
    def of(cls, level: object) -> MeterReading:
        return cls(
            rms_db=float(getattr(level, "rms_db", FLOOR_DB)),
            peak=float(getattr(level, "peak", 0.0)),
            silent=bool(getattr(level, "silent", False)),
            clipping=bool(getattr(level, "clipping", False)),
        )


def _fraction(db: float) -> float:
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


def _peak_db(peak: float) -> float:
    import math

    return 20 * math.log10(peak) if peak > 1e-6 else FLOOR_DB


class LevelMeter(Widget):
    """`▕██████▌░░░░░░░│░░░░▏ -23 dB`"""

    DEFAULT_CSS = """
    LevelMeter { height: 1; width: 1fr; }
    """

    reading: reactive[MeterReading] = reactive(MeterReading, layout=False)
    active: reactive[bool] = reactive(False)

    def render(self) -> Text:
        label = " --- dB" if not self.active else f" {max(self.reading.rms_db, -99):>4.0f} dB"
        width = max(4, self.size.width - len(label) - 2)
        text = Text("▕", style="dim")
        if not self.active:
            text.append("·" * width, style="dim")
        else:
            r = self.reading
            filled = _fraction(r.rms_db) * width
            full = int(filled)
            peak_at = min(width - 1, int(_fraction(_peak_db(r.peak)) * width))
            loud_from = int(_fraction(LOUD_DB) * width)
            for i in range(width):
                if i < full:
                    style = "bold red" if r.clipping else (
                        "yellow" if i >= loud_from else "green")
                    text.append("█", style=style)
                elif i == full and filled - full >= 0.5:
                    text.append("▌", style="red" if r.clipping else "green")
                elif i == peak_at and r.peak > 0:
                    text.append("│", style="red" if r.clipping else "bright_white")
                else:
                    text.append("░", style="grey30")
        text.append("▏", style="dim")
        style = "bold red" if self.active and self.reading.clipping else (
            "dim" if not self.active or self.reading.silent else "")
        text.append(label, style=style)
        return text
