"""Benchmark through the app itself: real TUI, real terminal, real microphone path.

    python -m tools.bench_app                          # full run, ~90 min
    python -m tools.bench_app --lengths 30 --takes 2   # a quick subset
    python -m tools.bench_app --write-doc              # also update docs/performance.md

voicecoach runs in tmux (a server of its own) with private HOME/XDG/data/config
directories, recording through PortAudio -> ALSA -> PulseAudio from a null sink of
the benchmark's own; answers are played into it with `paplay`. Per take it measures
`r` -> "● REC" with audio flowing, and the stop key (pressed the moment playback
ends, on the last word) -> the scores drawn, polling the screen every 20 ms; the
app's trace (VOICECOACH_TRACE) splits the stop path into stages. Also: cold start to
the home frame, the live transcript's lag (setting on), peak RSS over a 10 min take,
input overflows. The machine's 1-minute load average is printed with every number:
on a shared machine, read them with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tools.bench_app import clips as clip_builder
from tools.bench_app.report import render, write_doc
from tools.bench_app.takes import Take, home_ready, one_take, open_practice
from tools.bench_app.terminal import ROOT, TerminalApp, VirtualMic, app_env


def _real_audio() -> Path:
    """`../shared/audio/real` beside the checkout (or beside the worktrees' folder)."""
    if os.environ.get("VOICECOACH_REAL_AUDIO"):
        return Path(os.environ["VOICECOACH_REAL_AUDIO"])
    candidates = [up / "shared" / "audio" / "real" for up in (ROOT.parent, ROOT.parent.parent)]
    return next((c for c in candidates if c.is_dir()), candidates[0])


DEFAULT_REAL = _real_audio()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_app",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="30,90,300",
                        help="answer lengths in seconds, comma-separated (default 30,90,300)")
    parser.add_argument("--voices", default="synthetic,real",
                        help="synthetic and/or real (default both)")
    parser.add_argument("--takes", type=int, default=5, help="takes per answer (default 5)")
    parser.add_argument("--live-takes", type=int, default=3,
                        help="takes of the 90 s synthetic answer with the live transcript "
                             "on, for its lag (default 3; 0: none)")
    parser.add_argument("--cold-starts", type=int, default=5, help="default 5; 0: none")
    parser.add_argument("--soak", type=float, default=10.0, metavar="MINUTES",
                        help="one take this long for peak RSS and overflows (default 10; 0: none)")
    parser.add_argument("--quick", action="store_true",
                        help="= --lengths 30 --takes 2 --live-takes 1 --cold-starts 2 --soak 0")
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL,
                        help=f"the real recordings to loop (default {DEFAULT_REAL})")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "voicecoach-bench-app",
                        help="clip cache")
    parser.add_argument("--write-doc", action="store_true",
                        help="write the tables into docs/performance.md")
    parser.add_argument("--json", type=Path, help="also write every take here")
    parser.add_argument("--keep", action="store_true", help="keep the app's data directories")
    parser.add_argument("--add", type=Path, action="append", default=[], metavar="JSON",
                        help="also tabulate the takes of an earlier run's --json file (run "
                             "in short bursts on a shared machine, then combine)")
    args = parser.parse_args(argv)
    if args.quick:
        args.lengths, args.takes, args.live_takes = "30", 2, 1
        args.cold_starts, args.soak = 2, 0.0

    lengths = [int(float(x)) for x in args.lengths.split(",") if x.strip()]
    voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    for v in voices:
        if v not in ("synthetic", "real"):
            parser.error(f"unknown voice {v!r}: synthetic or real")
    if "real" in voices and not args.real_dir.is_dir():
        print(f"bench_app: no real recordings at {args.real_dir}: synthetic only",
              file=sys.stderr)
        voices = [v for v in voices if v != "real"]

    groups = [(clip_builder.build(v, n, args.workdir, args.real_dir), args.takes, False)
              for n in lengths for v in voices if args.takes > 0]
    if args.live_takes:
        groups.append((clip_builder.build("synthetic", 90, args.workdir, args.real_dir),
                       args.live_takes, True))
    if args.soak:
        groups.append((clip_builder.build("synthetic", round(args.soak * 60), args.workdir,
                                          args.real_dir), 1, False))

    root = Path(tempfile.mkdtemp(prefix="vcbench-app-"))
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"),
                               "cpus": os.cpu_count(), "takes": [], "cold_start": []}
    try:
        with VirtualMic() as mic:
            if args.cold_starts:
                results["cold_start"] = cold_starts(args.cold_starts, root, mic)
            for n, (clip, takes, live) in enumerate(groups):
                results["takes"] += [asdict(t) for t in
                                     run_group(clip, takes, live, root / f"g{n}", mic)]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"app data kept in {root}", file=sys.stderr)
    for earlier in args.add:
        older = json.loads(earlier.read_text())
        results["takes"] += older.get("takes", [])
        results["cold_start"] += older.get("cold_start", [])
        results["runs"] = sorted({*results.get("runs", [results["started"]]),
                                  *older.get("runs", [older.get("started", "?")])})
    text = render(results)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.write_doc:
        path = write_doc(ROOT / "docs" / "performance.md", text, sys.argv[1:])
        print(f"written into {path}", file=sys.stderr)
    return 0


def cold_starts(runs: int, root: Path, mic: VirtualMic) -> list[dict[str, float]]:
    """Launch -> home screen drawn, each with empty config and data directories."""
    out = []
    for i in range(runs):
        app = TerminalApp(app_env(root / f"cold{i}", mic.env()), f"vcbench-{os.getpid()}-c{i}")
        started = app.start()
        try:
            seen, _ = app.wait_for(home_ready, 60.0)
        finally:
            app.close()
        out.append({"home_s": seen - started, "load": os.getloadavg()[0]})
        print(f"cold start {i + 1}: home frame after {seen - started:.2f} s "
              f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr)
        time.sleep(0.5)
    return out


def run_group(clip: clip_builder.Clip, takes: int, live: bool, home: Path,
              mic: VirtualMic) -> list[Take]:
    trace_path = home / "trace.jsonl"
    extra = {**mic.env(), "VOICECOACH_TRACE": str(trace_path)}
    if live:
        extra["VOICECOACH_LIVE_TRANSCRIPT"] = "1"
    env = app_env(home, extra)
    app = TerminalApp(env, f"vcbench-{os.getpid()}-{home.name}")
    app.start()
    done: list[Take] = []
    try:
        open_practice(app)
        for i in range(takes):
            name = f"{clip.label}{' live' if live else ''} ({clip.duration_s:.0f} s)"
            try:
                take = one_take(app, mic, clip, trace_path,
                                Path(env["VOICECOACH_DATA_DIR"]), i, live)
            except (RuntimeError, TimeoutError) as err:
                print(f"{name} take {i + 1}: FAILED {str(err).strip()[:300]}",
                      file=sys.stderr)
                failed = Take(clip.label, clip.kind, clip.nominal_s, clip.duration_s, live,
                              i, error=str(err).strip()[:300], load=os.getloadavg()[0])
                done.append(failed)
                break  # the app's state is unknown: the next group starts afresh
            done.append(take)
            lag = (f", live lag median {statistics.median(take.live_lag_s):.1f} s"
                   if take.live_lag_s else "")
            print(f"{name} take {i + 1}: r -> REC {take.rec_s:.2f} s, stop -> scores "
                  f"{take.stop_s:.2f} s (load {take.load:.1f}), decoding at stop "
                  f"{_stage(take, 'rec.drained', 'score.transcribed'):.2f} s, "
                  f"app CPU {take.cpu_per_s:.2f} s/s (UI {take.ui_cpu_per_s:.2f}), "
                  f"overflows {take.overflows}, "
                  f"lost {take.lost_start_s:.2f}/"
                  f"{take.lost_end_s:.2f} s, match {take.match_min:.2f}, "
                  f"RSS {take.rss_mb:.0f} MB (peak {take.peak_rss_mb:.0f}){lag}",
                  file=sys.stderr)
    finally:
        app.close()
    return done


def _stage(take: Take, a: str, b: str) -> float:
    s = take.stages
    return s[b] - s[a] if a in s and b in s else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
