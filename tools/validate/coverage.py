"""Key-point coverage measured on the labeled sentences in tests/corpus/keypoints*.toml.

    python -m tools.validate.coverage [--misses]

Each sentence is judged against every key point of its prompt. Precision: of the key
points found, the share the sentence makes; recall: of the key points it makes, the
share found. Reported for the prompt's bare phrase lists (the matcher before issue
#12) and for analysis/keypoints.py, on all sentences and per split: the blind sets
say how well it generalises, the others how well it fits what it was written for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from tools.validate.corpus import load_toml

if TYPE_CHECKING:
    from voicecoach.analysis.text import Transcript
    from voicecoach.prompts import KeyPoint

Matcher = Callable[..., bool]
Case = tuple[dict, "Transcript", "tuple[KeyPoint, ...]"]  # sentence, transcript, key points


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def row(self, name: str) -> str:
        return (f"| {name} | {self.precision:.2f} | {self.recall:.2f} | {self.tp} | "
                f"{self.fp} | {self.fn} |")


# keypoints.toml: the first set (dev/test halves, "fresh"); keypoints_senses.toml:
# written with the senses ("senses"); keypoints_blind.toml: blind ("fresh2" to "fresh4").
FILES = ("keypoints.toml", "keypoints_senses.toml", "keypoints_blind.toml")


def sentences() -> list[dict]:
    items = load_toml(FILES[0])["s"]
    for i, item in enumerate(items):
        item.setdefault("split", "dev" if i % 2 == 0 else "test")
    return items + [s for name in FILES[1:] for s in load_toml(name)["s"]]


def _phrases_only(tr, kp, prompt_id: str) -> bool:
    from voicecoach.analysis.phrases import lexicon

    return bool(lexicon(tuple(kp.phrases)).find(tr.texts))


def _current(tr, kp, prompt_id: str) -> bool:
    from voicecoach.analysis.keypoints import find_key_point

    return find_key_point(tr, kp, _prompt(prompt_id)) is not None


@cache
def _prompt(prompt_id: str):
    from voicecoach.prompts import get_prompt

    return get_prompt(prompt_id)


SPLITS = {"test": "first set, held-out half",
          "fresh": "first set, fresh sentences (read by the senses' authors)",
          "senses": "written with the senses", "fresh2": "blind set 2 (read to choose changes)",
          "fresh3": "blind set 3 (never read)", "fresh4": "blind set 4 (never read)"}
MATCHERS: dict[str, Matcher] = {"phrases (before)": _phrases_only,
                                "keypoints.py (now)": _current}


def cases() -> list[Case]:
    """Each labeled sentence with its transcript and its prompt's key points, built once
    for every matcher and split."""
    from tools.synthetic import words_from_text
    from voicecoach.analysis.text import build_transcript
    from voicecoach.prompts import load_prompts

    prompts = {p.id: p for p in load_prompts()}
    return [(s, build_transcript(words_from_text(s["text"])), prompts[s["prompt"]].key_points)
            for s in sentences()]


def measure(matcher: Matcher, split: str | None = None, items: list[Case] | None = None
            ) -> Tally:
    tally = Tally()
    for s, tr, key_points in cases() if items is None else items:
        if split and s["split"] != split:
            continue
        for kp in key_points:
            found, made = matcher(tr, kp, s["prompt"]), kp.id in s["points"]
            if found and made:
                tally.tp += 1
            elif found:
                tally.fp += 1
                tally.errors.append(f"false {s['prompt']}/{kp.id} [{s['kind']}, "
                                    f"{s['split']}]: {s['text']}")
            elif made:
                tally.fn += 1
                tally.errors.append(f"missed {s['prompt']}/{kp.id} [{s['kind']}, "
                                    f"{s['split']}]: {s['text']}")
    return tally


def table() -> tuple[list[str], dict[str, Tally]]:
    items = cases()
    labeled = [s for s, _, _ in items]
    lines = [f"Key-point coverage on {len(labeled)} labeled sentences "
             f"({len({s['prompt'] for s in labeled})} prompts; "
             + ", ".join(f"{sum(s['kind'] == k for s in labeled)} {k}"
                         for k in ("paraphrase", "trap", "plain")) + "):", "",
             "| matcher | precision | recall | found and made | found, not made | "
             "made, not found |", "|---|---|---|---|---|---|"]
    tallies = {}
    for name, matcher in MATCHERS.items():
        for split in (None, *SPLITS):
            t = measure(matcher, split, items)
            label = f"{name}, {SPLITS[split]}" if split else f"{name}, all"
            tallies[label] = t
            lines.append(t.row(label))
    return lines, tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.validate.coverage")
    parser.add_argument("--misses", action="store_true", help="list every error")
    args = parser.parse_args(argv)
    lines, tallies = table()
    print("\n".join(lines))
    if args.misses:
        print("\n".join(["", *tallies["keypoints.py (now), all"].errors]))
    now = tallies["keypoints.py (now), all"]
    ok = now.precision >= 0.9 and now.recall >= 0.85
    if not ok:
        print("coverage: target missed (precision >= 0.9, recall >= 0.85)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
