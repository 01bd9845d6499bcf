"""Real scored takes for the history, replay, compare, progress and export tests.

Three answers are transcribed with faster-whisper tiny.en and scored once per test
session (module-level cache): JFK's real speech, and two synthetic answers to the
same prompt, a weak espeak-ng one and a structured flite one. `seed_store` copies
their audio into a temporary store (the store deletes audio with its take) and adds
takes spread over past days, so history, trends and streaks have something to show.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import JFK, cached_answer

from voicecoach.config import Settings
from voicecoach.report import Report

DAYS = 3  # how far back `add_scored` callers start
DRIFT = "drift-detect-handle"
JFK_PROMPT = "behav-challenging-problem"

# The seeded answers are short (JFK's 22 words): scored as if long enough to judge, so
# history, compare and progress have every score to show.
SEED_SETTINGS = Settings(scoring={"min_judged_words": 0, "min_judged_s": 0.0})

WEAK = ["So, um, drift. I guess you, like, look at the data, I think.", 2.6,
        "And then, uh, maybe you retrain the model or something, basically.", 1.8,
        "Yeah. I think that is basically it."]
STRONG = ["Let me structure my answer in three parts: detection, diagnosis and response.",
          0.6,
          "First, detection. I would monitor the input feature distributions and the "
          "prediction distribution, and alert when they move.",
          0.5,
          "Second, diagnosis. I would check whether an upstream pipeline changed or the "
          "labels shifted.",
          0.5,
          "Finally, response. Retrain on recent data, roll out behind a canary, and keep a "
          "fallback model. To summarize: monitor, diagnose, then retrain safely."]


@dataclass(frozen=True)
class Scored:
    name: str
    audio: Path
    prompt_id: str
    report: Report


_cache: dict[str, Scored] = {}


def scored_takes() -> dict[str, Scored]:
    """{'jfk', 'weak', 'strong'} -> a real, scored report of that audio (cached)."""
    if _cache:
        return _cache
    from voicecoach.asr.models import load_engine
    from voicecoach.pipeline import score_file

    settings = SEED_SETTINGS
    engine = load_engine("faster-whisper", "tiny.en")
    weak, _ = cached_answer("history-weak", WEAK, voice="espeak", wpm=150, lead_s=1.5)
    strong, _ = cached_answer("history-strong", STRONG, voice="flite", lead_s=0.8)
    for name, audio, prompt in (("jfk", JFK, JFK_PROMPT), ("weak", weak, DRIFT),
                                ("strong", strong, DRIFT)):
        report = score_file(audio, engine, settings, prompt)  # scored by the pipeline
        _cache[name] = Scored(name, Path(audio), prompt, report)
    return _cache


def days_ago(n: float, hour: int = 18) -> datetime:
    now = datetime.now().astimezone()
    return (now - timedelta(days=n)).replace(hour=hour, minute=0, second=0, microsecond=0
                                             ).astimezone(timezone.utc)


def add_scored(store, scored: Scored, created_at: datetime, drill_id=None,
               prompt_id: str | None = None):
    """One take of `scored` in `store`, with its own copy of the audio."""
    target = store.new_recording_path()
    shutil.copyfile(scored.audio, target)
    take = store.add_take(target, prompt_id=prompt_id or scored.prompt_id, drill_id=drill_id,
                          duration_s=scored.report.duration_s, created_at=created_at)
    report = Report.from_dict(scored.report.to_dict())
    report.audio_path = str(target)
    store.save_report(take.id, report)
    return store.get(take.id)


def seed_store(store) -> dict[str, list]:
    """A small realistic history: the weak answer, then the strong one, a JFK take in a
    drill, over the past week. Returns the takes by name."""
    from voicecoach.prompts import load_prompts

    store.sync_prompts(load_prompts())
    takes = scored_takes()
    out: dict[str, list] = {"weak": [], "strong": [], "jfk": []}
    out["weak"].append(add_scored(store, takes["weak"], days_ago(6)))
    out["weak"].append(add_scored(store, takes["weak"], days_ago(5)))
    out["strong"].append(add_scored(store, takes["strong"], days_ago(2)))
    drill = store.start_drill([JFK_PROMPT], 10, 60)
    out["jfk"].append(add_scored(store, takes["jfk"], days_ago(1), drill_id=drill))
    store.finish_drill(drill)
    out["strong"].append(add_scored(store, takes["strong"], days_ago(0, hour=0)))
    return out
