"""Batch benchmark: per engine, load time, transcription time, real-time factor, peak RSS.

Each engine runs in its own process so peak RSS is that engine's alone.
Run from a checkout: `make bench` or `python -m tools.bench [--clip FILE]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voicecoach.config import ENGINES, Settings

ROOT = Path(__file__).resolve().parents[1]  # the checkout: `-m tools.bench` resolves here


def measure(engine_name: str, clip: Path, model: str = "tiny.en") -> dict[str, float | str]:
    """Time one engine on one clip in this process; load time includes its imports."""
    from voicecoach.asr.models import load_engine
    from voicecoach.audio.io import load_audio
    from voicecoach.pipeline import score_audio, transcribe_options

    settings = Settings(engine=engine_name, model=model)
    audio = load_audio(clip)
    t0 = time.perf_counter()
    engine = load_engine(engine_name, model, transcribe_options(settings))
    t1 = time.perf_counter()
    report = score_audio(audio, engine, settings)
    t2 = time.perf_counter()
    return {
        "engine": engine_name,
        "model": model,
        "audio_s": audio.duration_s,
        "load_s": t1 - t0,
        "transcribe_s": t2 - t1,
        "rtf": (t2 - t1) / audio.duration_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "words": report.metrics.word_count,
    }


def sample_clip(directory: Path) -> Path:
    """The ~90 s synthesized answer from `tools.synth`."""
    from tools.synth import SAMPLE_ANSWER, build_answer
    from voicecoach.audio.io import save_wav

    path = directory / "answer-90s.wav"
    samples, _ = build_answer(SAMPLE_ANSWER, wpm=160)
    save_wav(path, samples)
    return path


def run(clip: str | None = None, engines: list[str] | None = None) -> int:
    engines = engines or list(ENGINES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(clip) if clip else sample_clip(Path(tmp))
        if "openai-whisper" in engines:  # a one-time conversion is not load time
            from voicecoach.asr.models import resolve_openai

            resolve_openai("tiny.en")
        rows = []
        for name in engines:
            print(f"timing {name} ...", file=sys.stderr, flush=True)
            out = subprocess.run(
                [sys.executable, "-m", "tools.bench", "--child", name, str(path)],
                capture_output=True, text=True, check=False, cwd=ROOT,
            )
            if out.returncode != 0:
                print(f"{name}: failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                return 1
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(format_table(rows))
    return 0


def format_table(rows: list[dict]) -> str:
    head = (f"| {'engine':<15} | {'model':<7} | {'audio s':>7} | {'load s':>6} | "
            f"{'transcribe s':>12} | {'RTF':>6} | {'peak RSS MB':>11} |")
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        lines.append(
            f"| {r['engine']:<15} | {r['model']:<7} | {r['audio_s']:7.1f} | {r['load_s']:6.2f} | "
            f"{r['transcribe_s']:12.2f} | {r['rtf']:6.3f} | {r['peak_rss_mb']:11.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--clip", help="audio file (default: a synthesized ~90 s answer)")
    parser.add_argument("--engine", choices=ENGINES, action="append")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "CLIP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, clip = args.child
        print(json.dumps(measure(name, Path(clip))))
        return 0
    return run(args.clip, args.engine)


if __name__ == "__main__":
    raise SystemExit(main())
