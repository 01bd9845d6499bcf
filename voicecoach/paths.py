"""Where voicecoach keeps its files: one module owns every path.

Settings under the user config directory; the take database (its recordings beside
it), models, exports, logs and screenshots under the user data directory
(platformdirs). VOICECOACH_CONFIG_DIR, VOICECOACH_DATA_DIR and VOICECOACH_MODELS_DIR
override them (tests, portable installs). Nothing here creates a directory: the
writers do, private (0700), through voicecoach.private.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "voicecoach"
DB_NAME = "voicecoach.sqlite3"
RECORDINGS = "recordings"  # beside the database


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


def database_path() -> Path:
    """The take database; its recordings live in `recordings/` beside it."""
    return data_dir() / DB_NAME


def models_dir() -> Path:
    """`VOICECOACH_MODELS_DIR`, else `models/` of a source checkout, else the data dir's."""
    env = os.environ.get("VOICECOACH_MODELS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[1] / "models"
    if (checkout / "README.md").exists():
        return checkout
    return data_dir() / "models"


def exports_dir() -> Path:
    """Where the app saves exports."""
    return data_dir() / "exports"


def logs_dir() -> Path:
    """PortAudio's and ALSA's stderr while the TUI runs (kept off the screen)."""
    return data_dir() / "logs"


def screenshots_dir() -> Path:
    return data_dir() / "screenshots"
