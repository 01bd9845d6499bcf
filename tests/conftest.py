"""Shared fixtures: real engines loaded once per session, cached synthetic speech."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from textual.app import App

DATA = Path(__file__).parent / "data"
CACHE = Path(__file__).parent / ".cache"
JFK = DATA / "jfk.wav"
JFK_TEXT = ("And so, my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")


@pytest.fixture(autouse=True, scope="session")
def _private_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep tests away from the real user's settings and takes."""
    base = tmp_path_factory.mktemp("home")
    os.environ.setdefault("VOICECOACH_CONFIG_DIR", str(base / "config"))
    os.environ.setdefault("VOICECOACH_DATA_DIR", str(base / "data"))


@pytest.fixture(scope="session")
def faster_engine():
    from voicecoach.asr.models import load_engine

    return load_engine("faster-whisper", "tiny.en")


@pytest.fixture(scope="session")
def openai_engine():
    from voicecoach.asr.models import load_engine

    return load_engine("openai-whisper", "tiny.en")


def app_engine(name: str):
    """An engine decoding as the app does by default (the filler prompt on)."""
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings
    from voicecoach.pipeline import transcribe_options

    return load_engine(name, "tiny.en", transcribe_options(Settings(engine=name)))


@pytest.fixture(scope="session")
def app_faster_engine():
    return app_engine("faster-whisper")


@pytest.fixture(scope="session")
def app_openai_engine():
    return app_engine("openai-whisper")


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    CACHE.mkdir(exist_ok=True)
    return CACHE


def cached_answer(name: str, parts: list, voice: str = "espeak", wpm: int = 165,
                  lead_s: float = 0.0):
    """Synthesize once into tests/.cache; return (path, segments)."""
    import json

    from tools.synth import Segment, build_answer
    from voicecoach.audio.io import save_wav

    CACHE.mkdir(exist_ok=True)
    wav, labels = CACHE / f"{name}.wav", CACHE / f"{name}.json"
    key = json.dumps([parts, voice, wpm, lead_s])
    if wav.exists() and labels.exists():
        stored = json.loads(labels.read_text())
        if stored["key"] == key:
            return wav, [Segment(**s) for s in stored["segments"]]
    samples, segments = build_answer(parts, voice=voice, wpm=wpm, lead_s=lead_s)
    save_wav(wav, samples)
    labels.write_text(json.dumps({"key": key, "segments": [s.__dict__ for s in segments]}))
    return wav, segments


def small_tmpfs(mount: Path, size: str):
    """Mount a tmpfs of `size` at `mount` (needs root; skips the test otherwise) and
    unmount it afterwards: a disk that fills, or that can be remounted read-only."""
    import subprocess

    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def read_samples(path: Path) -> np.ndarray:
    from voicecoach.audio.io import load_audio

    return load_audio(path).samples


class Host(App[None]):
    """An app that only shows the screen under test (named Host: snapshots show it)."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.screen_under_test = screen

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test)
