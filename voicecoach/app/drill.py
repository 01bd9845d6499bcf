"""Drill planning: which prompts, in which order, with how long to think and answer;
what each take of the drill became; the faults that recur across the drill.

No Textual: the drill screens (voicecoach.tui.drill) show and run what this plans.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from voicecoach.config import Settings
from voicecoach.prompts import Prompt
from voicecoach.report import Report

ANY = "__any__"  # the category choice "any category"


@dataclass
class DrillPlan:
    prompts: list[Prompt]
    think_s: list[int]
    answer_s: list[int]


def plan_drill(prompts: list[Prompt], count: int, category: str | None, own_times: bool,
               settings: Settings, rng: random.Random | None = None) -> DrillPlan:
    """Pick `count` prompts (from `category`, or any) in random order, with their times.

    Times come from each prompt when `own_times`, else from the user's settings.
    """
    rng = rng or random.Random()
    pool = [p for p in prompts if category in (None, ANY) or p.category == category]
    chosen = rng.sample(pool, min(max(1, count), len(pool))) if pool else []
    think = [p.think_s if own_times else settings.think_s for p in chosen]
    answer = [p.answer_s if own_times else settings.answer_s for p in chosen]
    return DrillPlan(chosen, think, answer)


@dataclass
class DrillItem:
    prompt: Prompt
    take_id: Any = None
    status: str = "pending"  # pending | recording | scoring | done | failed | skipped
    report: Report | None = None
    error: str = ""
    seconds: float = 0.0
    drill_id: Any = None  # the stored drill the take belongs to


def recurring(reports: list[Report], least: int = 2) -> list[tuple[str, int]]:
    """Faults found in at least `least` takes of the drill: (message, takes), most first.

    Key-point coverage is left out: its message names one prompt's points.
    """
    seen: dict[str, tuple[str, int]] = {}
    for report in reports:
        for fid, message in {f.id: f.message for f in report.findings
                             if f.severity in ("major", "minor")
                             and f.category != "content"}.items():
            first, n = seen.get(fid, (message, 0))
            seen[fid] = (first, n + 1)
    found = [v for v in seen.values() if v[1] >= least]
    return sorted(found, key=lambda v: -v[1])
