"""Command line: the same domain core the TUI uses, one subcommand per job.

Every user-facing failure is a `VoiceCoachError` printed as one line (exit 2);
nothing else reaches the terminal as a traceback unless VOICECOACH_DEBUG is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from voicecoach import __version__
from voicecoach.cli_args import add_engine_args, settings_from, stderr_progress
from voicecoach.cli_history import add_commands as add_history_commands  # history, export, rescore
from voicecoach.config import ENGINES, load_settings
from voicecoach.errors import VoiceCoachError, print_error

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except VoiceCoachError as err:
        print_error(err)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # `voicecoach ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("voicecoach: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # last resort: one line, details only on request
        if os.environ.get("VOICECOACH_DEBUG"):
            raise
        print(f"voicecoach: internal error: {type(err).__name__}: {err} "
              "(set VOICECOACH_DEBUG=1 for details)", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicecoach",
        description="Rehearse technical interview answers out loud; local and private.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    parser.set_defaults(func=cmd_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    tui = sub.add_parser("tui", help="open the practice app (the default)")
    tui.set_defaults(func=cmd_tui)

    score = sub.add_parser("score", help="transcribe and score an audio file")
    score.add_argument("file", help="WAV, FLAC, OGG, MP3 or M4A")
    add_engine_args(score)
    score.add_argument("--prompt", metavar="ID",
                       help="the prompt answered (adds its key points); PROMPT/FOLLOW-UP "
                            "for a follow-up, e.g. design-fraud-detection/monitoring")
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    score.set_defaults(func=cmd_score)

    models = sub.add_parser("models", help="list, convert or download Whisper models")
    msub = models.add_subparsers(title="models commands", metavar="ACTION", required=True)
    mlist = msub.add_parser("list", help="what each engine can use now")
    mlist.set_defaults(func=cmd_models_list)
    conv = msub.add_parser("convert", help="write an openai-whisper checkpoint from a "
                                           "CTranslate2 model (default: the bundled tiny.en)")
    conv.add_argument("name", nargs="?", default="tiny.en",
                      help="model name or a CTranslate2 model directory")
    conv.set_defaults(func=cmd_models_convert)
    down = msub.add_parser("download", help="fetch a named model (needs network)")
    down.add_argument("name")
    down.add_argument("--engine", choices=ENGINES, default="faster-whisper")
    down.set_defaults(func=cmd_models_download)

    prompts = sub.add_parser("prompts", help="list the prompt bank")
    prompts.add_argument("--category", help="only this category")
    prompts.set_defaults(func=cmd_prompts)

    add_history_commands(sub)
    return parser


def cmd_score(args: argparse.Namespace) -> int:
    from voicecoach.asr.models import load_engine
    from voicecoach.audio.io import load_audio
    from voicecoach.pipeline import score_audio, transcribe_options

    settings = settings_from(args)
    if args.prompt:
        from voicecoach.prompts import get_prompt

        get_prompt(args.prompt)  # fail fast on an unknown id, before loading a model
    audio = load_audio(args.file)  # bad files fail before the model loads
    for warning in audio.warnings:
        print(f"voicecoach: warning: {warning}", file=sys.stderr)
    progress = stderr_progress()
    engine = load_engine(settings.engine, settings.model, transcribe_options(settings),
                         download=args.download, progress=progress)
    report = score_audio(audio, engine, settings, prompt=args.prompt, progress=progress)
    if args.json:
        print(report.to_json())
    else:
        from voicecoach.scorecard import render_scorecard

        print(render_scorecard(report))
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from voicecoach.asr.models import list_models
    from voicecoach.paths import models_dir

    infos = list_models()
    print(f"models directory: {models_dir()}")
    print(f"{'engine':<16} {'model':<10} {'status':<12} where")
    for info in infos:
        if info.status != "downloadable":
            print(f"{info.engine:<16} {info.name:<10} {info.status:<12} {info.path}")
    for engine in ENGINES:
        names = [i.name for i in infos if i.engine == engine and i.status == "downloadable"]
        print(f"{engine} with network (`voicecoach models download NAME`): {', '.join(names)}")
    return 0


def cmd_models_convert(args: argparse.Namespace) -> int:
    from voicecoach.asr.models import convert

    out = convert(args.name, progress=stderr_progress())
    print(f"wrote {out}")
    return 0


def cmd_models_download(args: argparse.Namespace) -> int:
    from voicecoach.asr.models import resolve_faster, resolve_openai

    if args.engine == "faster-whisper":
        path = resolve_faster(args.name, download=True)
    else:
        path = resolve_openai(args.name, download=True, progress=stderr_progress())
    print(f"{args.engine} {args.name}: {path}")
    return 0


def cmd_prompts(args: argparse.Namespace) -> int:
    from voicecoach.prompts import load_prompts

    for p in load_prompts():
        if args.category and p.category != args.category:
            continue
        print(f"{p.id:<28} {p.category:<28} {p.text}")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from voicecoach.tui.app import run

    return run(load_settings())
