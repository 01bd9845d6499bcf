"""Sessions read back from the store for the CLI and exports: each question with its
follow-ups, why each was asked, the scores, and the session's key-point coverage."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from voicecoach.errors import VoiceCoachError
from voicecoach.interview.summary import (
    Answer,
    coverage_line,
    fixed_line,
    question_text,
    summarize,
)
from voicecoach.prompts import Prompt, load_prompts
from voicecoach.store.sessions import Session, list_sessions


def prompt_bank() -> dict[str, Prompt]:
    """The prompt bank by id, read once per command (an unreadable bank: empty)."""
    try:
        return {p.id: p for p in load_prompts()}
    except VoiceCoachError:
        return {}


def stored_summary(session: Session, takes: Sequence[Any], bank: Mapping[str, Prompt]
                   ) -> dict[str, Any]:
    """The summary of a stored session, given its takes (one per turn, in order) and the
    prompt bank."""
    # A prompt no longer in the bank: its id stands in for it.
    prompt = bank.get(session.prompt_id) or Prompt(session.prompt_id, session.prompt_id,
                                                    "Behavioral", 1, 1, ())
    answers = [Answer(turn.turn, turn.take_id, question_text(prompt, turn.follow_up_id),
                      take.report, turn.follow_up_id, turn.reason)
               for turn, take in zip(session.turns, takes)]
    data = summarize(prompt, answers)
    stored = session.to_dict()
    for row, turn in zip(data["turns"], stored.pop("turns")):
        row["follows_take_id"] = turn["follows_take_id"]
    data.update(stored)
    return data


def print_sessions(store: Any, as_json: bool, limit: int | None = None) -> int:
    bank = prompt_bank()
    summaries = [stored_summary(s, [store.get(i) for i in s.take_ids], bank)
                 for s in list_sessions(store, limit)]
    if as_json:
        print(json.dumps(summaries, indent=2, ensure_ascii=False))
        return 0
    if not summaries:
        print("no mock interviews yet (press m on a prompt in voicecoach)")
        return 0
    for data in summaries:
        print(f"session {data['id']}  {data['started_at'][:16].replace('T', ' ')}  "
              f"{data['prompt_id']}")
        for turn in data["turns"]:
            scores = turn["scores"]
            label = "Q " if turn["turn"] == 0 else f"F{turn['turn']}"
            overall = scores.get("overall", "–")
            structure = scores.get("structure", "–")
            print(f"  {label} take {turn['take_id']:>4}  overall {overall!s:>3}  structure "
                  f"{structure!s:>3}  {turn['question'][:70]}")
            if turn["reason"]:
                print(f"       {turn['reason']}")
        print(f"  {coverage_line(data)}")
        print(f"  {fixed_line(data)}")
    return 0
