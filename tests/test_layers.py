"""The layering of docs/architecture.md, seen from a fresh interpreter.

`lint-imports` (.importlinter, run by scripts/test.sh) checks the import graph; this
checks what actually loads: importing every core module, the way a CLI run or a
headless user of the library would, brings in no Textual and no Rich.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import voicecoach

ROOT = Path(__file__).resolve().parents[1]
# Everything but the front ends (voicecoach.tui, and the CLI that starts it).
FRONT_ENDS = ("voicecoach.tui", "voicecoach.cli", "voicecoach.cli_history", "voicecoach.__main__")


def core_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(voicecoach.__path__, "voicecoach.")]
    return sorted(n for n in names
                  if not any(n == f or n.startswith(f + ".") for f in FRONT_ENDS))


def test_importing_every_core_module_loads_no_textual_or_rich():
    modules = core_modules()
    assert {"voicecoach.model", "voicecoach.pipeline", "voicecoach.store.db",
            "voicecoach.audio.recorder", "voicecoach.analysis.scoring"} <= set(modules)
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"the core loaded {out.stdout.strip()}"


def test_the_front_ends_are_what_loads_textual():
    """The check above can fail: the TUI package does load Textual."""
    code = "import sys, voicecoach.tui.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "True", out.stderr[-2000:]
