"""How the answer sounded: pitch variation, monotone stretches, loudness, trailing off
and speaking-rate variation, from the pitch track (audio/pitch.py), the speech regions
and the word times.

    measure_prosody(track, words, regions) -> the report's `prosody` section (a dict)
    prosody_findings(section) -> findings with times and one tip each

Pitch is measured in semitones, which a listener hears as equal steps whatever the
voice's register, over voiced frames inside speech only. A monotone stretch is a
`window_s` window of speech whose pitch SD stays under `monotone_sd_st` (thresholds
and their sources in docs/scoring.md, "Voice"). Trailing off is a phrase whose last
`tail_s` of voice is `trail_drop_db` quieter than the rest of it. Pure: no I/O, and
the findings come from the stored section alone, so a stored report re-scores the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from voicecoach.analysis.outcome import also_at
from voicecoach.analysis.pacing import windowed_wpm
from voicecoach.analysis.text import Transcript, build_transcript
from voicecoach.audio.pitch import STEP_S, PitchTrack
from voicecoach.audio.vad import Span
from voicecoach.model import Word
from voicecoach.report import Finding
from voicecoach.timefmt import clock

CATEGORY = "voice"
REFERENCE_HZ = 100.0  # semitones are counted from here (only differences are reported)


@dataclass(frozen=True)
class ProsodyRules:
    window_s: float = 10.0  # Hincks (2005): pitch variation over 10 s stretches
    hop_s: float = 1.0
    monotone_sd_st: float = 2.0  # a window's pitch SD below this sounds flat
    min_voiced_s: float = 2.0  # a window needs this much voice to be judged
    outlier_st: float = 9.0  # frames this far from the window's median: octave errors
    tail_s: float = 0.6  # the end of a phrase that can trail off...
    trail_drop_db: float = 6.0  # ...when this much quieter than the phrase before it
    min_phrase_s: float = 1.0  # shorter phrases have no "before" to compare with...
    min_body_s: float = 0.4  # ...nor less voice than this before the tail
    phrase_gap_s: float = 0.35  # a pause this long after a word ends a phrase
    trail_min_count: int = 2  # a finding needs this many trailing phrases...
    trail_min_share: float = 0.3  # ...and this share of all judged phrase ends
    rate_window_s: float = 20.0  # speaking rate in windows, as the pacing analysis
    rate_hop_s: float = 10.0


RULES = ProsodyRules()


def semitones(hz: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(hz / REFERENCE_HZ)


def measure_prosody(track: PitchTrack, words: list[Word], regions: list[Span],
                    rules: ProsodyRules = RULES) -> dict[str, Any]:
    """The `prosody` section of a report."""
    times = track.times
    inside = _in_spans(times, regions)
    if words:  # the answer only: a cough before the first word is not its voice
        inside &= (times >= words[0].start) & (times <= words[-1].end)
    voiced = inside & track.voiced
    st = np.where(voiced, semitones(np.where(voiced, track.f0, REFERENCE_HZ)), np.nan)
    pitch = _pitch_summary(st[voiced], track.f0[voiced])
    windows = _windows(st, rules)
    flat = [w for w in windows if w[2] < rules.monotone_sd_st]
    stretches = [{"start": round(a, 2), "end": round(b, 2), "sd_st": round(sd, 2)}
                 for a, b, sd in _merge(flat, times, voiced)]
    levels = track.db[voiced]
    tr = build_transcript(words)
    phrases = _phrase_ends(track, voiced, tr, rules)
    trailing = [p for p in phrases if p["drop_db"] >= rules.trail_drop_db]
    rates = [r for _, r in windowed_wpm(tr, rules.rate_window_s, rules.rate_hop_s)]
    rate_cv = float(np.std(rates) / np.mean(rates)) if len(rates) >= 3 and np.mean(rates) > 0 \
        else None
    return {
        "rules": asdict(rules),
        "voiced_s": round(float(voiced.sum()) * STEP_S, 2),
        "pitch": pitch,
        "windows": {"judged": len(windows), "flat": len(flat),
                    "sd_st_median": _r(np.median([w[2] for w in windows])) if windows
                    else None},
        "monotone": stretches,
        "loudness": {"sd_db": _r(np.std(levels)) if len(levels) else None,
                     "phrases": len(phrases),
                     "trailing": trailing,
                     "drop_db_median": _r(np.median([p["drop_db"] for p in phrases]))
                     if phrases else None},
        "rate": {"windows": len(rates), "variation": _r(rate_cv, 3),
                 "slowest_wpm": _r(min(rates), 0) if rates else None,
                 "fastest_wpm": _r(max(rates), 0) if rates else None},
    }


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _in_spans(times: np.ndarray, spans: list[Span]) -> np.ndarray:
    mask = np.zeros(len(times), dtype=bool)
    for s in spans:
        lo, hi = np.searchsorted(times, [s.start, s.end])
        mask[lo:hi] = True
    return mask


def _pitch_summary(st: np.ndarray, hz: np.ndarray) -> dict[str, Any]:
    if len(st) < 10:
        return {"frames": int(len(st)), "median_hz": None, "sd_st": None, "range_st": None}
    kept = st[np.abs(st - np.median(st)) <= RULES.outlier_st]
    p5, p95 = np.percentile(kept, [5, 95])
    return {"frames": int(len(st)), "median_hz": _r(np.median(hz), 1),
            "sd_st": _r(np.std(kept)), "range_st": _r(p95 - p5)}


def _windows(st: np.ndarray, rules: ProsodyRules) -> list[tuple[float, float, float]]:
    """(start, end, pitch SD in semitones) of every window with enough voice.

    Frames further than `outlier_st` from the take's median are octave errors, not
    intonation. Running sums make this linear in the take's length (a 5-minute take
    has ~300 windows)."""
    n = int(rules.window_s / STEP_S)
    hop = max(1, int(rules.hop_s / STEP_S))
    need = rules.min_voiced_s / STEP_S
    finite = np.isfinite(st)
    if finite.sum() < need or len(st) < n:
        return []
    centre = np.median(st[finite])
    ok = finite & (np.abs(np.where(finite, st, centre) - centre) <= rules.outlier_st)
    x = np.where(ok, st - centre, 0.0)
    sums = [np.concatenate([[0.0], np.cumsum(a)]) for a in (ok.astype(float), x, x * x)]
    starts = np.arange(0, len(st) - n + 1, hop)
    count, total, squares = (c[starts + n] - c[starts] for c in sums)
    out = []
    for k, c, t, q in zip(starts, count, total, squares):
        if c >= need:
            sd = float(np.sqrt(max(q / c - (t / c) ** 2, 0.0)))
            out.append((k * STEP_S, (k + n) * STEP_S, sd))
    return out


def _merge(flat: list[tuple[float, float, float]], times: np.ndarray, voiced: np.ndarray
           ) -> list[tuple[float, float, float]]:
    """Overlapping flat windows as one stretch, trimmed to the voice inside it; its SD
    is the highest of its windows (the stretch is at least that flat)."""
    out: list[list[float]] = []
    for a, b, sd in flat:
        if out and a <= out[-1][1]:
            out[-1][1] = b
            out[-1][2] = max(out[-1][2], sd)
        else:
            out.append([a, b, sd])
    trimmed = []
    for a, b, sd in out:
        t = times[voiced & (times >= a) & (times <= b)]
        if len(t):
            trimmed.append((float(t[0]), float(t[-1]), sd))
    return trimmed


def _phrase_ends(track: PitchTrack, voiced: np.ndarray, tr: Transcript,
                 rules: ProsodyRules) -> list[dict[str, float]]:
    """Each phrase's last `tail_s` of voice against the voice before it, in dB."""
    words = tr.words
    if not words:
        return []
    times = track.times
    out = []
    start = words[0].start
    for i, w in enumerate(words):
        last = i + 1 == len(words)
        if not (last or tr.sentence_end[i] or tr.gap_after[i] >= rules.phrase_gap_s):
            continue
        phrase = (start, w.end)
        start = words[i + 1].start if not last else w.end
        if phrase[1] - phrase[0] < rules.min_phrase_s:
            continue
        lo, hi = np.searchsorted(times, phrase)
        inside = np.flatnonzero(voiced[lo:hi]) + lo
        if not len(inside):
            continue
        t = times[inside]
        cut = t[-1] - rules.tail_s
        body = track.db[inside[t < cut]]
        tail = track.db[inside[t >= cut]]
        # Enough voice on both sides to compare (a fade leaves the tail less voiced).
        if len(body) >= rules.min_body_s / STEP_S and len(tail) >= 0.25 * rules.tail_s / STEP_S:
            out.append({"start": round(float(cut), 2), "end": round(float(t[-1]), 2),
                        "drop_db": round(float(np.median(body) - np.median(tail)), 1)})
    return out


def prosody_findings(section: dict[str, Any] | None, rules: ProsodyRules = RULES
                     ) -> list[Finding]:
    """Monotone stretches (one finding each, at most three) and trailing off."""
    if not section:
        return []
    out = []
    for s in sorted(section.get("monotone", []), key=lambda s: s["start"] - s["end"])[:3]:
        length = s["end"] - s["start"]
        out.append(Finding(
            "monotone", CATEGORY, "minor",
            f"Flat voice for {length:.0f} s from {clock(s['start'])}: the pitch moved only "
            f"{s['sd_st']:.1f} semitones (lively speech moves {rules.monotone_sd_st:g}+).",
            "Lift the key word of each point (say it higher), and let the voice fall "
            "only at the full stop.", s["start"], s["end"]))
    out.sort(key=lambda f: f.start or 0.0)
    loud = section.get("loudness") or {}
    trailing = loud.get("trailing") or []
    judged = loud.get("phrases") or 0
    if len(trailing) >= rules.trail_min_count and judged \
            and len(trailing) / judged >= rules.trail_min_share:
        worst = max(trailing, key=lambda p: p["drop_db"])
        also = also_at([p["start"] for p in trailing if p is not worst])
        out.append(Finding(
            "trailing-off", CATEGORY, "minor",
            f"{len(trailing)} of {judged} phrase endings fade out (the last "
            f"{rules.tail_s:g} s up to {worst['drop_db']:.0f} dB quieter){also}.",
            "Keep breath for the last word: finish each sentence as loud as you began "
            "it, then pause.", worst["start"], worst["end"]))
    return out


def prosody_rows(section: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The section as (name, value) lines for exports and the CLI."""
    if not section or (section.get("pitch") or {}).get("sd_st") is None:
        return []
    pitch, loud, rate = section["pitch"], section.get("loudness") or {}, \
        section.get("rate") or {}
    extent = [f"range {pitch['range_st']:.1f} semitones"] if pitch.get("range_st") else []
    extent += [f"median {pitch['median_hz']:.0f} Hz"] if pitch.get("median_hz") else []
    rows = [("Pitch variation", ", ".join([f"{pitch['sd_st']:.1f} semitones (SD)", *extent]))]
    flat = section.get("monotone") or []
    rows.append(("Flat stretches", ", ".join(
        f"{clock(s['start'])}–{clock(s['end'])} ({s['sd_st']:.1f} semitones)" for s in flat)
        or "none"))
    if loud.get("sd_db") is not None:
        rows.append(("Loudness variation", f"{loud['sd_db']:.1f} dB (SD)"))
    if loud.get("phrases"):
        rows.append(("Trailing off", f"{len(loud.get('trailing') or [])} of "
                     f"{loud['phrases']} phrase endings fade"))
    if rate.get("variation") is not None:
        rows.append(("Rate variation", f"{rate['variation']:.0%} between 20 s stretches "
                     f"({rate['slowest_wpm']:.0f}–{rate['fastest_wpm']:.0f} wpm)"))
    return rows
