"""What the subcommands share: engine options, settings from them, progress on stderr.

Its own module so that `cli` and `cli_history` both import it and not each other.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from voicecoach.config import ENGINES, Settings, load_settings


def add_engine_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINES, help="speech engine (default from settings)")
    parser.add_argument("--model", help="model name or path (default from settings: tiny.en)")
    parser.add_argument("--download", action="store_true",
                        help="allow downloading a named model that is not on this machine")
    fp = parser.add_mutually_exclusive_group()
    fp.add_argument("--filler-prompt", dest="filler_prompt", action="store_true", default=None,
                    help="prime Whisper to keep um/uh")
    fp.add_argument("--no-filler-prompt", dest="filler_prompt", action="store_false")


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    for name in ("engine", "model", "filler_prompt"):
        value = getattr(args, name, None)
        if value is not None:
            setattr(settings, name, value)
    return settings.validate()


def stderr_progress() -> Callable[[float, str], None] | None:
    """A one-line progress display on stderr, only when a person is watching."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, message: str) -> None:
        print(f"\r\033[K[{fraction:4.0%}] {message}", end="", file=sys.stderr, flush=True)
        if fraction >= 1.0:
            print("\r\033[K", end="", file=sys.stderr, flush=True)

    return show
