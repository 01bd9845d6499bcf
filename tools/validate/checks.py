"""Same audio, same report: one clip scored several times, compared as report JSON.

The last run uses a freshly loaded engine, as a new process would; `rescore` goes
through the same `score_file`, so this covers it too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tools.validate.corpus import LabeledClip


@dataclass
class Determinism:
    engine: str
    clip: str
    runs: int
    difference: str  # the first field that differed between runs; "" when identical
    seconds: float

    @property
    def identical(self) -> bool:
        return not self.difference

    def describe(self) -> str:
        verdict = "identical" if self.identical else f"DIFFERENT: {self.difference}"
        return (f"{self.engine}: {self.clip} scored {self.runs} times "
                f"(the last with a freshly loaded engine): {verdict} ({self.seconds:.0f} s)")


def first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two JSON-like values first differ ('' when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}: only in one run"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return "" if len(a) == len(b) else f"{path}: {len(a)} vs {len(b)} items"
    return "" if a == b else f"{path}: {a!r} vs {b!r}"


def determinism(engine_name: str, model: str, clip: LabeledClip, runs: int = 3
                ) -> Determinism:
    """Score `clip` `runs` times with the default settings and compare the reports."""
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file, transcribe_options

    t0 = time.perf_counter()
    settings = Settings(engine=engine_name, model=model)
    engine = None
    reports = []
    for k in range(runs):
        if engine is None or (k == runs - 1 and k > 0):
            engine = load_engine(engine_name, model, transcribe_options(settings))
        report = score_file(clip.path, engine, settings).to_dict()
        report.pop("timing", None)  # how long it took is no part of the verdict
        reports.append(report)
    diff = next((d for r in reports[1:] if (d := first_difference(reports[0], r))), "")
    return Determinism(engine_name, clip.id, runs, diff, time.perf_counter() - t0)
