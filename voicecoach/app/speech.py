"""Speak a prompt aloud: its own audio file if it ships one, else espeak-ng or flite.

Runs the player as a child process so the UI never waits; `Speaker.stop()` ends it
(recording must not capture the question being read out).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from voicecoach.prompts import Prompt

# Players for a prompt's own audio file, most common first.
PLAYERS = (("paplay", []), ("pw-play", []), ("aplay", ["-q"]), ("afplay", []),
           ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]))


def synthesizer() -> str | None:
    for exe in ("espeak-ng", "espeak", "flite"):
        if shutil.which(exe):
            return exe
    return None


def player() -> list[str] | None:
    for exe, args in PLAYERS:
        if shutil.which(exe):
            return [exe, *args]
    return None


def speak_command(prompt: Prompt) -> list[str] | None:
    """The command that reads `prompt` aloud here, or None if nothing can."""
    audio: Path | None = prompt.audio
    play = player()
    if audio is not None and audio.exists() and play:
        return [*play, str(audio)]
    exe = synthesizer()
    if exe is None:
        return None
    if exe == "flite":
        return [exe, "-t", prompt.text]
    return [exe, "-s", "160", prompt.text]


def can_speak(prompt: Prompt) -> bool:
    return speak_command(prompt) is not None


class Speaker:
    """At most one prompt being spoken at a time."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def speaking(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def say(self, prompt: Prompt) -> str | None:
        """Start speaking; returns an error line, or None when it started."""
        self.stop()
        cmd = speak_command(prompt)
        if cmd is None:
            return "no speech synthesizer: install espeak-ng or flite to hear prompts"
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
        except OSError as err:
            return f"cannot run {cmd[0]}: {err.strerror or err}"
        return None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()
