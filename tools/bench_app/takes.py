"""One take through the app, timed from outside (the screen) and inside (the trace).

From the practice screen: wait until the microphone is ready (a person reads the
prompt meanwhile), press `r`, poll every 20 ms until "● REC" shows with audio flowing,
play the answer into the virtual microphone, press `s` the moment playback ends, poll
every 20 ms until the scores are drawn, then press `t` (try again) for the next take.

The app's trace (`voicecoach.trace`, same monotonic clock) splits stop → scores into
its stages. The saved WAV is compared with the clip: where the clip starts in it, how
well every 10 s of it matches (a dropped block would shift the rest), and whether its
beginning or end is missing.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench_app.audiocheck import clip_offset, worst_window_match
from tools.bench_app.clips import Clip
from tools.bench_app.terminal import TerminalApp, VirtualMic
from voicecoach.asr.base import SAMPLE_RATE

# What the benchmark reads on the screen.
# A score row of the result screen (an answer too short to judge has no "overall").
SCORES = re.compile(r"─ Scores ─.*\n.*\b[a-z]+ +[█░]+ +\d+")
ENGINE_READY = re.compile(r"speech model: .*ready")
TABLE = re.compile(r"Prompt\s+Category")


def home_ready(screen: str) -> bool:
    return "Categories" in screen and "Quit" in screen and bool(TABLE.search(screen))


def practice_idle(screen: str) -> bool:
    return "not recording" in screen and "Record" in screen


def mic_and_engine_ready(screen: str) -> bool:
    return practice_idle(screen) and "microphone ready" in screen \
        and bool(ENGINE_READY.search(screen))


def recording(screen: str) -> bool:
    return "● REC" in screen and "waiting for the microphone" not in screen


def scores_drawn(screen: str) -> bool:
    return bool(SCORES.search(screen))


def take_problem(screen: str) -> str | None:
    for marker in ("Could not score", "Recording stopped", "too short to score",
                   "The result was not saved"):
        if marker in screen:
            line = next((ln for ln in screen.splitlines() if marker in ln), marker)
            return line.strip(" │")
    return None


# Points on the stop path (trace event, what is done by then). Some overlap: the last
# decoding starts when the recorder has drained, while the file is finalized and the
# UI records the stop.
STAGES = (
    ("key.stop", "stop key handled by the app"),
    ("rec.source_stopped", "microphone detached"),
    ("rec.drained", "recorder queue drained: last decoding starts"),
    ("rec.finalized", "WAV finalized (fsync, rename)"),
    ("db.recorded", "take row updated (UI)"),
    ("db.scoring", "status 'scoring' stored (UI)"),
    ("score.start", "scoring worker running"),
    ("score.transcribed", "every chunk decoded"),
    ("score.report", "report built (VAD, islands, analysis)"),
    ("db.saved", "report stored, previous take read (worker)"),
    ("ui.scored", "report reaches the UI"),
    ("result.pushed", "result screen pushed"),
    ("screen", "scores seen on the screen"),
)


@dataclass
class Take:
    clip: str
    kind: str
    nominal_s: int
    audio_s: float
    live: bool
    index: int
    ready_s: float = 0.0  # practice screen shown -> microphone ready (hidden by reading)
    rec_s: float = 0.0  # r pressed -> "● REC" on screen with audio flowing
    rec_app_s: float = 0.0  # the same inside the app (key handled -> recorder started)
    stop_s: float = 0.0  # stop pressed -> scores on screen
    stages: dict[str, float] = field(default_factory=dict)  # seconds after the stop key
    decode: dict[str, Any] = field(default_factory=dict)  # streaming stats at stop
    start_offset_s: float = 0.0  # where the clip begins in the recording
    lost_start_s: float = 0.0
    lost_end_s: float = 0.0
    match_min: float = 0.0  # worst 10 s window: normalized correlation clip vs recording
    overflows: int = -1
    peak_rss_mb: float = 0.0  # the app process's peak so far (VmHWM)
    rss_mb: float = 0.0  # its resident memory once the result is shown
    cpu_per_s: float = 0.0  # app CPU seconds per second of recording (all threads)
    ui_cpu_per_s: float = 0.0  # of which the main (UI) thread
    load: float = 0.0  # 1-minute load average at the stop
    live_lag_s: list[float] = field(default_factory=list)  # per word shown live
    error: str | None = None


def open_practice(app: TerminalApp, timeout_s: float = 60.0) -> None:
    """From the home screen to the first prompt's practice screen."""
    app.wait_for(home_ready, timeout_s)
    for _ in range(3):  # the first Enter may only move the focus to the prompt table
        app.press("Enter")
        try:
            app.wait_for(practice_idle, 3.0)
            return
        except TimeoutError:
            continue
    raise RuntimeError("could not open a prompt: " + app.screen())


def one_take(app: TerminalApp, mic: VirtualMic, clip: Clip, trace_path: Path,
             data_dir: Path, index: int, live: bool) -> Take:
    from voicecoach import trace

    take = Take(clip.label, clip.kind, clip.nominal_s, clip.duration_s, live, index)
    shown, _ = app.wait_for(practice_idle, 30.0)
    ready_at, _ = app.wait_for(mic_and_engine_ready, 90.0)
    take.ready_s = ready_at - shown
    time.sleep(0.6)  # the user reads on: the pre-roll is full
    before = len(trace.read(trace_path))

    cpu_before, ui_before = app.cpu_s(), app.cpu_s(main_thread=True)
    pressed = app.press("r")
    seen, _ = app.wait_for(recording, 15.0, fail=_panel_warning)
    take.rec_s = seen - pressed
    player = mic.play(clip.path)
    started_play = time.monotonic()
    while player.poll() is None:
        time.sleep(0.2)
        problem = take_problem(app.screen())
        if problem:
            player.terminate()
            raise RuntimeError(problem)
    if player.returncode != 0:
        raise RuntimeError(f"paplay failed with status {player.returncode}")

    stop = app.press("s")
    take.cpu_per_s = (app.cpu_s() - cpu_before) / max(stop - pressed, 1e-3)
    take.ui_cpu_per_s = (app.cpu_s(main_thread=True) - ui_before) / max(stop - pressed, 1e-3)
    take.load = os.getloadavg()[0]
    seen, _ = app.wait_for(scores_drawn, 300.0, fail=take_problem)
    take.stop_s = seen - stop
    take.peak_rss_mb = app.peak_rss_mb()
    time.sleep(0.3)  # the last trace lines (written after the frame) land
    take.rss_mb = app.rss_mb()
    events = trace.read(trace_path)[before:]
    _read_trace(take, events, stop, seen)
    _check_audio(take, clip, _newest_wav(data_dir))
    if live:
        take.live_lag_s = _live_lag(events, started_play, take.start_offset_s)
    app.press("t")  # try again: back to the practice screen
    return take


def _panel_warning(screen: str) -> str | None:
    line = next((ln for ln in screen.splitlines() if "⚠" in ln), None)
    return line.strip(" │") if line else None


def _read_trace(take: Take, events: list[dict[str, Any]], stop: float, seen: float) -> None:
    first = {}
    for e in events:
        first.setdefault(e["event"], e)
    if "key.record" in first and "rec.started" in first:
        take.rec_app_s = first["rec.started"]["t"] - first["key.record"]["t"]
    for name, _ in STAGES:
        if name == "screen":
            take.stages[name] = seen - stop
        elif name in first:
            take.stages[name] = first[name]["t"] - stop
    if "rec.closed" in first:
        take.overflows = int(first["rec.closed"].get("overflows", -1))
    if "score.transcribed" in first:
        take.decode = {k: v for k, v in first["score.transcribed"].items()
                       if k not in ("t", "event")}


def _newest_wav(data_dir: Path) -> Path | None:
    wavs = sorted((data_dir / "recordings").glob("*.wav"), key=lambda p: p.stat().st_mtime)
    return wavs[-1] if wavs else None


def _check_audio(take: Take, clip: Clip, wav: Path | None) -> None:
    from voicecoach.audio.io import load_audio

    if wav is None:
        take.error = "no recording saved"
        return
    played = load_audio(clip.path).samples
    got = load_audio(wav).samples
    offset = clip_offset(played, got)
    take.start_offset_s = offset / SAMPLE_RATE
    take.lost_start_s = max(0, -offset) / SAMPLE_RATE
    take.lost_end_s = max(0, played.size - (got.size - offset)) / SAMPLE_RATE
    take.match_min = worst_window_match(played, got, offset)


def _live_lag(events: list[dict[str, Any]], started_play: float, offset_s: float
              ) -> list[float]:
    """For each word the live view showed: when it was shown minus when it was said
    (its end, on the clock of the playback; paplay's own start-up counts as lag)."""
    lags = []
    for e in events:
        if e["event"] != "live.words":
            continue
        for end in e.get("ends", []):
            if end >= offset_s:
                lags.append(e["t"] - (started_play + end - offset_s))
    return lags
