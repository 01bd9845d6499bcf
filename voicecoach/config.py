"""User settings: TOML in the user's config directory, overridable by environment.

Every field can be overridden by `VOICECOACH_<FIELD>` (upper case), e.g.
`VOICECOACH_ENGINE=openai-whisper`. Paths follow platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import tomllib

from voicecoach.errors import VoiceCoachError

APP = "voicecoach"
ENGINES = ("faster-whisper", "openai-whisper")


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
    beam_size: int = 5
    vad_aggressiveness: int = 2
    min_pause_s: float = 0.5
    long_pause_s: float = 1.0
    filler_words: list[str] = field(default_factory=list)  # extra words counted as fillers
    live_transcript: bool = False
    # Scoring thresholds and word lists: the `[scoring]` table, field names as in
    # voicecoach.analysis.rules.ScoringRules (documented in docs/scoring.md).
    scoring: dict = field(default_factory=dict)

    def validate(self) -> Settings:
        if self.engine not in ENGINES:
            raise VoiceCoachError(
                f"unknown engine {self.engine!r}: choose one of {', '.join(ENGINES)}"
            )
        if self.pace_min_wpm >= self.pace_max_wpm:
            raise VoiceCoachError("pace_min_wpm must be below pace_max_wpm")
        if not 0 <= self.vad_aggressiveness <= 3:
            raise VoiceCoachError("vad_aggressiveness must be 0..3")
        return self


def config_dir() -> Path:
    env = os.environ.get("VOICECOACH_CONFIG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_path

    return user_config_path(APP)


def data_dir() -> Path:
    env = os.environ.get("VOICECOACH_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path(APP)


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then `VOICECOACH_*` environment variables."""
    path = path or settings_path()
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise VoiceCoachError(f"{path}: not valid TOML ({err})") from None
    types = {f.name: f.type for f in fields(Settings)}
    unknown = set(values) - set(types)
    if unknown:
        raise VoiceCoachError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    for name in types:
        raw = environ.get(f"VOICECOACH_{name.upper()}")
        if raw is not None:
            values[name] = _parse_env(name, raw, Settings.__dataclass_fields__[name].default)
    defaults = Settings()
    for name, value in values.items():
        expected = type(getattr(defaults, name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            values[name] = float(value)
        elif not isinstance(values[name], expected):
            raise VoiceCoachError(
                f"{path}: setting {name} must be {expected.__name__}, got {value!r}"
            )
    return Settings(**values).validate()  # type: ignore[arg-type]


def _parse_env(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise VoiceCoachError(f"VOICECOACH_{name.upper()}={raw!r} is not a number") from None
    if name == "filler_words":
        return [w.strip() for w in raw.split(",") if w.strip()]
    return raw


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    import tomli_w

    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(asdict(settings.validate())), encoding="utf-8")
    tmp.replace(path)
    return path
