"""The labeled corpus: synthetic clips built from tests/corpus/fillers.toml, real ones
from tests/corpus/real.toml (see `tools.validate.real`).

A synthetic clip's audio is synthesized with espeak-ng and flite voices into
tests/.cache/corpus/ (git-ignored), so every filler and inserted pause has an exact,
known time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import tomllib

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "tests" / "corpus"
CACHE_DIR = REPO / "tests" / ".cache" / "corpus"

TARGET_PAUSE_S = 1.0
JOIN_GAP_S = 0.08  # between speech pieces: bridged by the VAD, like a breath-free join


@dataclass(frozen=True)
class Label:
    kind: str  # "filled_pause" | "discourse" | "pause"
    text: str
    start: float
    end: float


@dataclass
class LabeledClip:
    id: str
    voice: str  # the synthetic voice, or "real"
    path: Path
    text: str  # reference words for WER, fillers excluded
    labels: list[Label]  # timed fillers and pauses
    speech_start: float
    speech_end: float
    heldout: bool = False  # never used to tune anything (tests/corpus/fillers.toml)
    said: str = ""  # everything said, in order, fillers and placeholders included
    untimed_filled: int = 0  # filled pauses the transcript has but no time for
    judge_fillers: bool = True  # False: the transcript leaves fillers out
    pauses_known: bool = True  # False: no timing to say a reported pause is false
    quick: bool = False

    @property
    def group(self) -> str:
        return "real" if self.voice == "real" else "synthetic"

    @property
    def fillers(self) -> list[Label]:
        return [x for x in self.labels if x.kind != "pause"]

    @property
    def filled(self) -> list[Label]:
        return [x for x in self.labels if x.kind == "filled_pause"]

    @property
    def pauses(self) -> list[Label]:
        return [x for x in self.labels if x.kind == "pause" and
                x.end - x.start >= TARGET_PAUSE_S]

    @property
    def true_wpm(self) -> float:
        """Words per minute over the labeled speaking span; 0 when there is none."""
        span = self.speech_end - self.speech_start
        if span <= 0:
            return 0.0
        words = len(self.text.split()) + sum(1 for f in self.fillers if f.kind == "discourse")
        return words / span * 60


def load_toml(name: str) -> dict:
    return tomllib.loads((CORPUS_DIR / name).read_text(encoding="utf-8"))


def _gap(key: str, lo: float = 0.06, hi: float = 0.22) -> float:
    """A deterministic pseudo-random short silence around a filler."""
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return lo + (hi - lo) * h


def said_text(parts: list) -> str:
    """Every word of a clip's parts in order: speech, filled pauses, discourse fillers."""
    out = []
    for part in parts:
        if isinstance(part, str):
            body = part[1:-1] if part.startswith("{") and part.endswith("}") else part
            out.append(body.removeprefix("d:"))
    return " ".join(out)


def synthesize(clip_id: str, parts: list, voice: str) -> LabeledClip:
    """Build (or reuse from the cache) one clip and its labels."""
    from tools.synth import speak
    from voicecoach.asr.base import SAMPLE_RATE
    from voicecoach.audio.io import save_wav

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(json.dumps([parts, voice, JOIN_GAP_S]).encode()).hexdigest()[:12]
    stem = f"{clip_id}-{voice.replace(':', '_')}"
    wav, meta = CACHE_DIR / f"{stem}.wav", CACHE_DIR / f"{stem}.json"
    if wav.exists() and meta.exists():
        stored = json.loads(meta.read_text())
        if stored.get("key") == key:
            return LabeledClip(stored["id"], voice, wav, stored["text"],
                               [Label(**x) for x in stored["labels"]],
                               stored["speech_start"], stored["speech_end"],
                               said=said_text(parts))
    pieces: list[np.ndarray] = []
    labels: list[Label] = []
    text: list[str] = []
    t = 0.0
    first_speech = last_speech = None

    def add(samples: np.ndarray) -> tuple[float, float]:
        nonlocal t
        start = t
        pieces.append(samples.astype(np.float32))
        t += len(samples) / SAMPLE_RATE
        return start, t

    def silence(seconds: float) -> tuple[float, float]:
        return add(np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32))

    for i, part in enumerate(parts):
        if isinstance(part, (int, float)):
            a, b = silence(float(part))
            labels.append(Label("pause", "", round(a, 3), round(b, 3)))
            continue
        if part.startswith("{") and part.endswith("}"):
            body = part[1:-1]
            kind, word = ("discourse", body[2:]) if body.startswith("d:") else \
                ("filled_pause", body)
            silence(_gap(f"{clip_id}{i}a"))
            a, b = add(speak(word, voice))
            silence(_gap(f"{clip_id}{i}b"))
            labels.append(Label(kind, word, round(a, 3), round(b, 3)))
        else:
            if pieces and not isinstance(parts[i - 1], (int, float)) and \
                    not str(parts[i - 1]).startswith("{"):
                silence(JOIN_GAP_S)
            a, b = add(speak(part, voice))
            text.append(part)
        first_speech = a if first_speech is None else first_speech
        last_speech = b
    silence(0.5)  # the recording does not stop on the last syllable
    save_wav(wav, np.concatenate(pieces))
    clip = LabeledClip(clip_id, voice, wav, " ".join(text), labels,
                       round(first_speech or 0.0, 3), round(last_speech or 0.0, 3),
                       said=said_text(parts))
    meta.write_text(json.dumps({"key": key, "id": clip_id, "text": clip.text,
                                "labels": [asdict(x) for x in labels],
                                "speech_start": clip.speech_start,
                                "speech_end": clip.speech_end}))
    return clip


def filler_clips(quick: bool, voices: list[str] | None = None) -> list[LabeledClip]:
    spec = load_toml("fillers.toml")
    chosen = voices or (spec["quick_voices"] if quick else spec["voices"])
    return [replace(synthesize(c["id"], c["parts"], v), heldout=c.get("heldout", False),
                    quick=bool(c.get("quick")))
            for c in spec["clip"] if c.get("quick") or not quick
            for v in chosen]
