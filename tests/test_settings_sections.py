"""settings.toml in sections: [engine], [audio], [practice], [delivery], [scoring].

Saved in sections, read back the same; a file from before the sections still loads;
a misspelt or misplaced setting is one line that says what was meant, at start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import tomllib
from conftest import JFK

from voicecoach.config import SECTION_OF, Settings, SettingsError, load_settings, save_settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_has_one_section_and_a_round_trip_keeps_them(tmp_path: Path):
    assert {f.name for f in fields(Settings)} - {"scoring"} == set(SECTION_OF)
    chosen = Settings(beam_size=3, think_s=12, input_device="USB mic",
                      filler_words=["basically"], scoring={"run_on_words": 50})
    path = save_settings(chosen, tmp_path / "settings.toml")
    tables = tomllib.loads(path.read_text())
    assert set(tables) == {"engine", "audio", "practice", "delivery", "scoring"}
    assert tables["engine"]["beam_size"] == 3 and tables["practice"]["think_s"] == 12
    assert tables["scoring"] == {"run_on_words": 50}
    assert load_settings(path, environ={}) == chosen


def test_a_file_from_before_the_sections_still_loads(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text('engine = "openai-whisper"\nthink_s = 12\n[scoring]\nrun_on_words = 50\n')
    settings = load_settings(path, environ={})
    assert (settings.engine, settings.think_s, settings.scoring) == (
        "openai-whisper", 12, {"run_on_words": 50})


@pytest.mark.parametrize("text,line", [
    ("[engine]\nmodle = 'base.en'\n", "[engine] unknown setting 'modle' (did you mean 'model'?)"),
    ("[engine]\nthink_s = 10\n", "[engine] setting 'think_s' belongs in [practice]"),
    ("[practise]\nthink_s = 10\n", "unknown setting 'practise' (did you mean 'practice'?)"),
    ("[practice]\nthink_s = 700\n", "[practice] think_s = 700: must be from 0 to 600"),
    ("[scoring]\nrun_on_wrds = 50\n", "[scoring] field run_on_wrds: unknown scoring rule"),
])
def test_a_typo_in_a_section_is_one_line_saying_what_was_meant(tmp_path: Path, text, line):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(path, environ={})
    assert str(err.value) == f"{path}: {line}" or str(err.value).startswith(f"{path}: {line}")
    assert "\n" not in str(err.value)


def test_a_typo_in_scoring_stops_the_command_before_any_audio_is_read(tmp_path: Path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[scoring]\nrun_on_wrds = 50\n")
    env = {**os.environ, "VOICECOACH_CONFIG_DIR": str(config),
           "VOICECOACH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "voicecoach", "score", str(JFK)], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"voicecoach: error: {config / 'settings.toml'}: [scoring] field run_on_wrds: "
        "unknown scoring rule"]
