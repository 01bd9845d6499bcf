"""A take or a drill as Markdown, or as one self-contained HTML file.

The HTML has inline CSS and inline SVG charts only: no scripts, no external assets,
and a Content-Security-Policy that forbids both in case anything slipped through.
A transcript is untrusted text (anyone can say "<script>"), so every string from a
report, a prompt or the store is escaped on its way out, in HTML and in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from voicecoach import __version__, svgcharts, timefmt
from voicecoach.errors import VoiceCoachError
from voicecoach.history import SCORE_NAMES, PromptInfo, TakeRow, prompt_lookup, to_row
from voicecoach.marks import Token, transcript_tokens
from voicecoach.paths import exports_dir
from voicecoach.report import Report

FORMATS = ("md", "html")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ExportTake:
    row: TakeRow
    report: Report | None


def export_take_of(take: Any, info: PromptInfo | None = None) -> ExportTake:
    return ExportTake(to_row(take, info or prompt_lookup()), getattr(take, "report", None))


# --- shared pieces ---------------------------------------------------------------------------

def clock(seconds: float | None) -> str:
    return timefmt.clock(seconds, missing="–")


def metric_rows(report: Report) -> list[tuple[str, str]]:
    m = report.metrics
    rows = [
        ("Pace", f"{m.wpm:.0f} wpm"),
        ("Words", f"{m.word_count}"),
        ("Fillers", f"{m.filler_count} ({m.fillers_per_min:.1f}/min)"),
        ("Long pauses", f"{m.pause_count}, longest {m.longest_pause_s:.1f} s"),
        ("Think time", f"{m.think_time_s:.1f} s"),
    ]
    coverage = coverage_fraction(report)
    if coverage is not None:
        rows.append(("Key points", f"{coverage:.0%} covered"))
    return rows


def key_points(report: Report) -> list[tuple[str, bool]]:
    """The prompt's key points as (label, touched), in the prompt's order."""
    points = ((report.extra or {}).get("coverage") or {}).get("key_points") or []
    return [(str(k.get("label", "")), bool(k.get("touched"))) for k in points]


def coverage_fraction(report: Report) -> float | None:
    points = key_points(report)
    if not points:
        return None
    return sum(1 for _, touched in points if touched) / len(points)


def strengths(report: Report) -> list[tuple[str, float | None]]:
    """What the scorer said went well, as (message, seconds into the take or None)."""
    out = []
    for s in (report.extra or {}).get("strengths", []) or []:
        message = s.get("message") if isinstance(s, dict) else s
        if message:
            start = s.get("start") if isinstance(s, dict) else None
            out.append((str(message), float(start) if start is not None else None))
    return out


def _shown(token: Token) -> str:
    """How a transcript token is styled: 'filler', 'hedge', 'signpost' or 'word'."""
    return "filler" if token.kind == "unsaid" else token.mark or "word"


# --- Markdown -----------------------------------------------------------------------------------

# Inline syntax only: our own text starts every line, so block markers ("1.", "-",
# "+") never begin one; brackets escaped means no link or image can form.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md(text: Any) -> str:
    """Plain text safe inside Markdown: HTML escaped, Markdown syntax backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", escape(str(text), quote=False)).replace("\n", " ")


def _md_transcript(report: Report, long_pause_s: float) -> str:
    lines: list[str] = []
    for t in transcript_tokens(report, long_pause_s):
        if t.kind == "line":
            lines.append(f"`{clock(t.start)}`")
        elif t.kind == "pause":
            lines[-1] += f" ⏸ *{md(t.text)}*"
        else:
            word = md(t.text)
            word = {"filler": f"~~{word}~~", "hedge": f"_{word}_",
                    "signpost": f"**{word}**"}.get(_shown(t), word)
            lines[-1] += " " + word
    return "\n\n".join(lines) if lines else "_(no words recognised)_"


def take_markdown(item: ExportTake, long_pause_s: float = 1.0, level: int = 1) -> str:
    row, report = item.row, item.report
    h = "#" * level
    out = [f"{h} {md(row.prompt_text or row.prompt_id or 'Free answer')}", ""]
    meta = [row.created_at.strftime("%Y-%m-%d %H:%M"), clock(row.duration_s)]
    if row.category:
        meta.insert(0, md(row.category))
    if row.engine:
        meta.append(md(f"{row.engine} {row.model}".strip()))
    out += [" · ".join(meta), ""]
    if report is None:
        out.append(f"_Not scored ({md(row.status or 'no report')})._")
        return "\n".join(out) + "\n"
    if report.scores:
        out += [f"{h}# Scores", "", "| " + " | ".join(SCORE_NAMES) + " |",
                "|" + "---:|" * len(SCORE_NAMES),
                "| " + " | ".join(str(report.scores.get(n, "–")) for n in SCORE_NAMES) + " |",
                ""]
    out += [f"{h}# Delivery", ""]
    out += [f"- **{name}**: {md(value)}" for name, value in metric_rows(report)]
    out.append("")
    well = strengths(report)
    if well:
        out += [f"{h}# Went well", ""]
        out += [f"- `{clock(at)}` {md(message)}" if at is not None else f"- {md(message)}"
                for message, at in well]
        out.append("")
    points = key_points(report)
    if points:
        touched = sum(1 for _, hit in points if hit)
        out += [f"{h}# Key points ({touched}/{len(points)} touched)", ""]
        out += [f"- {'✓ touched' if hit else '✗ missed'}: {md(label)}" for label, hit in points]
        out.append("")
    if report.findings:
        out += [f"{h}# Findings", ""]
        for f in report.findings:
            at = f"`{clock(f.start)}` " if f.start is not None else ""
            line = f"- {at}**{md(f.severity)}** · {md(f.category)}: {md(f.message)}"
            if f.tip:
                line += f" — _try:_ {md(f.tip)}"
            if f.evidence:
                line += f" (heard: “{md(f.evidence)}”)"
            out.append(line)
        out.append("")
    out += [f"{h}# Transcript", "",
            "Marks: ~~filler~~, _hedge_, **signpost**, ⏸ long pause.", "",
            _md_transcript(report, long_pause_s), ""]
    return "\n".join(out)


def drill_markdown(items: Sequence[ExportTake], drill_id: Any, long_pause_s: float = 1.0
                   ) -> str:
    out = [f"# Drill {md(drill_id)}", ""]
    if items:
        out += [f"{_takes(len(items))}, {items[0].row.created_at:%Y-%m-%d %H:%M}", ""]
        out += ["| # | Prompt | Length | Overall |", "|---:|---|---:|---:|"]
        for i, it in enumerate(items, 1):
            overall = it.row.overall if it.row.overall is not None else "–"
            out.append(f"| {i} | {md(it.row.prompt_text)} | {clock(it.row.duration_s)} | "
                       f"{overall} |")
        out.append("")
    for it in items:
        out += [take_markdown(it, long_pause_s, level=2), ""]
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------------------

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;color:#1a202c;max-width:860px;margin:2em auto;
padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}
.meta{color:#4a5568}.muted{color:#718096}
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}
td.n,th.n{text-align:right}
.transcript p{margin:.4em 0}.t{font-weight:600}
.ts{color:#718096;font-size:.85em;margin-right:.3em}
.filler{background:#fbd38d;text-decoration:line-through}
.hedge{color:#97266d;font-style:italic}
.signpost{color:#276749;font-weight:600;text-decoration:underline}
.pause{color:#2c7a7b;font-weight:600}
.major{color:#c53030}.minor{color:#b7791f}.info{color:#2f855a}
section.take{border-top:1px solid #e2e8f0;margin-top:2em}
.points{list-style:none;padding-left:0}.hit{color:#2f855a}.miss{color:#c53030}
"""


def h(text: Any) -> str:
    return escape(str(text), quote=True)


def _html_transcript(report: Report, long_pause_s: float) -> str:
    paras: list[str] = []
    for t in transcript_tokens(report, long_pause_s):
        if t.kind == "line":
            paras.append(f'<span class="ts">{clock(t.start)}</span>')
        elif t.kind == "pause":
            paras[-1] += f' <span class="pause">⏸ {h(t.text)}</span>'
        elif _shown(t) == "word":
            paras[-1] += " " + h(t.text)
        else:
            paras[-1] += f' <span class="{_shown(t)}">{h(t.text)}</span>'
    if not paras:
        return '<p class="muted">(no words recognised)</p>'
    return "\n".join(f"<p>{p}</p>" for p in paras)


def _html_take(item: ExportTake, long_pause_s: float, heading: str,
               history: Sequence[TakeRow] = ()) -> str:
    row, report = item.row, item.report
    title = row.prompt_text or row.prompt_id or "Free answer"
    meta = [row.category, row.created_at.strftime("%Y-%m-%d %H:%M"), clock(row.duration_s),
            f"{row.engine} {row.model}".strip()]
    out = [f"<{heading}>{h(title)}</{heading}>",
           f'<p class="meta">{" · ".join(h(m) for m in meta if m)}</p>']
    if report is None:
        out.append(f'<p class="muted">Not scored ({h(row.status or "no report")}).</p>')
        return "\n".join(out)
    sub = "h3" if heading == "h2" else "h2"
    if report.scores:
        out.append(f"<{sub}>Scores</{sub}>")
        out.append(svgcharts.bar_chart([(n, report.scores.get(n)) for n in SCORE_NAMES]))
    out.append(f"<{sub}>Delivery</{sub}><table>")
    out += [f"<tr><th>{h(k)}</th><td>{h(v)}</td></tr>" for k, v in metric_rows(report)]
    out.append("</table>")
    out.append(svgcharts.timeline(report, long_pause_s))
    well = strengths(report)
    if well:
        out.append(f"<{sub}>Went well</{sub}><ul>")
        for message, at in well:
            when = f'<span class="ts">{clock(at)}</span>' if at is not None else ""
            out.append(f"<li>{when}{h(message)}</li>")
        out.append("</ul>")
    points = key_points(report)
    if points:
        touched = sum(1 for _, hit in points if hit)
        out.append(f"<{sub}>Key points ({touched}/{len(points)} touched)</{sub}>"
                   '<ul class="points">')
        out += [f'<li class="{"hit" if hit else "miss"}">'
                f'{"✓ touched" if hit else "✗ missed"}: {h(label)}</li>' for label, hit in points]
        out.append("</ul>")
    if report.findings:
        out.append(f"<{sub}>Findings</{sub}><ul>")
        for f in report.findings:
            at = f'<span class="ts">{clock(f.start)}</span>' if f.start is not None else ""
            tip = f" — <em>try:</em> {h(f.tip)}" if f.tip else ""
            heard = f' <span class="muted">(heard: “{h(f.evidence)}”)</span>' if f.evidence \
                else ""
            out.append(f'<li>{at}<span class="{h(_severity(f.severity))}">{h(f.severity)}</span>'
                       f" · {h(f.category)}: {h(f.message)}{tip}{heard}</li>")
        out.append("</ul>")
    trend = [r for r in history if r.overall is not None]
    if len(trend) > 1:
        base = min(r.created_at for r in trend).timestamp()
        pts = [((r.created_at.timestamp() - base) / 86400, float(r.overall or 0)) for r in trend]
        labels = [(pts[0][0], f"{trend[0].created_at:%m-%d}"),
                  (pts[-1][0], f"{trend[-1].created_at:%m-%d}")]
        out.append(f"<{sub}>Overall score on this prompt</{sub}>")
        out.append(svgcharts.line_chart([("overall", pts)], labels, y_range=(0, 100)))
    out.append(f"<{sub}>Transcript</{sub}>")
    out.append('<p class="muted">Marks: <span class="filler">filler</span> '
               '<span class="hedge">hedge</span> <span class="signpost">signpost</span> '
               '<span class="pause">⏸ long pause</span></p>')
    out.append(f'<div class="transcript">{_html_transcript(report, long_pause_s)}</div>')
    return "\n".join(out)


def _severity(value: str) -> str:
    return value if value in ("major", "minor", "info") else "info"


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)}</title>\n<style>{STYLE}</style></head>\n<body>\n{body}\n"
        f'<p class="muted">Exported by voicecoach {h(__version__)}; '
        "everything stayed on this computer.</p>\n</body></html>\n"
    )


def take_html(item: ExportTake, long_pause_s: float = 1.0,
              history: Sequence[TakeRow] = ()) -> str:
    """`history`: earlier takes of the same prompt, for the trend chart."""
    title = f"voicecoach · {item.row.prompt_text or item.row.prompt_id or 'take'}"
    return _page(title, _html_take(item, long_pause_s, "h1", history))


def drill_html(items: Sequence[ExportTake], drill_id: Any, long_pause_s: float = 1.0) -> str:
    body = [f"<h1>Drill {h(drill_id)}</h1>"]
    if items:
        body.append(f'<p class="meta">{_takes(len(items))} · '
                    f"{items[0].row.created_at:%Y-%m-%d %H:%M}</p>")
        body.append(svgcharts.bar_chart(
            [(f"{i}. {_short(it.row.prompt_text, 14)}", it.row.overall)
             for i, it in enumerate(items, 1)], title="Overall score per prompt"))
        body.append("<table><tr><th>#</th><th>Prompt</th><th class=n>Length</th>"
                    "<th class=n>Overall</th></tr>")
        for i, it in enumerate(items, 1):
            overall = it.row.overall if it.row.overall is not None else "–"
            body.append(f"<tr><td>{i}</td><td>{h(it.row.prompt_text)}</td>"
                        f"<td class=n>{clock(it.row.duration_s)}</td>"
                        f"<td class=n>{h(overall)}</td></tr>")
        body.append("</table>")
    for it in items:
        body.append(f'<section class="take">{_html_take(it, long_pause_s, "h2")}</section>')
    return _page(f"voicecoach · drill {drill_id}", "\n".join(body))


def _takes(n: int) -> str:
    return f"{n} take" if n == 1 else f"{n} takes"


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --- from the store --------------------------------------------------------------------------

def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise VoiceCoachError(f"unknown export format {fmt!r}: md or html")
    return fmt


def export_take(store: Any, take_id: Any, fmt: str = "md", long_pause_s: float = 1.0,
                info: PromptInfo | None = None) -> str:
    check_format(fmt)
    take = store.get(take_id)
    if take is None:
        raise VoiceCoachError(f"no take with id {take_id}")
    info = info or prompt_lookup()
    item = export_take_of(take, info)
    if fmt == "md":
        return take_markdown(item, long_pause_s)
    history: list[TakeRow] = []
    if take.prompt_id:  # the trend up to this take, not past it
        rows = (to_row(t, info) for t in store.takes(prompt_id=take.prompt_id))
        history = sorted((r for r in rows if r.created_at <= item.row.created_at),
                         key=lambda r: r.created_at)
    return take_html(item, long_pause_s, history)


def export_drill(store: Any, drill_id: Any, fmt: str = "md", long_pause_s: float = 1.0,
                 info: PromptInfo | None = None) -> str:
    check_format(fmt)
    takes = list(store.takes(drill_id=drill_id, order_by="created_at", descending=False))
    if not takes:
        raise VoiceCoachError(f"no takes in drill {drill_id}")
    info = info or prompt_lookup()
    items = [export_take_of(t, info) for t in takes]
    if fmt == "md":
        return drill_markdown(items, drill_id, long_pause_s)
    return drill_html(items, drill_id, long_pause_s)


def default_name(kind: str, ident: Any, fmt: str) -> str:
    """voicecoach-take-42.html: a file name safe on every filesystem."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", str(ident)).strip("-") or "x"
    return f"voicecoach-{kind}-{safe}.{fmt}"


# --- to a file ---------------------------------------------------------------------------------

SUFFIXES = {".md": "md", ".markdown": "md", ".txt": "md", ".html": "html", ".htm": "html"}


def format_for(path: str | Path | None, fmt: str | None = None) -> str:
    """The format to write to `path`: `fmt` if given, else what its suffix says, else
    Markdown. A suffix of any other format is refused (`-o x.pdf` used to get Markdown
    in a file named .pdf), and so is a suffix that contradicts `fmt`."""
    if fmt is not None:
        check_format(fmt)
    suffix = Path(path).suffix.lower() if path and str(path) != "-" else ""
    implied = SUFFIXES.get(suffix)
    if suffix and implied is None:
        raise VoiceCoachError(f"{path}: exports are Markdown (.md) or HTML (.html), "
                              f"not {suffix}")
    if fmt and implied and fmt != implied:
        raise VoiceCoachError(f"{path}: the {suffix} suffix does not match --format {fmt}")
    return fmt or implied or "md"


def export_to_folder(store: Any, folder: Path, fmt: str, *, take_id: Any = None,
                     drill_id: Any = None, long_pause_s: float = 1.0,
                     info: PromptInfo | None = None) -> Path:
    """A take (or, with `drill_id`, a whole drill) as a file in `folder` (made 0700);
    returns its path (0600). VoiceCoachError says what went wrong in one line."""
    from voicecoach.private import private_dir, write_private

    if drill_id is not None:
        text = export_drill(store, drill_id, fmt, long_pause_s, info)
        name = default_name("drill", drill_id, fmt)
    else:
        text = export_take(store, take_id, fmt, long_pause_s, info)
        name = default_name("take", take_id, fmt)
    try:
        # tighten: voicecoach's own folder, made 0755 by an older version, becomes 0700
        private_dir(folder, tighten=folder == exports_dir())
        return write_private(folder / name, text)
    except OSError as err:
        raise VoiceCoachError(f"cannot write {folder / name}: {err.strerror or err}"
                              ) from None


