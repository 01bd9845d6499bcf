"""Small inline SVG charts for self-contained HTML exports: no scripts, no external assets.

Every piece of text that reaches the SVG goes through `html.escape`; every number is
formatted by us, so nothing from a transcript or a prompt can become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from voicecoach.report import Report, score_band

PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280")


BAND_COLOURS = {"good": "#2f855a", "fair": "#b7791f", "poor": "#c53030"}


def _score_colour(value: float) -> str:
    return BAND_COLOURS[score_band(value)]


def bar_chart(items: Sequence[tuple[str, float | None]], maximum: float = 100.0,
              title: str = "", width: int = 420) -> str:
    """Horizontal bars, one per (label, value); None draws an empty, dashed row."""
    row_h, label_w, pad = 22, 110, 6
    height = pad * 2 + row_h * len(items) + (18 if title else 0)
    bar_w = width - label_w - 50
    out = [_open(width, height, title or "bar chart")]
    y = pad
    if title:
        out.append(f'<text x="0" y="{y + 12}" class="t">{escape(title)}</text>')
        y += 18
    for label, value in items:
        out.append(f'<text x="0" y="{y + 15}">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" '
                   'fill="#edf2f7"/>')
        if value is None:
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}">–</text>')
        else:
            frac = max(0.0, min(1.0, value / maximum)) if maximum else 0.0
            colour = _score_colour(value) if maximum == 100 else PALETTE[0]
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="{frac * bar_w:.1f}" '
                       f'height="{row_h - 8}" fill="{colour}"/>')
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{value:.0f}</text>')
        y += row_h
    out.append("</svg>")
    return "".join(out)


def line_chart(series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
               x_labels: Sequence[tuple[float, str]] = (), title: str = "",
               y_range: tuple[float, float] | None = None, width: int = 560,
               height: int = 200) -> str:
    """Lines through (x, y) points, one per named series, with dots at each point."""
    left, right, top, bottom = 40, 10, 24 if title else 8, 24
    points = [p for _, pts in series for p in pts]
    out = [_open(width, height, title or "line chart")]
    if title:
        out.append(f'<text x="0" y="14" class="t">{escape(title)}</text>')
    if not points:
        out.append(f'<text x="{left}" y="{height // 2}">no data yet</text></svg>')
        return "".join(out)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = y_range or (min(ys), max(ys))
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 1, y1 + 1
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 1, x1 + 1
    pw, ph = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" '
               'stroke="#a0aec0"/>')
    for value in (y0, (y0 + y1) / 2, y1):
        out.append(f'<text x="{left - 4}" y="{sy(value) + 4:.1f}" text-anchor="end">'
                   f'{value:.0f}</text>')
        out.append(f'<line x1="{left}" y1="{sy(value):.1f}" x2="{left + pw}" '
                   f'y2="{sy(value):.1f}" stroke="#edf2f7"/>')
    for x, label in x_labels:
        out.append(f'<text x="{sx(x):.1f}" y="{height - 6}" '
                   f'text-anchor="{_anchor(sx(x), label, width)}">{escape(label)}</text>')
    for i, (name, pts) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        out.append(f'<g><title>{escape(name)}</title>')
        if len(pts) > 1:
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                       'stroke-width="2"/>')
        out.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>'
                   for x, y in pts)
        out.append("</g>")
    if len(series) > 1:
        for i, (name, _) in enumerate(series):
            out.append(f'<text x="{left + 8 + i * 110}" y="{top + 10}" '
                       f'fill="{PALETTE[i % len(PALETTE)]}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def timeline(report: Report, long_pause_s: float = 1.0, width: int = 720) -> str:
    """The take on a time axis: speech, long pauses, fillers and findings."""
    height, left, lane = 96, 70, 16  # room below the axis for its labels
    dur = max(report.duration_s, 1e-3)
    pw = width - left - 10

    def sx(t: float) -> float:
        return left + max(0.0, min(1.0, t / dur)) * pw

    out = [_open(width, height, "timeline of the take")]
    lanes = ("speech", "pauses", "fillers", "findings")
    for i, name in enumerate(lanes):
        out.append(f'<text x="0" y="{8 + i * lane + 11}">{name}</text>')
    for s in report.speech:
        out.append(f'<rect x="{sx(s.start):.1f}" y="8" width="{sx(s.end) - sx(s.start):.1f}" '
                   f'height="{lane - 4}" fill="#a0aec0"/>')
    for p in report.pauses:
        if p.duration >= long_pause_s:
            out.append(f'<rect x="{sx(p.start):.1f}" y="{8 + lane}" '
                       f'width="{max(1.0, sx(p.end) - sx(p.start)):.1f}" height="{lane - 4}" '
                       f'fill="#319795"><title>pause {p.duration:.1f} s</title></rect>')
    for f in report.fillers:
        out.append(f'<rect x="{sx(f.start):.1f}" y="{8 + 2 * lane}" width="3" '
                   f'height="{lane - 4}" fill="#dd6b20"><title>{escape(f.text)}</title></rect>')
    for f in report.findings:
        if f.start is None:
            continue
        colour = "#c53030" if f.severity == "major" else "#b7791f"
        out.append(f'<circle cx="{sx(f.start):.1f}" cy="{8 + 3 * lane + 6}" r="4" '
                   f'fill="{colour}"><title>{escape(f.message)}</title></circle>')
    axis_y = 8 + 4 * lane + 4
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + pw}" y2="{axis_y}" '
               'stroke="#a0aec0"/>')
    step = _tick_step(dur)
    t = 0.0
    while t <= dur + 1e-6:
        label = f"{int(t) // 60}:{int(t) % 60:02d}"
        out.append(f'<text x="{sx(t):.1f}" y="{axis_y + 13}" '
                   f'text-anchor="{_anchor(sx(t), label, width)}">{label}</text>')
        t += step
    out.append("</svg>")
    return "".join(out)


CHAR_W = 6.6  # px per character at font-size 11 (sans-serif, a little generous)


def _anchor(x: float, label: str, width: float) -> str:
    """Centre a label on its tick unless that would cut it at the chart's edge: then
    it ends (or starts) at the tick."""
    half = len(label) * CHAR_W / 2
    if x + half > width:
        return "end"
    if x - half < 0:
        return "start"
    return "middle"


def _tick_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300):
        if duration / step <= 8:
            return float(step)
    return 600.0


def _open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
            'font-family="sans-serif" font-size="11" fill="#2d3748">')
