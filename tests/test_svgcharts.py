"""The HTML export's inline SVG charts: every label inside its chart."""

from __future__ import annotations

import re

from voicecoach import svgcharts
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.report import Finding, Metrics, Report

TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)"(?: text-anchor="(\w+)")?[^>]*>([^<]*)<')


def labels_outside(svg: str) -> list[str]:
    """Labels that would be cut: below the chart, or past its left or right edge."""
    width, height = (float(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg)
                     .groups())
    cut = []
    for x, y, anchor, label in TEXT.findall(svg):
        x, y, w = float(x), float(y), len(label) * 6.0  # 11 px sans: about 6 px a char
        left = {"end": x - w, "middle": x - w / 2}.get(anchor or "start", x)
        if y + 3 > height or left < 0 or left + w > width:  # 3 px: descenders
            cut.append(f"{label!r} at ({x}, {y})")
    return cut


def long_report(seconds: float = 95.0) -> Report:
    words = [Word("word", t, t + 0.3) for t in range(1, int(seconds) - 1, 2)]
    metrics = Metrics(len(words), seconds, seconds, 100, 100, 1, 1.5, 1.0, 0, 0.0)
    return Report("take.wav", seconds, "faster-whisper", "tiny.en", words,
                  [Span(40.0, 41.5)], [Span(1.0, seconds - 1)], [], metrics,
                  findings=[Finding("x", "flow", "major", "m", "t", 90.0, 91.0)])


def test_timeline_axis_labels_are_inside_the_chart():
    svg = svgcharts.timeline(long_report())
    assert "1:30" in svg  # the last tick, at the right end
    assert labels_outside(svg) == []  # were at y=89 in an 86-high chart


def test_line_chart_end_labels_are_not_clipped():
    points = [(0.0, 52.0), (3.0, 61.0), (9.0, 81.0)]
    svg = svgcharts.line_chart([("overall", points)], [(0.0, "11-20"), (9.0, "11-29")],
                               y_range=(0, 100))
    assert labels_outside(svg) == []  # the right one showed as "11-2"
