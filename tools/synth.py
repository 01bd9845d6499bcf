"""Synthetic speech with exactly known timing, for tests, validation and benchmarks.

espeak-ng and flite are Debian packages; each sentence is synthesized, resampled to
16 kHz mono, trimmed of the synthesizer's own leading/trailing silence, and joined
with silences of exact length, so every pause's true start and length is known.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.errors import VoiceCoachError

VOICES = ("espeak", "flite")
_TRIM_LEVEL = 0.01  # amplitude under which the synthesizer's edges count as silence


@dataclass(frozen=True)
class Segment:
    """A piece of the built answer: speech (with its text) or an inserted silence."""

    kind: str  # "speech" | "silence"
    start: float
    end: float
    text: str = ""


def available_voices() -> list[str]:
    return [v for v, exe in (("espeak", "espeak-ng"), ("flite", "flite")) if shutil.which(exe)]


def speak(text: str, voice: str = "espeak", wpm: int = 165) -> np.ndarray:
    """One sentence as 16 kHz mono float32, edge silence trimmed."""
    from voicecoach.audio.io import load_audio

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        if voice == "espeak":
            cmd = ["espeak-ng", "-v", "en-us", "-s", str(wpm), "-w", str(raw), text]
        elif voice.startswith("flite"):
            name = voice.partition(":")[2] or "slt"
            cmd = ["flite", "-voice", name, "-t", text, "-o", str(raw)]
        else:
            raise VoiceCoachError(f"unknown synthetic voice {voice!r}: use espeak or flite")
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.CalledProcessError) as err:
            raise VoiceCoachError(f"{cmd[0]} failed: {err}") from None
        return trim(load_audio(raw).samples)


def trim(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > _TRIM_LEVEL)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def build_answer(parts: list[str | float], voice: str = "espeak", wpm: int = 165,
                 lead_s: float = 0.0) -> tuple[np.ndarray, list[Segment]]:
    """Sentences (str) and silences in seconds (float) joined in order."""
    pieces: list[np.ndarray] = []
    segments: list[Segment] = []
    t = 0.0
    if lead_s:
        parts = [lead_s, *parts]
    for part in parts:
        if isinstance(part, str):
            clip = speak(part, voice, wpm)
            segments.append(Segment("speech", t, t + len(clip) / SAMPLE_RATE, part))
        else:
            clip = np.zeros(int(round(part * SAMPLE_RATE)), dtype=np.float32)
            segments.append(Segment("silence", t, t + len(clip) / SAMPLE_RATE))
        pieces.append(clip)
        t += len(clip) / SAMPLE_RATE
    return np.concatenate(pieces).astype(np.float32), segments


# A ~90 s spoken answer to an ML system design prompt, with deliberate pauses.
SAMPLE_ANSWER: list[str | float] = [
    "Let me structure my answer in three parts: the data, the model, and how we run it.",
    1.2,
    "First, the data. We log clicks and purchases, and labels arrive with a delay of a day.",
    "I would check for leakage, because features computed after the purchase must not be used.",
    0.8,
    "Next, the model. Since latency matters more than a small accuracy gain,",
    "I would start with logistic regression as a baseline and keep the P95 under forty ms.",
    1.5,
    "A gradient boosted model could add a few points, but it costs memory and is harder to"
    " explain, so that is the tradeoff.",
    "The main risk is data drift when the catalog changes.",
    0.7,
    "Then, production. I would deploy behind a canary, monitor the prediction distribution"
    " and the click rate, and alert when they move.",
    "If the model fails, we fall back to the popular items list.",
    2.0,
    "We retrain weekly, or sooner when drift crosses a threshold.",
    "Finally, to summarize: clean data first, a simple fast model, and strong monitoring"
    " with a safe fallback.",
    1.0,
    "I would measure success by the lift in purchases in an online test, not only by offline"
    " accuracy.",
    "Before scaling, I would also ask how many users and requests per second we expect.",
    1.1,
    "One more limitation: new items have no history, so for cold start I would use content"
    " features such as the category and the price.",
    "That keeps the system simple, cheap to run, and easy to debug when something breaks.",
]
