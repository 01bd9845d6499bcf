"""A small JSON file beside each recording: what the database knows about its take.

`20261129-101500-a1b2c3.wav` gets `20261129-101500-a1b2c3.json` (0600) when its take
begins: the prompt it answers, its drill and category, when it started. If the
database is lost or damaged beyond salvage, `Store.recover()` re-imports the
recording linked to its prompt again (then it is scored again) instead of as a
"free answer" with no history.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voicecoach.private import write_private

log = logging.getLogger(__name__)
SCHEMA = "voicecoach.take/1"
SUFFIX = ".json"


@dataclass(frozen=True)
class TakeInfo:
    prompt_id: str | None
    category: str | None
    drill_id: int | None
    created_at: str  # the database's UTC ISO text


def sidecar_path(audio: Path) -> Path:
    """One name for every form of the recording (X.wav, X.flac, X.wav.partial)."""
    name = Path(audio).name
    stem = name.split(".", 1)[0]
    return Path(audio).with_name(stem + SUFFIX)


def write_sidecar(audio: Path, info: TakeInfo) -> None:
    """Best effort: a full disk must not stop the take (the database row has it all)."""
    try:
        write_private(sidecar_path(audio), json.dumps({"schema": SCHEMA, **asdict(info)}))
    except OSError as err:
        log.warning("no sidecar for %s: %s", audio, err)


def read_sidecar(audio: Path) -> TakeInfo | None:
    """The take's info, also for a copy recovery renamed (`X-recovered1.wav`)."""
    path = sidecar_path(audio)
    if not path.exists() and "-recovered" in path.stem:
        path = path.with_name(path.stem.rsplit("-recovered", 1)[0] + SUFFIX)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            return None
        drill = data.get("drill_id")
        return TakeInfo(_text(data.get("prompt_id")), _text(data.get("category")),
                        drill if isinstance(drill, int) else None, str(data["created_at"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remove_sidecar(audio: Path) -> None:
    with contextlib.suppress(OSError):
        sidecar_path(audio).unlink()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
