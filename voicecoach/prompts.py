"""The prompt bank: interview questions in TOML, each with the key points a strong answer covers.

One TOML file per category under `prompts/` (see `prompts/README.md` for the format),
shipped in the wheel as `voicecoach/prompt_bank`.
Every problem in a file is reported as one line, `FILE: field X: problem`, so a user
editing the bank sees exactly what to fix.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import tomllib

from voicecoach.errors import VoiceCoachError

# Ordered as the article walks through an ML interview loop.
CATEGORIES: tuple[str, ...] = (
    "ML system design",
    "Data and labeling",
    "Leakage",
    "Drift and monitoring",
    "Productionizing",
    "Modeling decisions and tradeoffs",
    "Debugging",
    "Behavioral",
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?\*?")


class PromptError(VoiceCoachError):
    """A prompt file is invalid, or a prompt id is unknown."""


@dataclass(frozen=True)
class KeyPoint:
    """One thing a strong answer covers, and the phrases that count as touching it.

    A phrase is matched as a whole-word sequence in the transcript, case- and
    punctuation-insensitive, contractions expanded ("I'd" = "I would"); a trailing `*`
    on a word matches any ending ("label*" matches "labels", "labeling"). Matching
    lives in voicecoach.analysis.coverage.
    """

    id: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    category: str
    think_s: int
    answer_s: int
    key_points: tuple[KeyPoint, ...]
    audio: Path | None = None  # optional recording of the question being asked
    source: Path | None = None  # the TOML file it came from


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """'P95 latency' -> ('p95', 'latency'); keeps a trailing '*' as a prefix marker.
    Used to reject phrases with no words when a prompt file is loaded."""
    return tuple(_TOKEN.findall(phrase.lower().replace("-", " ")))


def prompts_dir() -> Path:
    """`VOICECOACH_PROMPTS_DIR`, else the bank shipped as package data.

    The bank is `voicecoach/prompt_bank`: in a checkout a link to the top-level
    `prompts/` (the files people edit), in a wheel a copy of them made by the build
    (tests/test_packaging.py installs one). Resolved, so a checkout names `prompts/`.
    """
    env = os.environ.get("VOICECOACH_PROMPTS_DIR")
    if env:
        return Path(env)
    # A package directory, never a zip: wheels are unpacked when installed.
    return Path(str(resources.files("voicecoach") / "prompt_bank")).resolve()


def load_prompts(directory: Path | None = None) -> list[Prompt]:
    """All prompts in `directory` (default `prompts_dir()`), in category then file order."""
    directory = Path(directory) if directory is not None else prompts_dir()
    if not directory.is_dir():
        raise PromptError(f"{directory}: prompt directory not found")
    prompts: list[Prompt] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        for prompt in _load_file(path):
            if prompt.id in seen:
                raise PromptError(
                    f"{path}: field id: {prompt.id!r} already defined in {seen[prompt.id].name}"
                )
            seen[prompt.id] = path
            prompts.append(prompt)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    prompts.sort(key=lambda p: order[p.category])  # stable: file order inside a category
    return prompts


def get_prompt(prompt_id: str, directory: Path | None = None) -> Prompt:
    prompts = load_prompts(directory)
    for prompt in prompts:
        if prompt.id == prompt_id:
            return prompt
    close = difflib.get_close_matches(prompt_id, [p.id for p in prompts], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `prompts/` for the ids"
    raise PromptError(f"unknown prompt {prompt_id!r}{hint}")


def _load_file(path: Path) -> list[Prompt]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PromptError(f"{path}: not valid TOML ({err})") from None
    category = data.get("category")
    if not isinstance(category, str) or category not in CATEGORIES:
        raise PromptError(
            f"{path}: field category: {category!r} is not one of {', '.join(CATEGORIES)}"
        )
    unknown = set(data) - {"category", "think_s", "answer_s", "prompt"}
    if unknown:
        raise PromptError(f"{path}: field {sorted(unknown)[0]}: unknown field")
    defaults = {k: data[k] for k in ("think_s", "answer_s") if k in data}
    for name, value in defaults.items():
        _positive_int(path, name, value)
    entries = data.get("prompt")
    if not isinstance(entries, list) or not entries:
        raise PromptError(f"{path}: field prompt: needs at least one [[prompt]] table")
    return [_prompt(path, f"prompt[{i}]", entry, category, defaults)
            for i, entry in enumerate(entries)]


def _prompt(path: Path, where: str, entry: Any, category: str, defaults: dict[str, int]
            ) -> Prompt:
    if not isinstance(entry, dict):
        raise PromptError(f"{path}: field {where}: must be a table")
    allowed = {"id", "text", "think_s", "answer_s", "key_point", "audio"}
    unknown = set(entry) - allowed
    if unknown:
        raise PromptError(f"{path}: field {where}.{sorted(unknown)[0]}: unknown field")
    pid = _string(path, f"{where}.id", entry.get("id"))
    if not _ID.match(pid):
        raise PromptError(f"{path}: field {where}.id: {pid!r} must be lower-case a-z, 0-9 and -")
    where = f"{where} ({pid})"
    text = _string(path, f"{where}.text", entry.get("text"))
    times = {}
    for name in ("think_s", "answer_s"):
        value = entry.get(name, defaults.get(name))
        if value is None:
            raise PromptError(f"{path}: field {where}.{name}: missing")
        times[name] = _positive_int(path, f"{where}.{name}", value)
    points_raw = entry.get("key_point")
    if not isinstance(points_raw, list) or not points_raw:
        raise PromptError(
            f"{path}: field {where}.key_point: needs at least one [[prompt.key_point]]"
        )
    points = tuple(_key_point(path, f"{where}.key_point[{i}]", kp)
                   for i, kp in enumerate(points_raw))
    ids = [kp.id for kp in points]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise PromptError(f"{path}: field {where}.key_point.id: {dup!r} appears twice")
    audio = entry.get("audio")
    audio_path = None
    if audio is not None:
        audio_path = (path.parent / _string(path, f"{where}.audio", audio)).resolve()
    return Prompt(pid, text.strip(), category, times["think_s"], times["answer_s"], points,
                  audio_path, path)


def _key_point(path: Path, where: str, raw: Any) -> KeyPoint:
    if not isinstance(raw, dict):
        raise PromptError(f"{path}: field {where}: must be a table with id, label, phrases")
    unknown = set(raw) - {"id", "label", "phrases"}
    if unknown:
        raise PromptError(f"{path}: field {where}.{sorted(unknown)[0]}: unknown field")
    kid = _string(path, f"{where}.id", raw.get("id"))
    label = _string(path, f"{where}.label", raw.get("label"))
    phrases = raw.get("phrases")
    if not isinstance(phrases, list) or not phrases:
        raise PromptError(f"{path}: field {where}.phrases: needs a non-empty list of strings")
    for j, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase_tokens(phrase):
            raise PromptError(f"{path}: field {where}.phrases[{j}]: {phrase!r} has no words")
    return KeyPoint(kid, label, tuple(phrases))


def _string(path: Path, name: str, value: Any) -> str:
    if value is None:
        raise PromptError(f"{path}: field {name}: missing")
    if not isinstance(value, str) or not value.strip():
        raise PromptError(f"{path}: field {name}: must be a non-empty string, got {value!r}")
    return value


def _positive_int(path: Path, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PromptError(f"{path}: field {name}: must be a positive whole number of seconds,"
                          f" got {value!r}")
    return value
