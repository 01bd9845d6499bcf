"""The answers the app-driving benchmark plays into the virtual microphone.

Continuous answers that end on their last word (the stop key is pressed the moment
playback ends, so nothing after the last word gives the app a head start):

* synthetic: the sample answer's sentences, flite then espeak-ng in turns, joined by
  short 0.25 s breaths (no long pauses for the streaming transcriber to catch up in),
  repeated until the answer is as long as asked;
* real: the recorded monologues in `audio/real/` (a person, with fillers and natural
  pauses) looped, cut at the end of the speech region nearest the asked length.

Built once and cached in the work directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE

BREATH_S = 0.25  # between sentences of a continuous answer
LEAD_S = 0.5  # silence before the first word: the speaker starts after seeing REC
REAL_CLIPS = ("mfa_acoustic_corpus_monologue.wav", "mfa_cold_corpus_monologue.wav",
              "livekit_long_stt_irl.wav")
SYNTH_VOICES = ("flite", "espeak")


@dataclass(frozen=True)
class Clip:
    kind: str  # "synthetic" | "real"
    nominal_s: int  # the length asked for
    path: Path
    duration_s: float

    @property
    def label(self) -> str:
        return f"{length_label(self.nominal_s)} {self.kind}"


def length_label(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


def build(kind: str, nominal_s: int, workdir: Path, real_dir: Path) -> Clip:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{kind}-{nominal_s}s.wav"
    if not path.exists():
        samples = (_synthetic(nominal_s, workdir) if kind == "synthetic"
                   else _real(nominal_s, real_dir))
        from voicecoach.audio.io import save_wav

        lead = np.zeros(int(LEAD_S * SAMPLE_RATE), dtype=np.float32)
        save_wav(path, np.concatenate([lead, samples]))
    from voicecoach.audio.io import load_audio

    duration = load_audio(path).samples.size / SAMPLE_RATE
    return Clip(kind, nominal_s, path, duration)


def _synthetic(nominal_s: int, workdir: Path) -> np.ndarray:
    from tools.synth import SAMPLE_ANSWER, speak

    sentences = [s for s in SAMPLE_ANSWER if isinstance(s, str)]
    breath = np.zeros(int(BREATH_S * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    total = 0.0
    i = 0
    while True:
        voice = SYNTH_VOICES[(i // len(sentences)) % len(SYNTH_VOICES)]
        clip = _cached_speech(sentences[i % len(sentences)], voice, workdir, speak)
        longer = total + clip.size / SAMPLE_RATE
        # Stop at the sentence end nearest the asked length.
        if pieces and abs(longer - nominal_s) > abs(total - nominal_s):
            break
        if pieces:
            pieces.append(breath)
        pieces.append(clip)
        total = longer + BREATH_S
        i += 1
    return np.concatenate(pieces)


def _cached_speech(text: str, voice: str, workdir: Path, speak: object) -> np.ndarray:
    import hashlib

    from voicecoach.audio.io import load_audio, save_wav

    key = hashlib.sha1(f"{voice}:{text}".encode()).hexdigest()[:12]
    path = workdir / "sentences" / f"{voice}-{key}.wav"
    if path.exists():
        return load_audio(path).samples
    samples = speak(text, voice)  # type: ignore[operator]
    path.parent.mkdir(parents=True, exist_ok=True)
    save_wav(path, samples)
    return samples


def _real(nominal_s: int, real_dir: Path) -> np.ndarray:
    from tools.synth import trim
    from voicecoach.audio.io import load_audio
    from voicecoach.audio.vad import speech_regions

    sources = [real_dir / name for name in REAL_CLIPS if (real_dir / name).exists()]
    if not sources:
        raise SystemExit(f"no real recordings in {real_dir} (expected {', '.join(REAL_CLIPS)})")
    pieces = [trim(load_audio(p).samples) for p in sources]
    gap = np.zeros(int(0.4 * SAMPLE_RATE), dtype=np.float32)
    joined: list[np.ndarray] = []
    total = 0
    while total < (nominal_s + 20) * SAMPLE_RATE:
        for piece in pieces:
            joined += [piece, gap]
            total += piece.size + gap.size
    samples = np.concatenate(joined)
    ends = [r.end for r in speech_regions(samples)]
    end = min(ends, key=lambda e: abs(e - nominal_s))
    return trim(samples[: int(end * SAMPLE_RATE)])
