"""Every model answer, spoken (espeak-ng), transcribed with real Whisper weights and
scored through the real pipeline, scores structure >= 80 and touches every key point:
"hear what good sounds like" has to sound good to the scorer too.

One test, one engine load. Decoding all 42 answers (~60 min of speech) costs ~20 min of
CPU on two cores, too much for every CI run, so by default it speaks one answer per
category, rotating weekly through each category's prompts (every answer is spoken within
six weeks; the text path of all of them is checked on every run in
test_prompt_followups.py). `VOICECOACH_MODEL_ANSWERS=all` speaks every answer;
`VOICECOACH_MODEL_ANSWERS=fraud,leak` the prompts whose ids contain one of the words.
Synthesis is cached in tests/.cache, so a rerun only decodes.
"""

from __future__ import annotations

import datetime
import os
import re
import time

import pytest
from conftest import cached_answer

from voicecoach.config import Settings
from voicecoach.pipeline import score_file
from voicecoach.prompts import Prompt, load_prompts

pytestmark = pytest.mark.slow

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def spoken_parts(answer: str) -> list[str | float]:
    """Sentences with a short breath between them, as a prepared speaker says them."""
    parts: list[str | float] = []
    for sentence in _SENTENCE_END.split(answer):
        if parts:
            parts.append(0.35)
        parts.append(sentence)
    return parts


def selected(prompts: list[Prompt], week: int | None = None) -> list[Prompt]:
    wanted = os.environ.get("VOICECOACH_MODEL_ANSWERS", "")
    if wanted == "all":
        return prompts
    words = [w for w in wanted.split(",") if w]
    if words:
        return [p for p in prompts if any(w in p.id for w in words)]
    week = datetime.date.today().isocalendar().week if week is None else week
    by_category: dict[str, list[Prompt]] = {}
    for p in prompts:
        by_category.setdefault(p.category, []).append(p)
    return [group[week % len(group)] for group in by_category.values()]


def test_rotation_reaches_every_prompt_and_one_per_category(monkeypatch):
    monkeypatch.delenv("VOICECOACH_MODEL_ANSWERS", raising=False)
    prompts = load_prompts()
    weeks = [selected(prompts, week) for week in range(6)]
    assert all(len({p.category for p in w}) == len(w) == 8 for w in weeks)
    assert {p.id for w in weeks for p in w} == {p.id for p in prompts}


def test_every_model_answer_spoken_scores_well(app_faster_engine):
    settings = Settings()
    weak: list[str] = []
    started = time.monotonic()
    audio_s = 0.0
    prompts = selected(load_prompts())
    for prompt in prompts:
        assert prompt.model_answer, prompt.id
        wav, _ = cached_answer(f"model-answer-{prompt.id}", spoken_parts(prompt.model_answer))
        report = score_file(wav, app_faster_engine, settings, prompt)
        audio_s += report.duration_s
        structure = report.scores.get("structure", 0)
        missed = [k["id"] for k in report.extra["coverage"]["key_points"] if not k["touched"]]
        if structure < 80 or missed or not 60 <= report.duration_s <= 125:
            weak.append(f"{prompt.id}: structure {structure}, {report.duration_s:.0f} s, "
                        f"missed {missed}: {report.text[:200]}")
    took = time.monotonic() - started
    print(f"\n{len(prompts)} model answers ({', '.join(p.id for p in prompts)}), "
          f"{audio_s:.0f} s of speech, {took:.0f} s")
    assert not weak, "\n".join(weak)
