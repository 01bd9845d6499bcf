"""`python -m tools.validate`: the options, the runs, the exit status."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from tools.validate.checks import Determinism, determinism
from tools.validate.corpus import REPO, LabeledClip, filler_clips
from tools.validate.judgments import (
    judgment_problems,
    judgments_table,
    spoken_judgments,
    text_judgments,
    wrong_judgments,
)
from tools.validate.measure import ConfigResult, run_config
from tools.validate.pairs import spoken_pairs, text_pairs
from tools.validate.real import real_clips
from tools.validate.tables import (
    DOCS,
    details,
    failures,
    format_tables,
    prompt_helps,
    write_docs,
)

ENGINES = ("faster-whisper", "openai-whisper")
# Scored three times per engine: quick takes a short real clip with fillers, the full
# run a real monologue (longer, so more chances for the fallback to sample).
DETERMINISM_CLIP = {True: "mfa_clip_uhum", False: "mfa-cold-monologue"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from tools import validate

    parser = argparse.ArgumentParser(prog="python -m tools.validate",
                                     description=validate.__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small make-test subset")
    parser.add_argument("--filler-prompt", choices=("off", "on", "all", "default"),
                        default="default", help="Whisper filler priming (default: the "
                        "setting's default; 'all' compares off and on)")
    parser.add_argument("--cost", nargs="?", const="all", metavar="ENGINE",
                        help="also time the decoding without the filler prompt (off) and "
                        "without the temperature fallback (on, greedy); with ENGINE, on "
                        "that engine only")
    parser.add_argument("--prompt-text", action="append", default=[], metavar="TEXT",
                        help="also score with this filler prompt wording (repeatable), "
                        "to compare wordings against the default")
    parser.add_argument("--voices", help="comma-separated voices (espeak, flite, flite:kal...)")
    parser.add_argument("--engine", default="faster-whisper", choices=(*ENGINES, "all"))
    parser.add_argument("--determinism-engines", default=None,
                        help="engines whose determinism is checked (comma-separated; "
                        "default: both, or none with --no-determinism)")
    parser.add_argument("--no-determinism", action="store_true")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--no-real", action="store_true", help="synthetic clips and jfk only")
    parser.add_argument("--no-synthetic", action="store_true", help="real clips only")
    parser.add_argument("--no-spoken-pairs", action="store_true")
    parser.add_argument("--no-prosody", action="store_true",
                        help="skip the prosody pairs (flat/lively, fading/steady) and the "
                        "real clips' monotone check")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"replace the table in {DOCS.relative_to(REPO)}")
    parser.add_argument("--details", type=Path, metavar="FILE", help="write every invented "
                        "phrase, filler and pause error with the words around it")
    parser.add_argument("--reports", type=Path, metavar="DIR", help="keep every report "
                        "there as JSON and reuse those already there (no decoding again)")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    return parser.parse_args(argv)


def configurations(args: argparse.Namespace, default: bool, engine: str
                   ) -> list[tuple[str, object]]:
    """(name, TranscribeOptions) for each decoding configuration asked for."""
    from voicecoach.asr.base import TranscribeOptions

    modes = {"off": [False], "on": [True], "all": [False, True],
             "default": [default]}[args.filler_prompt]
    cost = args.cost in ("all", engine)
    if cost:
        modes = sorted(set(modes) | {False, default})
    out = [("on" if fp else "off", TranscribeOptions(filler_prompt=fp)) for fp in modes]
    if cost:
        out.append((f"{'on' if default else 'off'}, greedy",
                    TranscribeOptions(filler_prompt=default, temperatures=(0.0,))))
    out += [(f'"{text}"', TranscribeOptions(filler_prompt=True, filler_prompt_text=text))
            for text in args.prompt_text]
    return out


def corpus_line(clips: list[LabeledClip], quick: bool, engines: list[str], model: str) -> str:
    synthetic = [c for c in clips if c.group == "synthetic"]
    real = [c for c in clips if c.group == "real"]
    voices = ", ".join(sorted({c.voice for c in synthetic}))
    return (f"Corpus: {len(synthetic)} synthetic clips ({voices}); {len(real)} real clips "
            f"({sum(len(c.filled) + c.untimed_filled for c in real)} labeled filled "
            f"pauses, {sum(len(c.pauses) for c in real)} pauses >= 1 s); "
            f"{'quick subset' if quick else 'full corpus'}; {', '.join(engines)} {model}.")


def prosody_check(engine_name: str, model: str, no_real: bool, log) -> list[str]:
    """Print the prosody table (validate/prosody.py); the pairs that failed."""
    from tools.validate import prosody
    from tools.validate.corpus import CORPUS_DIR
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings

    real = [] if no_real else [(p.stem, p) for p in sorted((CORPUS_DIR / "real").glob("*.wav"))]
    results = prosody.run(load_engine(engine_name, model), Settings(), real, log)
    print("\nProsody pairs and real voices (issue #14)\n")
    print(prosody.format_table(results))
    return [f"prosody {r.id}: expected {r.expect}, found {r.ids() or 'none'}"
            for r in results if not r.ok]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from tools.synth import available_voices
    from voicecoach.config import Settings

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    if not available_voices():
        log("validate: no espeak-ng or flite on this machine; cannot synthesize the corpus")
        return 2
    clips = [] if args.no_synthetic else filler_clips(
        args.quick, args.voices.split(",") if args.voices else None)
    reals = real_clips(args.quick)
    clips += [c for c in reals if c.id == "jfk" or not args.no_real]
    default = Settings().filler_prompt
    engines = list(ENGINES) if args.engine == "all" else [args.engine]
    configs: list[ConfigResult] = []
    pairs = text_pairs()
    judged = text_judgments()
    for engine in engines:
        for name, options in configurations(args, default, engine):
            log(f"validate: {engine} {name}: {len(clips)} clips")
            configs.append(run_config(name, options, clips, engine, args.model, log,
                                      args.reports))
        if not args.no_spoken_pairs and engine == engines[0]:  # scoring, not decoding
            pair_voices = ["espeak", "flite"] if args.quick else ["espeak", "flite", "flite:rms"]
            pairs += spoken_pairs(args.quick, pair_voices, engine, args.model, default)
            judged += spoken_judgments(args.quick, ["espeak"], engine, args.model, default)
    checks: list[Determinism] = []
    if not args.no_determinism:
        chosen = args.determinism_engines.split(",") if args.determinism_engines else ENGINES
        clip = next(c for c in reals if c.id == DETERMINISM_CLIP[args.quick])
        for engine in chosen:
            checks.append(determinism(engine, args.model, clip))
            log(f"validate: {checks[-1].describe()}")
    main_cfg = "on" if default else "off"
    if main_cfg not in [c.name for c in configs]:
        main_cfg = configs[0].name
    verdicts = [f"{c.engine}: filler prompt {c.name} vs off: "
                + ("better (precision kept, recall up, transcript no worse)"
                   if prompt_helps(off.only("synthetic").summary, c.only("synthetic").summary)
                   else "not better (see precision, WER and the worst wpm error)")
                for off in configs if off.name == "off"
                for c in configs if c.engine == off.engine and c.name == "on"]
    table = format_tables(configs, pairs, checks,
                          corpus_line(clips, args.quick, engines, args.model), verdicts)
    table += "\n\n" + "\n".join(judgments_table(judged))
    if args.json:
        print(json.dumps({"configs": {f"{c.engine} {c.name} {g}": c.only(g).summary
                                      for c in configs for g in ("synthetic", "real")},
                          "pairs": [asdict(p) for p in pairs],
                          "determinism": [asdict(d) for d in checks]}, indent=2))
    else:
        print(table)
    if args.details:
        args.details.write_text(details(configs) + "\n".join(["", "Judgments:",
                                                               *wrong_judgments(judged)]),
                                encoding="utf-8")
    print(f"\nvalidation took {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.write_docs:
        write_docs(table)
    problems, aims = failures(configs, pairs, checks, main_cfg, args.quick)
    if not args.no_prosody:
        problems += prosody_check(engines[0], args.model, args.no_real, log)
    problems += judgment_problems(judged)
    for p in aims:
        log(f"validate: aim missed (issue #10): {p}")
    for p in problems:
        log(f"validate: target missed: {p}")
    return 1 if problems else 0

