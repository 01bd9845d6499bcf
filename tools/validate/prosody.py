"""Prosody pairs: the same words said flat and lively, fading and steady.

espeak-ng's SSML `<prosody range="...">` scales its intonation's pitch range (0% is
a single pitch, 200% twice its default); the trailing-off side fades each sentence's
last FADE_S down to FADE_TO of its level (sox's `fade` out, done here in numpy so the
ramp is exact). Each pair must separate through the whole pipeline (Whisper word
times, VAD, the pitch track): the flat answer gets a monotone finding, the lively one
none; the fading one a trailing-off finding, the steady one none. The "mixed" clip is
lively, then flat for MIXED_FLAT sentences, then lively: its monotone finding must
fall on the flat stretch. The real clips must get no monotone finding.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tools.validate.corpus import CACHE_DIR

SENTENCES = (
    "Let me structure my answer in three parts: the data, the model, and how we run it.",
    "First, the data. We log clicks and purchases, and labels arrive a day later.",
    "I would check for leakage, because features computed after the purchase are unfair.",
    "Next, the model. Latency matters more than a small gain in accuracy.",
    "So I would start with logistic regression as a baseline, under forty milliseconds.",
    "A boosted model could add a few points, but it costs memory and is harder to explain.",
    "The main risk is drift when the catalog changes, so we monitor the click rate.",
    "To summarize: clean data first, a simple fast model, and strong monitoring.",
)
GAP_S = 0.6  # silence between sentences
LIVELY, FLAT = "200%", "0%"  # SSML prosody ranges
FADE_S, FADE_TO = 1.0, 0.1  # the trailing side: the last second fades to -20 dB
MIXED_FLAT = (3, 4, 5)  # the mixed clip's flat sentences
WPM = 160


@dataclass
class ProsodyClip:
    id: str
    path: Path
    flat: tuple[float, float] | None = None  # where the flat speech is (mixed clip)


@dataclass
class ProsodyResult:
    id: str
    source: str  # "synthetic" | "real"
    findings: list[dict[str, Any]] = field(default_factory=list)  # voice findings
    pitch_sd_st: float | None = None
    flat_windows: str = ""  # "flat/judged"
    trailing: str = ""  # "trailing/phrases"
    expect: str = ""  # what must hold
    ok: bool = True

    def ids(self) -> list[str]:
        return [f["id"] for f in self.findings]


def speak_ssml(text: str, pitch_range: str) -> np.ndarray:
    from tools.synth import trim
    from voicecoach.audio.io import load_audio

    ssml = f'<speak><prosody range="{pitch_range}">{text}</prosody></speak>'
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-m", "-v", "en-us", "-s", str(WPM), "-w", str(raw),
                        ssml], check=True, capture_output=True, timeout=60)
        return trim(load_audio(raw).samples)


def fade_end(samples: np.ndarray) -> np.ndarray:
    from voicecoach.model import SAMPLE_RATE

    n = min(len(samples), int(FADE_S * SAMPLE_RATE))
    out = samples.copy()
    out[len(out) - n:] *= np.linspace(1.0, FADE_TO, n, dtype=np.float32)
    return out


def build_clip(name: str, ranges: list[str], fade: bool = False) -> ProsodyClip:
    """SENTENCES said with `ranges[i]`, GAP_S apart, cached in the corpus cache."""
    from voicecoach.audio.io import save_wav
    from voicecoach.model import SAMPLE_RATE

    key = hashlib.sha256(json.dumps([SENTENCES, ranges, fade, GAP_S, FADE_S, FADE_TO, WPM]
                                    ).encode()).hexdigest()[:12]
    wav, meta = CACHE_DIR / f"prosody-{name}.wav", CACHE_DIR / f"prosody-{name}.json"
    if wav.exists() and meta.exists() and json.loads(meta.read_text()).get("key") == key:
        flat = json.loads(meta.read_text())["flat"]
        return ProsodyClip(name, wav, tuple(flat) if flat else None)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    pieces, t, flat_times = [gap], GAP_S, []
    for text, pitch_range in zip(SENTENCES, ranges):
        said = speak_ssml(text, pitch_range)
        if fade:
            said = fade_end(said)
        if pitch_range == FLAT:
            flat_times.append((t, t + len(said) / SAMPLE_RATE))
        pieces += [said, gap]
        t += (len(said) + len(gap)) / SAMPLE_RATE
    save_wav(wav, np.concatenate(pieces))
    flat = (flat_times[0][0], flat_times[-1][1]) if flat_times else None
    meta.write_text(json.dumps({"key": key, "flat": flat}))
    return ProsodyClip(name, wav, flat)


def synthetic_clips() -> dict[str, ProsodyClip]:
    n = len(SENTENCES)
    mixed = [FLAT if i in MIXED_FLAT else LIVELY for i in range(n)]
    return {
        "flat": build_clip("flat", [FLAT] * n),
        "lively": build_clip("lively", [LIVELY] * n),
        "mixed": build_clip("mixed", mixed),
        "fading": build_clip("fading", [LIVELY] * n, fade=True),
        "steady": build_clip("steady", [LIVELY] * n),
    }


def voice_findings(report: Any) -> list[dict[str, Any]]:
    return [{"id": f.id, "start": f.start, "end": f.end} for f in report.findings
            if f.category == "voice"]


def result(clip_id: str, source: str, report: Any) -> ProsodyResult:
    p = report.extra.get("prosody") or {}
    w, loud = p.get("windows") or {}, p.get("loudness") or {}
    return ProsodyResult(clip_id, source, voice_findings(report),
                         (p.get("pitch") or {}).get("sd_st"),
                         f"{w.get('flat', 0)}/{w.get('judged', 0)}",
                         f"{len(loud.get('trailing') or [])}/{loud.get('phrases', 0)}")


def judge(results: dict[str, ProsodyResult], clips: dict[str, ProsodyClip]) -> None:
    """Set `expect` and `ok` on each synthetic result (the pairs' rules)."""
    def has(r: str, finding: str) -> bool:
        return finding in results[r].ids()

    rules = {
        "flat": ("monotone", has("flat", "monotone")),
        "lively": ("no monotone", not has("lively", "monotone")),
        "fading": ("trailing-off", has("fading", "trailing-off")),
        "steady": ("no trailing-off", not has("steady", "trailing-off")),
    }
    flat = clips["mixed"].flat
    hits = [f for f in results["mixed"].findings if f["id"] == "monotone"]
    # At the right time: every monotone finding overlaps the flat sentences, and one
    # covers most of them (windows are 10 s, so edges may spill a few seconds).
    right = bool(hits) and flat is not None and all(
        f["start"] < flat[1] and f["end"] > flat[0] for f in hits) and any(
        min(f["end"], flat[1]) - max(f["start"], flat[0]) >= 0.6 * (flat[1] - flat[0])
        for f in hits)
    where = f"{flat[0]:.1f}-{flat[1]:.1f} s" if flat else "?"
    rules["mixed"] = (f"monotone on the flat {where} only", right)
    for name, (expect, ok) in rules.items():
        results[name].expect, results[name].ok = expect, ok


def run(engine: Any, settings: Any, real: list[tuple[str, Path]] = (),
        log: Any = None) -> list[ProsodyResult]:
    """Score the synthetic pairs and the real clips; every result says if it holds."""
    from voicecoach.pipeline import score_file

    clips = synthetic_clips()
    out: dict[str, ProsodyResult] = {}
    for name, clip in clips.items():
        out[name] = result(name, "synthetic", score_file(clip.path, engine, settings))
        if log:
            log(f"validate: prosody {name}: {out[name].ids()}")
    judge(out, clips)
    results = list(out.values())
    for clip_id, path in real:
        r = result(clip_id, "real", score_file(path, engine, settings))
        r.expect, r.ok = "no monotone", "monotone" not in r.ids()
        results.append(r)
    return results


def format_table(results: list[ProsodyResult]) -> str:
    lines = ["| clip | source | pitch SD (st) | flat windows | trailing ends | voice findings "
             "| expected | holds |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        found = ", ".join(f"{f['id']} {f['start']:.1f}-{f['end']:.1f} s" for f in r.findings)
        sd = "–" if r.pitch_sd_st is None else f"{r.pitch_sd_st:.2f}"
        lines.append(f"| {r.id} | {r.source} | {sd} | {r.flat_windows} | {r.trailing} | "
                     f"{found or 'none'} | {r.expect} | {'yes' if r.ok else 'NO'} |")
    return "\n".join(lines)
