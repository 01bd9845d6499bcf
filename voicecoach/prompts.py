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
# What a follow-up may probe besides key points: the structure elements of
# voicecoach.analysis.structure ("data" is its "data_first").
FOLLOW_UP_ELEMENTS: tuple[str, ...] = ("clarify", "data", "constraints", "tradeoffs", "risks",
                                       "monitoring", "outcome", "learning")
FOLLOW_UP_SEP = "/"  # "design-fraud-detection/monitoring" names a follow-up as a prompt
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?\*?")


class PromptError(VoiceCoachError):
    """A prompt file is invalid, or a prompt id is unknown."""


@dataclass(frozen=True)
class KeyPoint:
    """One thing a strong answer covers, the phrases it is searched and found by, and
    other ways of saying it.

    A phrase is matched as a whole-word sequence in the transcript, case- and
    punctuation-insensitive, contractions expanded ("I'd" = "I would"); a trailing `*`
    on a word matches any ending ("label*" matches "labels", "labeling"). How the
    phrases and senses are weighed into "the answer made this point" is
    voicecoach.analysis.keypoints.
    """

    id: str
    label: str
    phrases: tuple[str, ...]
    # Other ways of saying it (optional): cues for coverage only, not shown or searched.
    # The bank's own live in voicecoach/analysis/senses/; a user's prompt puts them here.
    senses: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """An interviewer's probe after the first answer, and what it probes: key point ids
    of its prompt and/or structure elements (FOLLOW_UP_ELEMENTS)."""

    id: str
    text: str
    probes: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()


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
    model_answer: str | None = None  # what a strong answer sounds like (60-120 s spoken)
    follow_ups: tuple[FollowUp, ...] = ()
    parent: str | None = None  # for a follow-up as a prompt: the question it follows

    def follow_up(self, follow_up_id: str) -> FollowUp:
        for fu in self.follow_ups:
            if fu.id == follow_up_id:
                return fu
        raise PromptError(f"prompt {self.id!r} has no follow-up {follow_up_id!r}")


def follow_up_prompt(prompt: Prompt, follow_up: FollowUp) -> Prompt:
    """A follow-up as a prompt of its own, so its answer is a normal take: judged on the
    key points it probes (all of them when it probes only structure)."""
    probed = tuple(kp for kp in prompt.key_points if kp.id in follow_up.probes)
    return Prompt(f"{prompt.id}{FOLLOW_UP_SEP}{follow_up.id}", follow_up.text, prompt.category,
                  think_s=min(prompt.think_s, 15), answer_s=min(prompt.answer_s, 120),
                  key_points=probed or prompt.key_points, source=prompt.source,
                  parent=prompt.id)


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
    """A prompt of the bank by id; "PROMPT/FOLLOW-UP" gives a follow-up as a prompt."""
    if FOLLOW_UP_SEP in prompt_id:
        parent_id, _, fu_id = prompt_id.partition(FOLLOW_UP_SEP)
        parent = get_prompt(parent_id, directory)
        return follow_up_prompt(parent, parent.follow_up(fu_id))
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
    _known_fields(path, where, entry, {"id", "text", "think_s", "answer_s", "key_point", "audio",
                                       "model_answer", "follow_up"})
    pid = _id(path, f"{where}.id", entry.get("id"))
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
    model_answer = entry.get("model_answer")
    if model_answer is not None:
        model_answer = " ".join(_string(path, f"{where}.model_answer", model_answer).split())
    follow_ups = _follow_ups(path, where, entry.get("follow_up", []), ids)
    return Prompt(pid, text.strip(), category, times["think_s"], times["answer_s"], points,
                  audio_path, path, model_answer, follow_ups)


def _follow_ups(path: Path, where: str, raw: Any, key_ids: list[str]
                ) -> tuple[FollowUp, ...]:
    if not isinstance(raw, list):
        raise PromptError(f"{path}: field {where}.follow_up: must be [[prompt.follow_up]] tables")
    out: list[FollowUp] = []
    for i, item in enumerate(raw):
        here = f"{where}.follow_up[{i}]"
        if not isinstance(item, dict):
            raise PromptError(f"{path}: field {here}: must be a table with id, text, probes")
        _known_fields(path, here, item, {"id", "text", "probes", "elements"})
        fid = _id(path, f"{here}.id", item.get("id"))
        if any(fu.id == fid for fu in out):
            raise PromptError(f"{path}: field {here}.id: {fid!r} appears twice")
        text = _string(path, f"{here}.text", item.get("text"))
        probes = _names(path, f"{here}.probes", item.get("probes", []), key_ids, "key point")
        elements = _names(path, f"{here}.elements", item.get("elements", []),
                          list(FOLLOW_UP_ELEMENTS), "element")
        if not probes and not elements:
            raise PromptError(f"{path}: field {here}.probes: a follow-up must probe at least "
                              "one key point or element")
        out.append(FollowUp(fid, " ".join(text.split()), probes, elements))
    return tuple(out)


def _names(path: Path, name: str, value: Any, allowed: list[str], kind: str
           ) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PromptError(f"{path}: field {name}: must be a list of {kind} ids")
    for v in value:
        if v not in allowed:
            raise PromptError(f"{path}: field {name}: {v!r} is not a {kind} here "
                              f"(one of {', '.join(allowed)})")
    return tuple(value)


def _key_point(path: Path, where: str, raw: Any) -> KeyPoint:
    if not isinstance(raw, dict):
        raise PromptError(f"{path}: field {where}: must be a table with id, label, phrases")
    _known_fields(path, where, raw, {"id", "label", "phrases", "senses"})
    kid = _string(path, f"{where}.id", raw.get("id"))
    label = _string(path, f"{where}.label", raw.get("label"))
    phrases = _phrase_list(path, f"{where}.phrases", raw.get("phrases"))
    senses = _phrase_list(path, f"{where}.senses", raw["senses"]) if "senses" in raw else ()
    return KeyPoint(kid, label, phrases, senses)


def _phrase_list(path: Path, name: str, phrases: Any) -> tuple[str, ...]:
    if not isinstance(phrases, list) or not phrases:
        raise PromptError(f"{path}: field {name}: needs a non-empty list of strings")
    for j, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase_tokens(phrase):
            raise PromptError(f"{path}: field {name}[{j}]: {phrase!r} has no words")
    return tuple(phrases)


def _known_fields(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    """A misspelt field is named, never silently ignored."""
    unknown = set(table) - allowed
    if unknown:
        raise PromptError(f"{path}: field {where}.{sorted(unknown)[0]}: unknown field")


def _id(path: Path, name: str, value: Any) -> str:
    ident = _string(path, name, value)
    if not _ID.match(ident):
        raise PromptError(f"{path}: field {name}: {ident!r} must be lower-case a-z, 0-9 and -")
    return ident


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
