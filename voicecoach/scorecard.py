"""The human scorecard: plain text for the terminal (no Textual), built from a Report.

Order follows what a learner needs: the scores, the three things to fix first (with
where they happened, so the take can be replayed there), what went well, then the
delivery numbers behind the scores.
"""

from __future__ import annotations

from voicecoach import timefmt
from voicecoach.analysis.prosody import prosody_rows
from voicecoach.app.feedback import top_fixes  # the TUI's ranking too
from voicecoach.report import SCORE_NAMES as SCORE_ORDER
from voicecoach.report import Finding, Report

STYLE_TEXT = {
    "structured": "structured (framed, signposted, few detours)",
    "loose": "loose (some structure, some detours)",
    "rambling": "rambling (stream of consciousness: frame first, then answer)",
}


def clock(seconds: float | None) -> str:
    return timefmt.clock(seconds, missing="")


def where(finding: Finding) -> str:
    if finding.start is None:
        return "whole answer"
    # A range inside one second reads "0:20-0:20": say the moment instead.
    if finding.end is None or clock(finding.end) == clock(finding.start):
        return f"at {clock(finding.start)}"
    return f"{clock(finding.start)}-{clock(finding.end)}"


def _bar(value: int, width: int = 20) -> str:
    filled = round(value / 100 * width)
    return "#" * filled + "." * (width - filled)


def render_scorecard(report: Report) -> str:
    lines: list[str] = []
    title = f"voicecoach scorecard: {report.audio_path or 'recording'}"
    lines += [title, "=" * min(len(title), 78)]
    if report.prompt_id:
        prompt_text = report.extra.get("prompt", {}).get("text") if report.extra else None
        lines.append(f"prompt: {report.prompt_id}" + (f" - {prompt_text}" if prompt_text else ""))
    lines.append(f"engine: {report.engine_name} {report.engine_model}   "
                 f"audio: {report.duration_s:.1f} s")
    lines.append("")

    if report.scores:
        lines.append("SCORES")
        for name in SCORE_ORDER:
            if name in report.scores:
                value = int(report.scores[name])
                lines.append(f"  {name:<10} {value:>3}  {_bar(value)}")
        if report.extra.get("not_judged"):
            lines.append(f"  {report.extra['not_judged']}")
        style = report.extra.get("flow", {}).get("style") if report.extra else None
        if style and not report.extra.get("not_judged"):
            lines.append(f"  thinking aloud: {STYLE_TEXT.get(style, style)}")
        lines.append("")

    fixes = top_fixes(report.findings)
    if report.scores is not None:
        lines.append("FIX FIRST")
        if not fixes:
            lines.append("  nothing major: keep practising with new prompts")
        for i, f in enumerate(fixes, 1):
            lines.append(f"  {i}. [{f.category}, {where(f)}] {f.message}")
            if f.evidence:
                lines.append(f"     heard: \"{_clip(f.evidence)}\"")
            if f.tip:
                lines.append(f"     try: {f.tip}")
        lines.append("")

    strengths = report.extra.get("strengths", []) if report.extra else []
    if strengths:
        lines.append("WENT WELL")
        for s in strengths[:5]:
            at = f" ({clock(s['start'])})" if s.get("start") is not None else ""
            lines.append(f"  + {s['message']}{at}")
        lines.append("")

    coverage = report.extra.get("coverage") if report.extra else None
    if coverage:
        touched = [k["label"] for k in coverage.get("key_points", []) if k["touched"]]
        missed = [k["label"] for k in coverage.get("key_points", []) if not k["touched"]]
        lines.append(f"KEY POINTS ({len(touched)}/{len(touched) + len(missed)} touched)")
        lines += [f"  + {t}" for t in touched]
        lines += [f"  - {m}" for m in missed]
        lines.append("")

    m = report.metrics
    lines.append("DELIVERY")
    pace = report.extra.get("pacing", {}) if report.extra else {}
    band = pace.get("band_wpm")
    band_text = f" (band {band[0]}-{band[1]})" if band else ""
    lines.append(f"  pace          {m.wpm:.0f} wpm{band_text}; articulation "
                 f"{m.articulation_wpm:.0f} wpm")
    lines.append(f"  think time    {m.think_time_s:.1f} s before the first word")
    lines.append(f"  pauses        {m.pause_count} of 1 s or more; "
                 f"longest {m.longest_pause_s:.1f} s")
    lines.append(f"  fillers       {m.filler_count} ({m.fillers_per_min:.1f} per minute)")
    lines.append(f"  words         {m.word_count} in {m.speaking_span_s:.1f} s")
    voice = prosody_rows(report.extra.get("prosody") if report.extra else None)
    if voice:
        lines.append("VOICE")
        lines += [f"  {name.lower():<20}{value}" for name, value in voice]

    others = [f for f in report.findings if f not in fixes and f.severity != "info"]
    if others:
        lines.append("")
        lines.append("ALSO NOTED")
        for f in others:
            lines.append(f"  - [{f.category}, {where(f)}] {f.message}")

    if report.warnings:
        lines.append("")
        lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
