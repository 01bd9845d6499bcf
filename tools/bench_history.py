"""Benchmark: open the history screen on 2,000 takes, then filter and sort it.

    python -m tools.bench_history [--takes 2000] [--runs 5]

Seeds a temporary store through the Store API with takes spread over a year, each
with a full-size report (about 150 words), then drives the screen with Textual's
Pilot. "open" is from pushing the screen to the table drawn with every take; "filter"
is from a filter change to the table drawn again (the next frame after the change, via
`call_after_refresh`). Targets: open < 300 ms, filter < 50 ms. The machine is shared:
the medians are what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

OPEN_TARGET_S = 0.300
FILTER_TARGET_S = 0.050


def fake_report(rng: random.Random, prompt_id: str, duration: float) -> Any:
    """A report shaped like a real one (words, pauses, scores, findings), made up."""
    from voicecoach.asr.base import Word
    from voicecoach.audio.vad import Span
    from voicecoach.report import Finding, Metrics, Report

    words, t = [], 0.8
    vocabulary = ("first", "the", "data", "model", "latency", "drift", "monitor", "label",
                  "baseline", "tradeoff", "risk", "because", "so", "um", "then", "finally")
    while t < duration - 0.5:
        length = rng.uniform(0.15, 0.45)
        words.append(Word(rng.choice(vocabulary), t, t + length, rng.uniform(0.6, 1.0)))
        t += length + rng.uniform(0.02, 0.3)
    span = words[-1].end - words[0].start
    pauses = [Span(w.end, w.end + 1.2) for w in words[::40]]
    scores = {k: rng.randint(30, 98) for k in ("structure", "delivery", "fillers", "flow")}
    scores["overall"] = round(sum(scores.values()) / 4)
    return Report(
        audio_path="", duration_s=duration, engine_name="faster-whisper",
        engine_model="tiny.en", words=words, pauses=pauses, speech=[Span(0.8, duration)],
        fillers=[], prompt_id=prompt_id, scores=scores,
        metrics=Metrics(word_count=len(words), speaking_span_s=span, speech_s=span * 0.9,
                        wpm=len(words) / span * 60, articulation_wpm=len(words) / span * 66,
                        pause_count=len(pauses), longest_pause_s=1.2, think_time_s=0.8,
                        filler_count=rng.randint(0, 8), fillers_per_min=rng.uniform(0, 9)),
        findings=[Finding("hedging", "flow", "minor", "Hedged 3 times", "Commit.", 2.0, 3.0)],
    )


def seed(store: Any, n: int, prompts: list[Any], seed_value: int = 7) -> None:
    rng = random.Random(seed_value)
    store.sync_prompts(prompts)
    now = datetime.now(timezone.utc)
    audio = store.recordings_dir() / "missing.wav"  # history never opens the audio
    drill = None
    for i in range(n):
        prompt = rng.choice(prompts)
        if i % 50 == 0:
            drill = store.start_drill([prompt.id], 30, 120)
        when = now - timedelta(days=365 * (n - i) / n, minutes=rng.randint(0, 600))
        duration = rng.uniform(40, 150)
        take = store.add_take(audio, prompt_id=prompt.id, duration_s=duration,
                              created_at=when, drill_id=drill if i % 50 < 5 else None)
        store.save_report(take.id, fake_report(rng, prompt.id, duration))


@dataclass
class Result:
    open_s: list[float]
    load_s: list[float]  # inside the screen: store read + rows + first filter
    filter_s: dict[str, list[float]]


async def drawn(app: Any) -> float:
    """When the next frame has been drawn (Textual's `call_after_refresh`)."""
    future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: future.set_result(time.perf_counter()))
    return await future


async def measure(store: Any, prompts: list[Any], runs: int) -> Result:
    from textual.app import App

    from voicecoach.tui.history import HistoryScreen
    from voicecoach.tui.take_table import TakeTable

    total = len(store.takes())
    result = Result([], [], {})

    class Host(App[None]):
        pass

    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(runs):
            await pilot.pause()
            screen = HistoryScreen(store, prompts)
            started = time.perf_counter()
            await app.push_screen(screen)
            table = screen.query_one(TakeTable)
            assert len(table.rows) == total
            result.open_s.append(await drawn(app) - started)
            result.load_s.append(screen.timings["load"])
            await pilot.pause()
            category = prompts[0].category
            steps: list[tuple[str, Any]] = [
                ("text 'drift'", lambda s=screen: s.set_filter(text="drift")),
                ("text cleared", lambda s=screen: s.set_filter(text="")),
                (f"category {category!r}", lambda s=screen, c=category: s.set_filter(category=c)),
                ("category cleared", lambda s=screen: s.set_filter(category=None)),
                ("last 30 days", lambda s=screen: s.set_filter(
                    since=datetime.now().date() - timedelta(days=30))),
                ("sort by overall", lambda s=screen: s.sort_by("overall")),
            ]
            for name, step in steps:
                started = time.perf_counter()
                step()
                result.filter_s.setdefault(name, []).append(await drawn(app) - started)
                await pilot.pause()
            screen.dismiss(None)
    return result


def run(takes: int = 2000, runs: int = 5, quiet: bool = False) -> Result:
    from voicecoach.prompts import load_prompts
    from voicecoach.store.db import DB_NAME, Store

    prompts = load_prompts()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / DB_NAME)
        started = time.perf_counter()
        seed(store, takes, prompts)
        if not quiet:
            print(f"seeded {takes} takes in {time.perf_counter() - started:.1f} s")
        try:
            result = asyncio.run(measure(store, prompts, runs))
        finally:
            store.close()
    if not quiet:
        report(result, takes)
    return result


def report(result: Result, takes: int) -> None:
    def ms(values: list[float]) -> str:
        return (f"median {statistics.median(values) * 1000:6.1f} ms, "
                f"max {max(values) * 1000:6.1f} ms")

    print(f"history screen, {takes} takes ({len(result.open_s)} runs)")
    verdict = "ok" if statistics.median(result.open_s) < OPEN_TARGET_S else "SLOW"
    print(f"  open (push -> table drawn)   {ms(result.open_s)}  target < 300 ms: {verdict}")
    print(f"    of which store read + rows {ms(result.load_s)}")
    for name, values in result.filter_s.items():
        verdict = "ok" if statistics.median(values) < FILTER_TARGET_S else "SLOW"
        print(f"  filter: {name:<24} {ms(values)}  target < 50 ms: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run(args.takes, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
