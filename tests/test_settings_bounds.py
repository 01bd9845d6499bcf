"""Issue #16 item 8: every setting is checked at load, file and environment alike.

Each bad value is one line naming where it came from, before any model loads; the
`voicecoach` command prints those lines and exits 2 (no traceback, no "internal error").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from voicecoach.analysis.rules import ScoringRules
from voicecoach.config import MAX_ANSWER_S, Settings, SettingsError, load_settings, save_settings

ROOT = Path(__file__).resolve().parents[1]

# Each of these was accepted silently or failed late ("internal error") before.
BAD_FILE_VALUES = [
    ("filler_words = [1, 2]", "filler_words"),
    ("beam_size = 0", "beam_size"),
    ("beam_size = -3", "beam_size"),
    ("beam_size = 100000", "beam_size"),
    ("beam_size = true", "beam_size"),
    ("think_s = -5", "think_s"),
    ("answer_s = -60", "answer_s"),
    (f"answer_s = {MAX_ANSWER_S + 1}", "answer_s"),
    ("min_pause_s = -2.0", "min_pause_s"),
    ("long_pause_s = -2.0", "long_pause_s"),
    ("min_pause_s = nan", "min_pause_s"),
    ("long_pause_s = inf", "long_pause_s"),
    ("pace_max_wpm = 12345678901234567890123456", "pace_max_wpm"),
    ("vad_aggressiveness = 7", "vad_aggressiveness"),
    ("engine = 'whisper.cpp'", "engine"),
    ("[scoring]\npace_window_s = 0", "pace_window_s"),
    ("[scoring]\npace_hop_s = 0", "pace_hop_s"),
    ("[scoring]\nfiller_curve = []", "filler_curve"),
    ("[scoring]\nfiller_curve = [[5, 100], [1, 0]]", "filler_curve"),
    ("[scoring]\nrun_on_words = nan", "run_on_words"),
    ("[scoring]\noverall_weights = {structure = -1}", "overall_weights"),
]


@pytest.mark.parametrize("text,name", BAD_FILE_VALUES, ids=[t for t, _ in BAD_FILE_VALUES])
def test_bad_value_in_the_file_is_one_line_naming_it(tmp_path: Path, text: str, name: str):
    path = tmp_path / "settings.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, environ={})
    message = str(err.value)
    assert "\n" not in message and name in message and str(path) in message


def test_several_bad_values_are_one_line_each(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text("beam_size = -3\nthink_s = -1\nnope = 2\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, environ={})
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert any("beam_size = -3" in x for x in lines) and any("'nope'" in x for x in lines)


@pytest.mark.parametrize("var,value", [
    ("VOICECOACH_FILLER_PROMPT", "maybe"),
    ("VOICECOACH_BEAM_SIZE", "0"),
    ("VOICECOACH_BEAM_SIZE", "lots"),
    ("VOICECOACH_MIN_PAUSE_S", "nan"),
    ("VOICECOACH_THINK_S", "-1"),
    ("VOICECOACH_SCORING", "pace_hop_s = 0"),
    ("VOICECOACH_SCORING", "not toml at all"),
])
def test_bad_environment_override_is_one_line_naming_the_variable(tmp_path, var, value):
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path / "none.toml", environ={var: value})
    message = str(err.value)
    assert "\n" not in message and message.startswith(var) and "must" in message
    assert "none.toml" not in message  # it used to name a file that does not exist


def test_scoring_can_be_set_from_the_environment(tmp_path: Path):
    settings = load_settings(tmp_path / "none.toml", environ={
        "VOICECOACH_SCORING": 'run_on_words = 50, hedges = ["maybe"]',
        "VOICECOACH_FILLER_PROMPT": "off"})
    rules = ScoringRules.from_settings(settings)
    assert (rules.run_on_words, rules.hedges, settings.filler_prompt) == (50, ("maybe",), False)


def test_good_settings_round_trip_privately(tmp_path: Path):
    path = tmp_path / "config" / "settings.toml"
    save_settings(Settings(beam_size=4, filler_words=["basically"]), path)
    assert load_settings(path, environ={}).beam_size == 4
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)


@pytest.mark.parametrize("text", ["beam_size = -3\n", "[scoring]\npace_hop_s = 0\n"])
def test_the_command_prints_the_lines_and_exits_2_before_loading_a_model(tmp_path, text):
    from conftest import JFK

    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text(text, encoding="utf-8")
    env = {**os.environ, "VOICECOACH_CONFIG_DIR": str(config),
           "VOICECOACH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "voicecoach", "score", str(JFK)], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("voicecoach: error: ") and "settings.toml" in line
    assert "Traceback" not in done.stderr and done.stdout == ""
