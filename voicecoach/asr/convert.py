"""Convert a CTranslate2 (faster-whisper) Whisper model into an openai-whisper checkpoint.

No public converter exists (CTranslate2 #2031, faster-whisper #1328), yet the bundled
offline weights are CTranslate2 files. `model.bin` is parsed here with struct + numpy, so
reading needs neither ctranslate2 nor a model hub; torch is needed only to save.

Layout of `model.bin` (CTranslate2 `model_spec.py`, binary version 6): uint32 version,
string spec name, uint32 revision, uint32 variable count, then per variable: string name,
uint8 rank, uint32 dims, uint8 dtype id, uint32 byte count, raw bytes; then uint32 alias
count and (alias, target) string pairs. A string is a uint16 length (with the trailing
NUL), the bytes, the NUL. All integers are little-endian.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import struct
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import ModelError

Progress = Callable[[float, str], None]

SPEC_NAME = "WhisperSpec"
# Version 4 introduced the dtype id per variable; 6 is what CTranslate2 4.x writes.
MIN_BINARY_VERSION = 4
MAX_BINARY_VERSION = 6

# CTranslate2 dtype ids → numpy dtypes. bf16 has no numpy type: read raw, widen later.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_BF16 = 5

# Whisper's published sizes (d_model → attention heads); all use a head size of 64.
_HEADS_BY_WIDTH = {384: 6, 512: 8, 768: 12, 1024: 16, 1280: 20}
_HEAD_SIZE = 64


@dataclass
class Ct2Model:
    """The variables of a CTranslate2 model file, with aliases resolved."""

    spec: str
    revision: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    bf16: set[str] = field(default_factory=set)  # names whose raw uint16 bits are bf16


@dataclass(frozen=True)
class Dims:
    """openai-whisper's `ModelDimensions`, same field names and order."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


# --------------------------------------------------------------------------- reading


class _Reader:
    """Sequential little-endian reads over a buffer; every overrun is a ModelError."""

    def __init__(self, buf: memoryview | bytes | np.ndarray, path: Path) -> None:
        self.buf = buf
        self.pos = 0
        self.path = path

    def take(self, n: int) -> Any:
        if n < 0 or self.pos + n > len(self.buf):
            raise ModelError(f"{self.path} is truncated or not a CTranslate2 model file")
        start, self.pos = self.pos, self.pos + n
        return self.buf[start : self.pos]

    def uint(self, fmt: str) -> int:
        return struct.unpack(fmt, bytes(self.take(struct.calcsize(fmt))))[0]

    def string(self) -> str:
        raw = bytes(self.take(self.uint("<H")))
        try:
            return raw.rstrip(b"\0").decode("utf-8")
        except UnicodeDecodeError:
            raise ModelError(f"{self.path} is not a CTranslate2 model file") from None


def read_ct2_model(path: Path) -> Ct2Model:
    """Parse a CTranslate2 `model.bin`; arrays are views onto a read-only memory map."""
    try:
        buf = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {path}: {_reason(err)}") from None
    r = _Reader(buf, path)
    version = r.uint("<I")
    if not MIN_BINARY_VERSION <= version <= MAX_BINARY_VERSION:
        raise ModelError(
            f"{path} is not a supported CTranslate2 model file (format version {version})"
        )
    model = Ct2Model(spec=r.string(), revision=r.uint("<I"))
    if model.spec != SPEC_NAME:
        raise ModelError(f"{path} holds a {model.spec or 'unnamed'} model, not Whisper")
    for _ in range(r.uint("<I")):
        _read_variable(r, model)
    for _ in range(r.uint("<I")):
        alias, target = r.string(), r.string()
        if target in model.variables:
            model.variables[alias] = model.variables[target]
    return model


def _read_variable(r: _Reader, model: Ct2Model) -> None:
    name = r.string()
    shape = tuple(r.uint("<I") for _ in range(r.uint("<B")))
    type_id = r.uint("<B")
    nbytes = r.uint("<I")
    dtype = _DTYPES.get(type_id)
    if dtype is None:
        raise ModelError(f"{r.path}: variable {name} has unknown dtype id {type_id}")
    if nbytes != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise ModelError(f"{r.path}: variable {name} has the wrong size; file is corrupt")
    model.variables[name] = np.asarray(r.take(nbytes)).view(dtype).reshape(shape)
    if type_id == _BF16:
        model.bf16.add(name)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {path}: {err}") from None
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- mapping


def _check_float_weights(model: Ct2Model) -> None:
    """Quantized models store int8/int16 weights plus `weight_scale`; refuse them."""
    for name, value in model.variables.items():
        quantized = name.endswith("weight_scale") or (
            value.ndim >= 2 and value.dtype.kind in "iu" and name not in model.bf16
        )
        if quantized:
            raise ModelError(
                "this CTranslate2 model has quantized (int8/int16) weights; "
                "convert from a float16 or float32 model instead"
            )


def _layer_count(model: Ct2Model, prefix: str) -> int:
    pattern = re.compile(rf"^{prefix}/layer_(\d+)/")
    found = {int(m.group(1)) for name in model.variables if (m := pattern.match(name))}
    if found != set(range(len(found))) or not found:
        raise ModelError(f"the model's {prefix} layers are missing or not numbered 0..n-1")
    return len(found)


def _head_count(model: Ct2Model, prefix: str, width: int) -> int:
    """Heads are not visible in tensor shapes: use the stored spec value, else Whisper's."""
    stored = model.variables.get(f"{prefix}/num_heads")
    if stored is not None and stored.size == 1 and int(stored.reshape(())) > 0:
        return int(stored.reshape(()))
    return _HEADS_BY_WIDTH.get(width, width // _HEAD_SIZE)


def infer_dims(model: Ct2Model) -> Dims:
    v = model.variables
    try:
        conv1 = v["encoder/conv1/weight"]
        embed = v["decoder/embeddings/weight"]
        audio_ctx = v["encoder/position_encodings/encodings"].shape[0]
        text_ctx = v["decoder/position_encodings/encodings"].shape[0]
    except KeyError as err:
        raise ModelError(f"not a Whisper model: variable {err.args[0]} is missing") from None
    audio_state, n_mels = int(conv1.shape[0]), int(conv1.shape[1])
    n_vocab, text_state = int(embed.shape[0]), int(embed.shape[1])
    return Dims(
        n_mels=n_mels,
        n_audio_ctx=int(audio_ctx),
        n_audio_state=audio_state,
        n_audio_head=_head_count(model, "encoder", audio_state),
        n_audio_layer=_layer_count(model, "encoder"),
        n_vocab=n_vocab,
        n_text_ctx=int(text_ctx),
        n_text_state=text_state,
        n_text_head=_head_count(model, "decoder", text_state),
        n_text_layer=_layer_count(model, "decoder"),
    )


def _split(value: np.ndarray, parts: int) -> list[np.ndarray]:
    if value.shape[0] % parts:
        raise ModelError(f"a fused attention tensor of shape {value.shape} cannot be split")
    return np.split(value, parts, axis=0)


def _linear(src: str, dst: str) -> dict[str, str]:
    return {f"{dst}.weight": f"{src}/weight", f"{dst}.bias": f"{src}/bias"}


def _norm(src: str, dst: str) -> dict[str, str]:
    return {f"{dst}.weight": f"{src}/gamma", f"{dst}.bias": f"{src}/beta"}


def _fused(src: str, dst: str, names: tuple[str, ...]) -> list[tuple[str, str, int, int]]:
    """(openai name, ct2 name, part index, part count) for Q/K/V fused along outputs.

    The key projection has no bias in Whisper. Dropping the fused key bias is exact even
    if it were not zero: q·b_k is the same for every key, and softmax ignores a shift.
    """
    n = len(names)
    out = []
    for i, part in enumerate(names):
        out.append((f"{dst}.{part}.weight", f"{src}/weight", i, n))
        if part != "key":
            out.append((f"{dst}.{part}.bias", f"{src}/bias", i, n))
    return out


def _block_plan(
    src: str, dst: str, cross: bool
) -> tuple[dict[str, str], list[tuple[str, str, int, int]]]:
    """Direct copies and fused splits for one residual attention block."""
    direct = {
        **_norm(f"{src}/self_attention/layer_norm", f"{dst}.attn_ln"),
        **_linear(f"{src}/self_attention/linear_1", f"{dst}.attn.out"),
        **_norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln"),
        **_linear(f"{src}/ffn/linear_0", f"{dst}.mlp.0"),
        **_linear(f"{src}/ffn/linear_1", f"{dst}.mlp.2"),
    }
    splits = _fused(f"{src}/self_attention/linear_0", f"{dst}.attn", ("query", "key", "value"))
    if cross:
        direct |= {
            **_norm(f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln"),
            **_linear(f"{src}/attention/linear_0", f"{dst}.cross_attn.query"),
            **_linear(f"{src}/attention/linear_2", f"{dst}.cross_attn.out"),
        }
        splits += _fused(f"{src}/attention/linear_1", f"{dst}.cross_attn", ("key", "value"))
    return direct, splits


def _plan(dims: Dims) -> tuple[dict[str, str], list[tuple[str, str, int, int]]]:
    """The full openai ← ct2 name mapping for a model of these dimensions."""
    direct = {
        **_linear("encoder/conv1", "encoder.conv1"),
        **_linear("encoder/conv2", "encoder.conv2"),
        "encoder.positional_embedding": "encoder/position_encodings/encodings",
        **_norm("encoder/layer_norm", "encoder.ln_post"),
        "decoder.token_embedding.weight": "decoder/embeddings/weight",
        "decoder.positional_embedding": "decoder/position_encodings/encodings",
        **_norm("decoder/layer_norm", "decoder.ln"),
    }
    splits: list[tuple[str, str, int, int]] = []
    for side, n_layer, cross in (
        ("encoder", dims.n_audio_layer, False),
        ("decoder", dims.n_text_layer, True),
    ):
        for i in range(n_layer):
            d, s = _block_plan(f"{side}/layer_{i}", f"{side}.blocks.{i}", cross)
            direct |= d
            splits += s
    return direct, splits


def _to_tensor(model: Ct2Model, name: str, value: np.ndarray) -> Any:
    import torch

    if name in model.bf16:
        return torch.from_numpy(np.ascontiguousarray(value)).view(torch.bfloat16).clone()
    return torch.from_numpy(np.array(value))  # copy: the source is a read-only memmap


def build_state_dict(
    model: Ct2Model, dims: Dims, progress: Progress | None = None
) -> dict[str, Any]:
    """openai-whisper state dict, kept in the source dtype (fp16 stays fp16 on disk)."""
    direct, splits = _plan(dims)
    total = len(direct) + len(splits)
    state: dict[str, Any] = {}

    def source(ct2_name: str) -> np.ndarray:
        value = model.variables.get(ct2_name)
        if value is None:
            raise ModelError(f"not a Whisper model: variable {ct2_name} is missing")
        return value

    for openai_name, ct2_name in direct.items():
        state[openai_name] = _to_tensor(model, ct2_name, source(ct2_name))
        _report(progress, 0.1 + 0.6 * len(state) / total, "mapping weights")
    for openai_name, ct2_name, index, parts in splits:
        state[openai_name] = _to_tensor(model, ct2_name, _split(source(ct2_name), parts)[index])
        _report(progress, 0.1 + 0.6 * len(state) / total, "mapping weights")
    return state


# --------------------------------------------------------------------------- checks


def verify_state_dict(state: dict[str, Any], dims: Dims) -> None:
    """Strict `load_state_dict` into openai-whisper's own modules, built on the meta
    device so even large models cost no memory. Whisper itself cannot be built on meta
    (its alignment-head buffer uses a sparse op), but its persistent state is exactly
    `encoder.*` + `decoder.*`."""
    import torch
    from whisper.model import AudioEncoder, TextDecoder

    with torch.device("meta"):
        shell = torch.nn.Module()
        shell.encoder = AudioEncoder(
            dims.n_mels,
            dims.n_audio_ctx,
            dims.n_audio_state,
            dims.n_audio_head,
            dims.n_audio_layer,
        )
        shell.decoder = TextDecoder(
            dims.n_vocab,
            dims.n_text_ctx,
            dims.n_text_state,
            dims.n_text_head,
            dims.n_text_layer,
        )
    try:
        shell.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as err:
        detail = " ".join(str(err).split())
        raise ModelError(f"converted weights do not fit openai-whisper: {detail}") from None


def alignment_heads(config: dict[str, Any], dims: Dims) -> list[list[int]] | None:
    """The [layer, head] pairs whose cross-attention tracks time, from config.json."""
    pairs = config.get("alignment_heads")
    if not isinstance(pairs, list) or not pairs:
        return None
    try:
        heads = [[int(layer), int(head)] for layer, head in pairs]
    except (TypeError, ValueError):
        raise ModelError("config.json has malformed alignment_heads") from None
    for layer, head in heads:
        if not (0 <= layer < dims.n_text_layer and 0 <= head < dims.n_text_head):
            raise ModelError(f"config.json alignment head {[layer, head]} is out of range")
    return heads


def alignment_heads_dump(heads: list[list[int]], n_text_layer: int, n_text_head: int) -> bytes:
    """Encode pairs the way `whisper.model.Whisper.set_alignment_heads` expects."""
    mask = np.zeros((n_text_layer, n_text_head), dtype=bool)
    for layer, head in heads:
        if not (0 <= layer < n_text_layer and 0 <= head < n_text_head):
            raise ModelError(f"alignment head {[layer, head]} is outside the model")
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def _check_preprocessor(config: dict[str, Any], dims: Dims) -> None:
    mels = config.get("feature_size")
    if isinstance(mels, int) and mels != dims.n_mels:
        raise ModelError(
            f"preprocessor_config.json says {mels} mel bins but the weights take {dims.n_mels}"
        )


# --------------------------------------------------------------------------- writing


def _save_atomic(checkpoint: dict[str, Any], out_path: Path) -> None:
    """Write next to the target and rename, so a crash never leaves a half checkpoint."""
    import torch

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(checkpoint, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out_path)
    except (OSError, RuntimeError) as err:  # torch reports a full disk as RuntimeError
        raise ModelError(f"cannot write {out_path}: {_reason(err)}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _reason(err: Exception) -> str:
    """One line for the user: the OS reason if there is one, else the message."""
    return getattr(err, "strerror", None) or " ".join(str(err).split()) or type(err).__name__


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def convert_ct2_to_openai(ct2_dir: Path, out_path: Path, progress: Progress | None = None) -> Path:
    """Convert the CTranslate2 Whisper model in `ct2_dir` to an openai-whisper checkpoint.

    The checkpoint is `{"dims", "model_state_dict", "alignment_heads"}`; openai-whisper's
    `load_model` reads the first two and ignores the third, which `OpenAIWhisperEngine`
    applies (word timestamps are better with the model's own alignment heads).
    """
    ct2_dir, out_path = Path(ct2_dir), Path(out_path)
    model_bin = ct2_dir / "model.bin"
    if not model_bin.is_file():
        raise ModelError(f"no CTranslate2 model.bin in {ct2_dir}")
    _report(progress, 0.0, "reading model.bin")
    model = read_ct2_model(model_bin)
    _check_float_weights(model)
    dims = infer_dims(model)
    _check_preprocessor(_read_json(ct2_dir / "preprocessor_config.json"), dims)
    heads = alignment_heads(_read_json(ct2_dir / "config.json"), dims)
    _report(progress, 0.1, "mapping weights")
    state = build_state_dict(model, dims, progress)
    _report(progress, 0.75, "checking against openai-whisper")
    verify_state_dict(state, dims)
    _report(progress, 0.8, "writing checkpoint")
    checkpoint = {"dims": asdict(dims), "model_state_dict": state, "alignment_heads": heads}
    _save_atomic(checkpoint, out_path)
    _report(progress, 1.0, "done")
    return out_path
