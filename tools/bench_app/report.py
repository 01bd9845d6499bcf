"""The benchmark's tables (Markdown): the measures, worst case first, and the stop path."""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path
from typing import Any

from tools.bench_app.takes import STAGES

BEGIN, END = "<!-- bench_app:begin -->", "<!-- bench_app:end -->"


def render(results: dict[str, Any]) -> str:
    takes = results["takes"]
    ok = [t for t in takes if not t["error"]]
    runs = results.get("runs") or [results["started"]]
    when = runs[0] if len(runs) == 1 else f"in {len(runs)} runs, {runs[0]} to {runs[-1]},"
    out = [f"Measured {when} on {results['cpus']} CPU cores; tiny.en, default "
           "settings. *load*: the 1-minute load average when stop was pressed (range over "
           "the takes).", "",
           "| measure | answer | takes | median | worst | load |",
           "|---|---|---:|---:|---:|---|"]
    rows = []
    for name, group in _groups(ok).items():
        rows.append((max(t["stop_s"] for t in group),
                     _row("stop → scores drawn", name, [t["stop_s"] for t in group], group)))
    out += [row for _, row in sorted(rows, key=lambda r: -r[0])]
    if ok:
        out.append(_row("`r` → ● REC, audio flowing", "all takes", [t["rec_s"] for t in ok], ok))
        out.append(_row("`r` → recorder running (in the app)", "all takes",
                        [t["rec_app_s"] for t in ok], ok))
        out.append(_row("prompt shown → microphone ready (while reading)", "all takes",
                        [t["ready_s"] for t in ok], ok))
    if ok:
        out.append(_row("app CPU while recording, per second of audio (all threads)",
                        "all takes", [t["cpu_per_s"] for t in ok], ok, unit=""))
        ui = [t for t in ok if "ui_cpu_per_s" in t]  # (not recorded by older runs)
        if ui:
            out.append(_row("of which the UI thread", "all takes",
                            [t["ui_cpu_per_s"] for t in ui], ui, unit=""))
        busy = [t for t in ok if t["decode"].get("busy_s") is not None]
        if busy:
            out.append(_row("engine wall time per second of audio (stream worker)",
                            "all takes", [t["decode"]["busy_s"] / t["audio_s"] for t in busy],
                            busy, unit=""))
    live = [t for t in ok if t["live"]]
    lags = [lag for t in live for lag in t["live_lag_s"]]
    if lags:
        out.append(_row("live transcript behind speech (per word)",
                        f"{live[0]['clip']}, {len(lags)} words", lags, live, n=len(live)))
    cold = results.get("cold_start") or []
    if cold:
        out.append(_row("cold start → home frame drawn", "empty config and data",
                        [c["home_s"] for c in cold], cold))
    if ok:
        longest = max(ok, key=lambda t: t["audio_s"])
        out.append(f"| peak RSS of the app | {longest['clip']} ({longest['audio_s']:.0f} s) "
                   f"| 1 | | {longest['peak_rss_mb']:.0f} MB | {longest['load']:.1f} |")
        overflows = sum(max(0, t["overflows"]) for t in ok)
        minutes = sum(t["audio_s"] for t in ok) / 60
        out.append(f"| input overflows | all takes, {minutes:.0f} min recorded | {len(ok)} "
                   f"| | {overflows} | |")
        lost = max(max(t["lost_start_s"], t["lost_end_s"]) for t in ok)
        match = min(t["match_min"] for t in ok)
        out.append(f"| answer audio missing from the take | all takes | {len(ok)} | | "
                   f"{lost:.2f} s (worst 10 s window correlation {match:.2f}) | |")
    failed = [t for t in takes if t["error"]]
    if failed:
        out += ["", "Failed takes:"] + [f"- {t['clip']} take {t['index'] + 1}: {t['error']}"
                                        for t in failed]
    out += ["", breakdown(ok)]
    return "\n".join(out)


def breakdown(takes: list[dict[str, Any]]) -> str:
    """Median seconds each stage of the stop path took, per answer."""
    groups = _groups([t for t in takes if not t["live"]]) or _groups(takes)
    if not groups:
        return ""
    names = list(groups)
    lines = ["Stop path: median seconds after the stop key at which each point is reached "
             "(the app's trace; the first row includes tmux delivering the key):", "",
             "| stage | " + " | ".join(names) + " |",
             "|---|" + "---:|" * len(names)]
    for key, what in STAGES:
        cells = []
        for name in names:
            values = [t["stages"][key] for t in groups[name] if key in t["stages"]]
            cells.append(f"{statistics.median(values):.3f}" if values else "–")
        lines.append(f"| {what} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _groups(takes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in takes:
        name = f"{t['clip']}{', live transcript on' if t['live'] else ''} ({t['audio_s']:.0f} s)"
        groups.setdefault(name, []).append(t)
    return groups


def _row(measure: str, answer: str, values: list[float], takes: list[dict[str, Any]],
         n: int | None = None, unit: str = " s") -> str:
    loads = [t["load"] for t in takes if not math.isnan(t.get("load", math.nan))]
    load = (f"{min(loads):.1f}–{max(loads):.1f}" if loads and max(loads) - min(loads) >= 0.1
            else f"{loads[0]:.1f}" if loads else "")
    return (f"| {measure} | {answer} | {n or len(values)} | "
            f"{statistics.median(values):.2f}{unit} | {max(values):.2f}{unit} | {load} |")


def write_doc(path: Path, text: str, argv: list[str]) -> Path:
    """Put `text` between the benchmark's markers in `path` (a new section if none)."""
    command = " ".join(["python -m tools.bench_app", *argv]).strip()
    body = f"{BEGIN}\n`{command}`\n\n{text}\n{END}"
    doc = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in doc and END in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: body, doc,
                     flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n## Through the app\n\n" + body + "\n"
    path.write_text(doc, encoding="utf-8")
    return path
