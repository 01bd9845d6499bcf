"""User settings: TOML in the user's config directory, overridable by environment.

The file has one table per concern (`SECTIONS`): `[engine]`, `[audio]`, `[practice]`,
`[delivery]`, and `[scoring]` for the scoring rules. A file from before the sections
(every setting at the top level) still loads; saving writes the sections.

Every field can be overridden by `VOICECOACH_<FIELD>` (upper case), e.g.
`VOICECOACH_ENGINE=openai-whisper`; `VOICECOACH_SCORING` takes the `[scoring]` table
as TOML (`run_on_words = 50, hedges = ["maybe"]`). Paths follow platformdirs.

Every value is checked at load, file and environment alike, against a type and a
range (`BOUNDS`): a bad value is one line naming where it came from, never an error
deep in scoring after the model loaded, and no setting can make a run loop or
allocate without bound.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomllib

from voicecoach.errors import VoiceCoachError
from voicecoach.model import MAX_ANSWER_S
from voicecoach.paths import settings_path

ENGINES = ("faster-whisper", "openai-whisper")


# Inclusive ranges of the numeric settings: wide enough for any real use, narrow
# enough that none can exhaust the machine (beam_size = 100000 fails in the allocator).
BOUNDS: dict[str, tuple[float, float]] = {
    "think_s": (0, 600),
    "answer_s": (5, MAX_ANSWER_S),
    "pace_min_wpm": (40, 400),
    "pace_max_wpm": (40, 400),
    "beam_size": (1, 16),
    "vad_aggressiveness": (0, 3),
    "min_pause_s": (0.1, 10.0),
    "long_pause_s": (0.1, 60.0),
}
# Which table of settings.toml holds each setting; `[scoring]` holds the scoring rules
# (voicecoach.analysis.rules.ScoringRules, docs/scoring.md).
SECTIONS: dict[str, tuple[str, ...]] = {
    "engine": ("engine", "model", "beam_size", "filler_prompt"),
    "audio": ("input_device", "vad_aggressiveness", "min_pause_s", "long_pause_s"),
    "practice": ("think_s", "answer_s", "live_transcript"),
    "delivery": ("pace_min_wpm", "pace_max_wpm", "filler_words"),
}
SECTION_OF = {name: section for section, names in SECTIONS.items() for name in names}
MAX_TEXT = 200  # model name, input device
MAX_FILLER_WORDS, MAX_WORD = 100, 40
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(VoiceCoachError):
    """One or more bad settings: one line each."""


@dataclass
class Settings:
    engine: str = "faster-whisper"
    model: str = "tiny.en"
    input_device: str = ""  # "" = the system default input
    think_s: int = 30  # drill: think time before answering, when a prompt sets none
    answer_s: int = 120  # drill: answer time, when a prompt sets none
    pace_min_wpm: int = 120
    pace_max_wpm: int = 175
    filler_prompt: bool = True  # with its fallback; measured in docs/scoring.md
    beam_size: int = 3  # 5: 1 more real filler in 26, 0.1 s more a chunk (docs/scoring.md)
    vad_aggressiveness: int = 2
    min_pause_s: float = 0.5
    long_pause_s: float = 1.0
    filler_words: list[str] = field(default_factory=list)  # extra words counted as fillers
    live_transcript: bool = False
    # Scoring thresholds and word lists: the `[scoring]` table, field names as in
    # voicecoach.analysis.rules.ScoringRules (documented in docs/scoring.md).
    scoring: dict = field(default_factory=dict)

    def problems(self) -> list[tuple[str, str]]:
        """(field, what is wrong) for every bad value; empty when all are good."""
        out = [(f.name, p) for f in fields(self)
               if (p := _problem(f.name, getattr(self, f.name), _default(f.name)))]
        bad = {name for name, _ in out}
        if not bad & {"pace_min_wpm", "pace_max_wpm"} and self.pace_min_wpm >= self.pace_max_wpm:
            out.append(("pace_min_wpm", "must be below pace_max_wpm"))
        if not bad & {"min_pause_s", "long_pause_s"} and self.min_pause_s > self.long_pause_s:
            out.append(("min_pause_s", "must not be above long_pause_s"))
        if not bad & {"pace_min_wpm", "pace_max_wpm", "long_pause_s", "filler_words",
                      "scoring"}:
            from voicecoach.analysis.rules import ScoringRules

            try:  # the [scoring] table, with the general settings it builds on
                ScoringRules.from_settings(self)
            except VoiceCoachError as err:
                out += [("scoring", line) for line in str(err).splitlines()]
        return out

    def validate(self) -> Settings:
        problems = self.problems()
        if problems:
            raise SettingsError("\n".join(f"setting {name}: {text}" if name != "scoring"
                                          else text for name, text in problems))
        return self


def _default(name: str) -> Any:
    f = Settings.__dataclass_fields__[name]
    return f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]


def _problem(name: str, value: Any, default: Any) -> str | None:
    """Why `value` is not acceptable for setting `name`, or None."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if isinstance(default, (int, float)):
        whole = isinstance(default, int)
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            kind = "a whole number" if whole else "a number"
            return f"must be {kind}, got {value!r}"
        lo, hi = BOUNDS[name]
        if not math.isfinite(value) or not lo <= value <= hi:
            return f"must be from {lo:g} to {hi:g}, got {value!r}"
        return None
    if isinstance(default, str):
        if not isinstance(value, str):
            return f"must be text, got {value!r}"
        if name == "engine" and value not in ENGINES:
            return f"unknown engine {value!r}: choose one of {', '.join(ENGINES)}"
        if name == "model" and not value.strip():
            return "must name a model, e.g. tiny.en"
        return f"longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None
    if isinstance(default, list):
        if (not isinstance(value, list) or len(value) > MAX_FILLER_WORDS
                or not all(isinstance(w, str) and 0 < len(w.strip()) <= MAX_WORD for w in value)):
            return (f"must be a list of at most {MAX_FILLER_WORDS} words "
                    f"(1-{MAX_WORD} letters each), got {_short(value)}")
        return None
    if isinstance(default, dict):
        return None if isinstance(value, dict) else f"must be a table, got {_short(value)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then `VOICECOACH_*` environment variables.

    Raises `SettingsError` with one line per bad value, each naming its source.
    """
    path = path or settings_path()
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    lines: list[str] = []
    if path.exists():
        try:
            loaded = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise SettingsError(f"{path}: not valid TOML ({err})") from None
        except OSError as err:
            raise SettingsError(f"cannot read {path}: {err.strerror or err}") from None
        known = {f.name for f in fields(Settings)}
        for name, value in loaded.items():
            if name in SECTIONS and isinstance(value, dict):
                for key, inner in value.items():
                    if SECTION_OF.get(key) == name:
                        values[key] = inner
                        where[key] = f"{path}: [{name}] {key} = {_short(inner)}"
                    else:
                        lines.append(f"{path}: [{name}] {_unknown(key)}")
            elif name in known:  # the scoring table, or a file from before the sections
                values[name] = value
                where[name] = (str(path) if name == "scoring"
                               else f"{path}: {name} = {_short(value)}")
            else:
                lines.append(f"{path}: {_unknown(name)}")
    for f in fields(Settings):
        var = f"VOICECOACH_{f.name.upper()}"
        raw = environ.get(var)
        if raw is None:
            continue
        where[f.name] = f"{var}={raw!r}" if f.name != "scoring" else var
        try:
            values[f.name] = _parse_env(f.name, raw, _default(f.name))
        except ValueError as err:
            lines.append(f"{where[f.name]}: {err}")
            values.pop(f.name, None)
    settings = Settings()
    for name, value in values.items():
        setattr(settings, name, value)
    for name, text in settings.problems():
        source = where.get(name) or str(path)
        lines.append(f"{source}: {text}")
    if lines:
        raise SettingsError("\n".join(dict.fromkeys(lines)))
    if isinstance(settings.min_pause_s, int):
        settings.min_pause_s = float(settings.min_pause_s)
    if isinstance(settings.long_pause_s, int):
        settings.long_pause_s = float(settings.long_pause_s)
    return settings


def _unknown(name: str) -> str:
    """"unknown setting 'x'", with where a known one belongs or the nearest name."""
    if name in SECTION_OF:
        return f"setting {name!r} belongs in [{SECTION_OF[name]}]"
    near = difflib.get_close_matches(name, list(SECTION_OF) + list(SECTIONS), n=1)
    return f"unknown setting {name!r}" + (f" (did you mean {near[0]!r}?)" if near else "")


def _parse_env(name: str, raw: str, default: object) -> object:
    """A `VOICECOACH_<NAME>` value as its setting's type; ValueError says why not."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in TRUE + FALSE:
            return text.lower() in TRUE
        raise ValueError("must be true or false (1/0, yes/no, on/off)")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ValueError("must be a number") from None
    if name == "filler_words":
        return [w.strip() for w in raw.split(",") if w.strip()]
    if name == "scoring":
        body = text[1:-1] if text.startswith("{") and text.endswith("}") else text
        try:
            return tomllib.loads(f"t = {{{body}}}")["t"]
        except tomllib.TOMLDecodeError as err:
            raise ValueError("must be TOML like 'run_on_words = 50, hedges = [\"maybe\"]' "
                             f"({err})") from None
    return raw


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write settings.toml readable by the user alone (0600, in a 0700 directory)."""
    import tomli_w

    from voicecoach.private import private_dir, write_private

    path = path or settings_path()
    values = asdict(settings.validate())
    tables: dict[str, Any] = {section: {name: values[name] for name in names}
                              for section, names in SECTIONS.items()}
    tables["scoring"] = values["scoring"]
    private_dir(path.parent, tighten=True)
    write_private(path, tomli_w.dumps(tables))
    return path
