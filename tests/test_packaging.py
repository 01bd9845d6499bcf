"""The wheel is the product: built from this checkout, installed into a fresh virtualenv
and run from outside the repository, it lists the prompt bank and scores a recording.

No network: the wheel is built without build isolation, installed with --no-deps
--no-index, and the new virtualenv reaches the already installed dependencies (numpy,
faster-whisper, the bundled tiny.en weights) through a .pth file naming this
interpreter's site-packages, after its own, so `voicecoach` comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import JFK

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("tools", "bench", "validate", "synth", "wer")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh virtualenv holding the wheel of this checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy of what the build reads: it writes build/ and *.egg-info there.
    src = tmp / "src"
    for name in ("voicecoach", "prompts"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp / "dist"), str(src)], cwd=tmp)
    wheel = next((tmp / "dist").glob("voicecoach-*.whl"))
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)], cwd=tmp)
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                    cwd=tmp).stdout.strip())
    (site / "shared-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 300) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f"{cmd[:3]}: {out.stderr[-2000:]}"
    return out


def outside_env(tmp_path: Path) -> dict[str, str]:
    """No PYTHONPATH (a worktree's run sets it to the checkout); private dirs in tmp."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(VOICECOACH_DATA_DIR=str(tmp_path / "data"),
               VOICECOACH_CONFIG_DIR=str(tmp_path / "config"), HF_HUB_OFFLINE="1")
    env.pop("VOICECOACH_PROMPTS_DIR", None)
    env.pop("VOICECOACH_MODELS_DIR", None)
    return env


def test_the_wheel_carries_the_prompt_bank_and_no_development_tools(installed: Path):
    wheel = next(installed.parent.parent.glob("dist/voicecoach-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    bank = sorted(n for n in names if n.startswith("voicecoach/prompt_bank/"))
    assert bank == [f"voicecoach/prompt_bank/{p.name}" for p in sorted(
        (ROOT / "prompts").glob("*.toml"))]
    # The key points' other wordings: without them content coverage finds a fraction.
    senses = sorted(n for n in names if n.startswith("voicecoach/analysis/senses/"))
    assert senses == [f"voicecoach/analysis/senses/{p.name}" for p in sorted(
        (ROOT / "voicecoach/analysis/senses").glob("*.toml"))] and len(senses) == 8
    assert "voicecoach/tui/voicecoach.tcss" in names
    assert not [n for n in names if n.split("/")[0] in TOOLS or "/validate/" in n
                or n.startswith(("voicecoach/bench", "voicecoach/synth", "voicecoach/wer"))]


def test_the_installed_wheel_lists_prompts_outside_the_repository(installed: Path, tmp_path):
    env = outside_env(tmp_path)
    where = run([str(installed / "python"), "-c", "import voicecoach; print(voicecoach.__file__)"],
                cwd=tmp_path, env=env).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), where
    out = run([str(installed / "voicecoach"), "prompts"], cwd=tmp_path, env=env).stdout
    assert "design-fraud-detection" in out
    assert len(out.splitlines()) == len(
        run([sys.executable, "-m", "voicecoach", "prompts"], cwd=ROOT).stdout.splitlines())


def test_the_installed_wheel_scores_a_recording_outside_the_repository(installed: Path,
                                                                      tmp_path):
    env = outside_env(tmp_path)
    clip = tmp_path / "jfk.wav"
    shutil.copy(JFK, clip)
    out = run([str(installed / "voicecoach"), "score", str(clip), "--json"], cwd=tmp_path,
              env=env).stdout
    report = json.loads(out)
    assert report["schema"] == "voicecoach.report/1"
    assert len(report["transcript"]["words"]) == 22
    assert "ask not what your country can do for you" in report["transcript"]["text"].lower()
