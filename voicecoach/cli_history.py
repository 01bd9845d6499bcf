"""`voicecoach history`, `export` and `rescore`: looking back at takes from the shell.

Registered by `voicecoach.cli.build_parser`; the same domain modules the TUI uses
(history rows, export, rescore) do the work.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from voicecoach.cli_args import add_engine_args, settings_from, stderr_progress
from voicecoach.errors import VoiceCoachError
from voicecoach.history import COLUMNS


def add_commands(sub: Any) -> None:
    history = sub.add_parser("history", help="list recorded takes (newest first)")
    history.add_argument("--prompt", metavar="ID", help="only takes of this prompt")
    history.add_argument("--category", help="only takes of prompts in this category")
    history.add_argument("--since", metavar="DATE",
                         help="from this day on: YYYY-MM-DD, today, yesterday, 7d, 2w")
    history.add_argument("--until", metavar="DATE", help="up to and including this day")
    history.add_argument("--drill", type=int, metavar="ID", help="only takes of this drill")
    history.add_argument("--sort", choices=tuple(COLUMNS), default="date",
                         help="column to sort by (default: date)")
    history.add_argument("--asc", action="store_true", help="ascending order")
    history.add_argument("--limit", type=int, metavar="N", help="show at most N takes")
    history.add_argument("--json", action="store_true", help="print the takes as JSON")
    history.add_argument("--sessions", action="store_true",
                         help="mock interviews: each question with its follow-ups and scores")
    history.set_defaults(func=cmd_history)

    export = sub.add_parser("export", help="a take or a drill as Markdown or HTML")
    export.add_argument("take_id", nargs="?", type=int, metavar="TAKE_ID")
    export.add_argument("--drill", type=int, metavar="ID", help="export a whole drill")
    export.add_argument("--session", type=int, metavar="ID",
                        help="export a mock interview (ids: voicecoach history --sessions)")
    export.add_argument("--format", choices=("md", "html"),
                        help="default: from the -o suffix (.md or .html), else md")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(func=cmd_export)

    rescore = sub.add_parser("rescore", help="recompute reports from the stored audio")
    rescore.add_argument("take_ids", nargs="*", type=int, metavar="TAKE_ID")
    which = rescore.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every take with audio")
    which.add_argument("--stale", action="store_true",
                       help="takes scored with another engine or model, or never scored")
    add_engine_args(rescore)
    rescore.set_defaults(func=cmd_rescore)


def _store(read_only: bool = False) -> Any:
    """The take store; `read_only` for the commands that only look (they never move or
    change the database, even a damaged one). Its notice, if any, is one line here."""
    from voicecoach.store.db import Store

    store = Store(read_only=read_only)
    if store.notice:
        print(f"voicecoach: warning: {store.notice}", file=sys.stderr)
    return store


def cmd_history(args: argparse.Namespace) -> int:
    from voicecoach.history import HistoryFilter, apply, parse_day, sort_rows, to_rows

    flt = HistoryFilter(
        prompt_id=args.prompt, category=args.category,
        since=parse_day(args.since) if args.since else None,
        until=parse_day(args.until) if args.until else None,
        drill_id=args.drill,
    )
    from voicecoach.store.sessions import session_links

    with _store(read_only=True) as store:
        if args.sessions:
            from voicecoach.interview.report import print_sessions

            return print_sessions(store, args.json, args.limit)
        rows = sort_rows(apply(to_rows(store.takes()), flt), args.sort,
                         descending=not args.asc)
        links = session_links(store) if args.json else {}  # only the JSON shows them
    if args.limit is not None:
        rows = rows[: max(0, args.limit)]
    if args.json:
        # A take of a mock interview says which session, turn and take it follows.
        print(json.dumps([{**r.to_dict(), **({"session": links[r.id]} if r.id in links
                                             else {})} for r in rows],
                         indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no takes" + (" match" if flt != HistoryFilter() else " yet"), file=sys.stderr)
        return 0
    print(f"{'id':>5}  {'date':<16}  {'prompt':<28}  {'length':>6}  {'overall':>7}  "
          f"{'wpm':>4}  {'fill/min':>8}  drill")
    for r in rows:
        overall = "–" if r.overall is None else str(r.overall)
        wpm = "–" if r.wpm is None else f"{r.wpm:.0f}"
        fpm = "–" if r.fillers_per_min is None else f"{r.fillers_per_min:.1f}"
        length = f"{int(r.duration_s) // 60}:{int(r.duration_s) % 60:02d}"
        prompt = r.prompt_id or "(free answer)"
        prompt = prompt if len(prompt) <= 28 else prompt[:27] + "…"
        drill = "" if r.drill_id is None else str(r.drill_id)
        print(f"{r.id:>5}  {r.created_at:%Y-%m-%d %H:%M}  {prompt:<28}  {length:>6}  "
              f"{overall:>7}  {wpm:>4}  {fpm:>8}  {drill}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from voicecoach.config import load_settings
    from voicecoach.export import export_drill, export_take, format_for
    from voicecoach.private import write_private

    if sum(x is not None for x in (args.take_id, args.drill, args.session)) != 1:
        raise VoiceCoachError("export: give a TAKE_ID, --drill ID or --session ID (one of "
                              "them)")
    fmt = format_for(args.output, args.format)  # before any work: `-o x.pdf` is refused
    long_pause_s = load_settings().long_pause_s
    with _store(read_only=True) as store:
        if args.session is not None:
            from voicecoach.interview.export import export_session

            text = export_session(store, args.session, fmt, long_pause_s)
        elif args.drill is not None:
            text = export_drill(store, args.drill, fmt, long_pause_s)
        else:
            text = export_take(store, args.take_id, fmt, long_pause_s)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    try:
        write_private(out, text)  # the user's answers: readable by them alone (0600)
    except OSError as err:
        raise VoiceCoachError(f"cannot write {out}: {err.strerror or err}") from None
    print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from voicecoach.asr.models import load_engine
    from voicecoach.pipeline import transcribe_options
    from voicecoach.rescore import rescorable, rescore

    if not (args.take_ids or args.all or args.stale):
        raise VoiceCoachError("rescore: give TAKE_IDs, --all or --stale")
    if args.take_ids and (args.all or args.stale):
        raise VoiceCoachError("rescore: TAKE_IDs or --all/--stale, not both")
    settings = settings_from(args)
    with _store() as store:
        if args.take_ids:
            takes = [store.get(i) for i in args.take_ids]  # unknown ids fail before loading
        elif args.stale:
            takes = rescorable(store, settings.engine, settings.model)
        else:
            takes = rescorable(store)
        if not takes:
            print("nothing to re-score", file=sys.stderr)
            return 0
        progress = stderr_progress()
        engine = load_engine(settings.engine, settings.model, transcribe_options(settings),
                             download=args.download, progress=progress)
        outcomes = rescore(store, takes, engine, settings, progress)
    failed = 0
    for o in outcomes:
        if o.ok:
            before = "–" if o.before is None else str(o.before)
            after = "–" if o.after is None else str(o.after)
            print(f"take {o.take_id}: overall {before} -> {after}")
        else:
            failed += 1
            print(f"take {o.take_id}: kept the old report: {o.error}")
    print(f"re-scored {len(outcomes) - failed} of {len(takes)} takes with {engine.name} "
          f"{engine.model}", file=sys.stderr)
    return 1 if failed else 0
