"""Latency benchmark: from pressing stop to the full report, batch versus streaming.

Each answer is replayed through the real recording pipeline (`Recorder` fed by a
`FileSource`, at real-time pace for streaming) and, for the same clip, each mode runs
in its own process so its peak RSS is its own:

* batch: nothing happens while recording; at stop, `pipeline.score_file` on the saved
  take (what the app did before streaming). The replay is not paced for batch, since
  no work overlaps it; `--paced-batch` paces it anyway.
* stream: `StreamingTranscriber.feed` is the recorder's `on_block` hook; at stop,
  `finish_report` on the take.

The engine is loaded once and warmed up on the first seconds of the clip before the
take (the app loads it once per session). Also measured: the TUI's cold start to its
first interactive frame, and with `--soak`, a long recording from a PulseAudio virtual
microphone with streaming running, to count PortAudio input overflows.

Run: `python -m tools.bench_latency [--clip FILE] [--quick] [--soak [MINUTES]]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE

ENGINES = ("openai-whisper", "faster-whisper")
MODES = ("batch", "stream")
STOP_AFTER_S = 1.0  # silence between the last word and the stop key, in the built clips
TICK_S = 0.05  # the stand-in UI timer: 20 frames per second


@dataclass
class Result:
    clip: str
    mode: str
    engine: str
    audio_s: float
    latency_s: float  # stop pressed -> full report in hand
    engine_s: float  # time inside engine.transcribe over the whole take
    calls: int  # engine calls
    rtf: float  # engine_s / audio_s
    peak_rss_mb: float
    tick_late_max_ms: float  # worst lateness of a 20 Hz timer thread while recording
    feed_max_ms: float  # slowest on_block call (streaming only)
    overflows: int
    last_chunk: str  # streaming: how the last chunk was done at stop
    load_avg: float  # 1-minute load average when the take ended (shared machines)
    text: str
    # streaming: (seconds after the stop key, kind, start, end, engine seconds) per call
    events: list[tuple[float, str, float, float, float]]


# -- clips -------------------------------------------------------------------------------


def build_clips(workdir: Path, quick: bool) -> list[tuple[str, Path]]:
    """A ~90 s and a ~5 min synthesized answer (or a ~30 s one with --quick).

    Each ends with STOP_AFTER_S of silence: the moment the speaker reaches for the stop
    key. Cached in `workdir` across runs.
    """
    from tools.synth import SAMPLE_ANSWER

    workdir.mkdir(parents=True, exist_ok=True)
    if quick:
        return [("30 s", _clip(workdir / "answer-30s.wav", [(SAMPLE_ANSWER[:7], "espeak", 165)]))]
    five_min = [(SAMPLE_ANSWER, "espeak", 165), (SAMPLE_ANSWER, "flite", 165),
                (SAMPLE_ANSWER, "espeak", 150), (SAMPLE_ANSWER[:6], "flite", 165)]
    return [("90 s", _clip(workdir / "answer-90s.wav", [(SAMPLE_ANSWER, "espeak", 165)])),
            ("5 min", _clip(workdir / "answer-5min.wav", five_min))]


def without_stop_pause(clip: Path) -> Path:
    """`clip` minus its last STOP_AFTER_S: the stop key pressed on the last word."""
    from voicecoach.audio.io import load_audio, save_wav

    out = clip.with_name(clip.stem + "-stop-at-last-word.wav")
    if not out.exists():
        samples = load_audio(clip).samples
        save_wav(out, samples[: len(samples) - int(STOP_AFTER_S * SAMPLE_RATE)])
    return out


def _clip(path: Path, parts: list[tuple[list, str, int]]) -> Path:
    if path.exists():
        return path
    from tools.synth import build_answer
    from voicecoach.audio.io import save_wav

    pieces = []
    for i, (sentences, voice, wpm) in enumerate(parts):
        lead = 1.0 if i == 0 else 1.5  # think time first, then a pause between sections
        samples, _ = build_answer(list(sentences), voice=voice, wpm=wpm, lead_s=lead)
        pieces.append(samples)
    pieces.append(np.zeros(int(STOP_AFTER_S * SAMPLE_RATE), dtype=np.float32))
    save_wav(path, np.concatenate(pieces))
    return path


# -- one mode, in this process -------------------------------------------------------------


class _TimedEngine:
    """The loaded engine, with the time spent in it counted."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.name, self.model = engine.name, engine.model
        self.seconds = 0.0
        self.calls = 0

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list:
        started = time.perf_counter()
        try:
            return self._engine.transcribe(samples, offset)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


class _Ticker:
    """A 20 Hz timer thread standing in for the UI's meter and clock: how late is it?"""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        due = time.perf_counter() + TICK_S
        while not self._stop.wait(max(0.0, due - time.perf_counter())):
            self.late.append(max(0.0, time.perf_counter() - due))
            due += TICK_S


LAST_CHUNK = {
    "speculative": "ready (speculated in a pause)",
    "final": "decoded while speaking",
    "stop": "decoded at stop",
}


def bench_settings(engine_name: str, filler_prompt: str = "default") -> Any:
    """The app's default settings for `engine_name`, the filler prompt as asked."""
    from voicecoach.config import Settings

    settings = Settings(engine=engine_name)
    if filler_prompt != "default":
        settings.filler_prompt = filler_prompt == "on"
    return settings


def measure(mode: str, engine_name: str, clip: Path, paced_batch: bool = False,
            filler_prompt: str = "default") -> Result:
    """Record `clip` through the Recorder and time stop -> report, in this process."""
    from voicecoach.asr.models import load_engine
    from voicecoach.audio.io import Audio, load_audio
    from voicecoach.audio.recorder import Recorder
    from voicecoach.audio.sources import FileSource
    from voicecoach.pipeline import score_audio, score_file, transcribe_options
    from voicecoach.streaming import StreamingTranscriber

    settings = bench_settings(engine_name, filler_prompt)
    loaded = load_engine(engine_name, settings.model, transcribe_options(settings))
    audio = load_audio(clip)
    score_audio(Audio(audio.samples[: 6 * SAMPLE_RATE]), loaded, settings)  # warm-up
    engine = _TimedEngine(loaded)

    feed_max = 0.0
    streamer = StreamingTranscriber(engine, settings) if mode == "stream" else None

    def on_block(samples: np.ndarray, start_s: float) -> None:
        nonlocal feed_max
        started = time.perf_counter()
        assert streamer is not None
        streamer.feed(samples, start_s)
        feed_max = max(feed_max, time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as tmp:
        source = FileSource(clip, realtime=mode == "stream" or paced_batch)
        recorder = Recorder(Path(tmp) / "take.wav", source,
                            on_block=on_block if streamer else None)
        with _Ticker() as ticker:
            recorder.start()
            while not recorder.source_finished and not recorder.error:
                time.sleep(0.002)
            stopped = time.perf_counter()  # the stop key
            stopped_clock = time.monotonic()
            saved = recorder.stop()
            if streamer is not None:
                report = streamer.finish_report(Audio(streamer.samples(), path=saved))
            else:
                report = score_file(saved, engine, settings)
            latency = time.perf_counter() - stopped
        if streamer is not None:
            streamer.close()  # a call the stop no longer needed may still be running
        if recorder.error or recorder.hook_error:
            raise RuntimeError(recorder.error or recorder.hook_error)
    last, events = "—", []
    if streamer is not None:
        done = [e[1] for e in streamer.stats.events if e[1] in LAST_CHUNK]
        last = LAST_CHUNK[done[-1]] if done else "—"
        events = [(round(t - stopped_clock, 3), kind, round(a, 2), round(b, 2), round(s, 3))
                  for t, kind, a, b, s in streamer.stats.events]
    return Result(
        clip=clip.name, mode=mode, engine=engine_name, audio_s=report.duration_s,
        latency_s=latency, engine_s=engine.seconds, calls=engine.calls,
        rtf=engine.seconds / report.duration_s, peak_rss_mb=_peak_rss_mb(),
        tick_late_max_ms=1000 * max(ticker.late, default=0.0), feed_max_ms=1000 * feed_max,
        overflows=recorder.overflows, last_chunk=last, load_avg=os.getloadavg()[0],
        text=report.text, events=events)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- cold start ------------------------------------------------------------------------


def cold_start(runs: int = 3, marker: bytes = b"Categories", timeout_s: float = 30.0
               ) -> list[float]:
    """Seconds from launching `python -m voicecoach` in a terminal to its home screen.

    The TUI runs in a pseudo-terminal (120x40) with empty config and data directories,
    as on a first run; the clock stops when the home screen's text is drawn.
    """
    import fcntl
    import pty
    import select
    import signal
    import struct
    import termios

    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, TERM="xterm-256color",
                       VOICECOACH_CONFIG_DIR=f"{home}/config",
                       VOICECOACH_DATA_DIR=f"{home}/data")
            started = time.perf_counter()
            pid, fd = pty.fork()
            if pid == 0:  # the child: become the app
                os.execve(sys.executable, [sys.executable, "-m", "voicecoach"], env)
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            seen, ready = b"", None
            while ready is None and time.perf_counter() - started < timeout_s:
                if select.select([fd], [], [], 0.05)[0]:
                    try:
                        seen += os.read(fd, 65536)
                    except OSError:
                        break
                    if marker in seen:
                        ready = time.perf_counter() - started
            try:
                os.write(fd, b"\x11")  # ctrl+q
                time.sleep(0.5)
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
            if ready is None:
                raise RuntimeError("the TUI did not show its home screen")
            times.append(ready)
    return times


# -- soak: a long take from a (virtual) microphone ---------------------------------------


SOAK_SINK = "voicecoach_bench_soak"


def soak_clip(minutes: float, clip: Path) -> Path:
    """`clip` repeated to `minutes` (built by the parent: not in the child's peak RSS)."""
    from voicecoach.audio.io import load_audio, save_wav

    out = clip.with_name(f"{clip.stem}-{minutes:g}min.wav")
    if not out.exists():
        samples = load_audio(clip).samples
        repeats = int(np.ceil(minutes * 60 * SAMPLE_RATE / len(samples)))
        save_wav(out, np.tile(samples, repeats)[: int(minutes * 60 * SAMPLE_RATE)])
    return out


def soak(long_clip: Path, sink: str = SOAK_SINK,
         engine_name: str = "faster-whisper") -> dict[str, Any]:
    """Record from the default input while `paplay` plays `long_clip`; count overflows.

    Runs with PULSE_SOURCE set to the monitor of `sink`, a PulseAudio null sink of its
    own, so `paplay -d sink` speaks into this recording only (not into other tests'
    virtual microphone).
    """
    from voicecoach.asr.models import load_engine
    from voicecoach.audio.io import Audio
    from voicecoach.audio.recorder import Recorder
    from voicecoach.audio.sources import MicrophoneSource
    from voicecoach.pipeline import transcribe_options
    from voicecoach.streaming import StreamingTranscriber

    settings = bench_settings(engine_name)
    engine = load_engine(engine_name, settings.model, transcribe_options(settings))
    with tempfile.TemporaryDirectory() as tmp:
        streamer = StreamingTranscriber(engine, settings)
        recorder = Recorder(Path(tmp) / "take.wav", MicrophoneSource(),
                            on_block=streamer.feed)
        recorder.start()
        if not recorder.wait_for_audio(10.0):
            recorder.stop()
            raise RuntimeError("the virtual microphone delivered no audio")
        player = subprocess.Popen(["paplay", "-d", sink, str(long_clip)])
        with _Ticker() as ticker:
            while player.poll() is None and not recorder.error:
                time.sleep(0.05)
            time.sleep(1.0)  # the tail still in PulseAudio's buffers
            stopped = time.perf_counter()
            saved = recorder.stop()
            report = streamer.finish_report(Audio(streamer.samples(), path=saved))
            latency = time.perf_counter() - stopped
        streamer.close()
        if player.poll() is None:
            player.terminate()
        return {"minutes": recorder.elapsed_s / 60, "overflows": recorder.overflows,
                "error": recorder.error, "latency_s": latency,
                "words": report.metrics.word_count, "engine_s": streamer.stats.busy_s,
                "peak_rss_mb": _peak_rss_mb(),
                "tick_late_max_ms": 1000 * max(ticker.late, default=0.0)}


# -- the whole run -------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh process (its own peak RSS); return its JSON."""
    out = subprocess.run([sys.executable, "-m", "tools.bench_latency", *args],
                         capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parents[1],  # where `tools` imports from
                         env={**os.environ, **(env or {})})
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(args)} failed: {' | '.join(tail)}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_table(rows: list[dict[str, Any]]) -> str:
    from tools.wer import word_error_rate

    batch_text = {(r["clip"], r["engine"]): r["text"] for r in rows if r["mode"] == "batch"}
    head = ("| answer | mode | engine | stop → report | real-time factor | engine calls "
            "| peak RSS | WER vs batch | last chunk at stop | timer late (max) | load |")
    lines = [head, "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in rows:
        reference = batch_text.get((r["batch_of"], r["engine"]))
        wer = ("—" if r["mode"] == "batch" or reference is None
               else f"{100 * word_error_rate(reference, r['text']):.1f} %")
        lines.append(
            f"| {r['label']} ({r['audio_s']:.0f} s) | {r['mode']} | {r['engine']} "
            f"| {r['latency_s']:.2f} s | {r['rtf']:.3f} | {r['calls']} "
            f"| {r['peak_rss_mb']:.0f} MB | {wer} | {r['last_chunk']} "
            f"| {r['tick_late_max_ms']:.0f} ms | {r['load_avg']:.1f} |")
    return "\n".join(lines)


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Stop -> report of batch openai-whisper over streaming, per clip and engine."""
    out = []
    for label in dict.fromkeys(r["label"] for r in rows):
        base = next((r for r in rows if r["clip"] == r["batch_of"] and r["mode"] == "batch"
                     and r["engine"] == "openai-whisper" and label.startswith(r["label"])),
                    None)
        for r in rows:
            if r["label"] == label and r["mode"] == "stream" and base is not None:
                out.append(f"{label}: streaming {r['engine']} is "
                           f"{base['latency_s'] / max(r['latency_s'], 1e-3):.0f}x faster than "
                           f"batch openai-whisper ({r['latency_s']:.2f} s vs "
                           f"{base['latency_s']:.2f} s)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_latency",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip", type=Path, help="an answer to replay instead of the "
                        "synthesized ~90 s and ~5 min ones")
    parser.add_argument("--quick", action="store_true", help="one ~30 s answer only")
    parser.add_argument("--engine", choices=ENGINES, action="append",
                        help="only this engine (repeatable)")
    parser.add_argument("--mode", choices=MODES, action="append", help="only this mode")
    parser.add_argument("--paced-batch", action="store_true",
                        help="replay batch takes at real-time pace too")
    parser.add_argument("--worst-case", action="store_true",
                        help="also stream each answer with the stop pressed on its last "
                             "word (faster-whisper)")
    parser.add_argument("--filler-prompt", choices=("default", "on", "off"),
                        default="default", help="decode with the filler prompt (default: "
                        "as the app's settings say)")
    parser.add_argument("--no-cold-start", action="store_true")
    parser.add_argument("--soak", type=float, nargs="?", const=10.0, metavar="MINUTES",
                        help="also record MINUTES (default 10) from the virtual microphone")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "voicecoach-bench")
    parser.add_argument("--json", type=Path, help="also write all results here")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "ENGINE", "CLIP"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--soak-child", metavar="CLIP", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        mode, engine, clip = args.child
        print(json.dumps(asdict(measure(mode, engine, Path(clip), args.paced_batch,
                                        args.filler_prompt))))
        return 0
    if args.soak_child:
        print(json.dumps(soak(Path(args.soak_child))))
        return 0

    engines = args.engine or list(ENGINES)
    modes = args.mode or list(MODES)
    if "openai-whisper" in engines:  # a one-time conversion is not part of any timing
        from voicecoach.asr.models import resolve_openai

        resolve_openai("tiny.en")
    clips = ([(args.clip.stem, args.clip)] if args.clip
             else build_clips(args.workdir, args.quick))
    runs = [(label, clip, clip, mode, engine)
            for label, clip in clips for mode in modes for engine in engines]
    if args.worst_case:  # its own batch reference: the audio is 1 s shorter
        for label, clip in clips:
            trimmed = without_stop_pause(clip)
            runs += [(f"{label}, stop on last word", trimmed, trimmed, mode, "faster-whisper")
                     for mode in ("batch", "stream")]
    rows: list[dict[str, Any]] = []
    for label, clip, batch_of, mode, engine in runs:
        print(f"{label}: {mode} {engine} ...", file=sys.stderr, flush=True)
        extra = ["--filler-prompt", args.filler_prompt]
        extra += ["--paced-batch"] if args.paced_batch else []
        row = run_child(["--child", mode, engine, str(clip), *extra])
        row.update(label=label, batch_of=batch_of.name)
        rows.append(row)
        print(f"  stop -> report {row['latency_s']:.2f} s", file=sys.stderr)
    settings = bench_settings(engines[0], args.filler_prompt)
    print(f"tiny.en, beam {settings.beam_size}, "
          f"filler prompt {'on' if settings.filler_prompt else 'off'}; "
          f"{os.cpu_count()} CPU cores")
    print(format_table(rows))
    for line in ratios(rows):
        print(line)
    results: dict[str, Any] = {"rows": rows}
    if not args.no_cold_start:
        times = cold_start()
        results["cold_start_s"] = times
        print(f"TUI cold start to the home screen: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    if args.soak:
        results["soak"] = _run_soak(args.soak, clips[-1][1])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def _run_soak(minutes: float, clip: Path) -> dict[str, Any]:
    """Start PulseAudio (the project's virtual-mic script), add a null sink of our own,
    record from its monitor in a child process, and remove the sink again."""
    script = Path(__file__).resolve().parents[1] / "scripts" / "virtual-mic.sh"
    if script.exists() and subprocess.run([str(script)], check=False).returncode != 0:
        raise SystemExit("soak: PulseAudio is not available")
    if shutil.which("paplay") is None or shutil.which("pactl") is None:
        raise SystemExit("soak: paplay/pactl not found (apt-get install pulseaudio-utils)")
    module = subprocess.run(["pactl", "load-module", "module-null-sink",
                             f"sink_name={SOAK_SINK}"], capture_output=True, text=True,
                            check=True).stdout.strip()
    print(f"soak: recording {minutes:g} min from a virtual microphone ...", file=sys.stderr)
    try:
        result = run_child(["--soak-child", str(soak_clip(minutes, clip))],
                           env={"PULSE_SOURCE": f"{SOAK_SINK}.monitor"})
    finally:
        subprocess.run(["pactl", "unload-module", module], check=False)
    print(f"soak: {result['minutes']:.1f} min recorded, {result['overflows']} input "
          f"overflows, stop -> report {result['latency_s']:.2f} s, peak RSS "
          f"{result['peak_rss_mb']:.0f} MB, timer late (max) {result['tick_late_max_ms']:.0f} ms"
          + (f", error: {result['error']}" if result["error"] else ""))
    return result


if __name__ == "__main__":
    raise SystemExit(main())
