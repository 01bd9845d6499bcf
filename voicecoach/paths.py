"""Where voicecoach keeps its files: one module owns every path.

Settings under the user config directory, takes, models, exports and logs under the
user data directory (platformdirs); VOICECOACH_CONFIG_DIR and VOICECOACH_DATA_DIR
override them (tests, portable installs). Nothing here creates a directory: the
writers do, private (0700), through voicecoach.private.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "voicecoach"


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
