"""The openai-whisper engine (PyTorch, fp32 on CPU).

torch and whisper are imported in the constructor, so importing this module stays cheap
for users who only ever run faster-whisper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.asr.base import (
    TranscribeOptions,
    Word,
    clean_word,
    decode_with_fillers,
    last_result_cache,
    token_budget,
)
from voicecoach.errors import ModelError


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


def _load_model(checkpoint: Path) -> Any:
    import whisper

    if not checkpoint.is_file():
        raise ModelError(f"openai-whisper checkpoint not found: {checkpoint}")
    try:
        return whisper.load_model(str(checkpoint), device="cpu")
    except Exception as err:  # torch/pickle/state-dict errors all mean "unusable file"
        raise ModelError(
            f"cannot load openai-whisper checkpoint {checkpoint}: {_one_line(err)}"
        ) from None


def _stored_alignment_heads(checkpoint: Path) -> list[list[int]] | None:
    """Heads our converter stored; `whisper.load_model` ignores that key.

    mmap makes this second read cost only the pickle header, not the weights."""
    import torch

    try:
        data = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    except Exception:  # load_model already read this file; the heads are optional
        return None
    heads = data.get("alignment_heads") if isinstance(data, dict) else None
    return heads if isinstance(heads, list) and heads else None


def _apply_alignment_heads(model: Any, checkpoint: Path, model_name: str) -> None:
    """Word timings come from cross-attention heads chosen per model. Prefer the heads
    shipped with the converted weights, then openai-whisper's table for a known name;
    otherwise keep its default (all heads of the upper half of the decoder)."""
    import whisper

    from voicecoach.asr.convert import alignment_heads_dump

    heads = _stored_alignment_heads(checkpoint)
    if heads is not None:
        dims = model.dims
        model.set_alignment_heads(alignment_heads_dump(heads, dims.n_text_layer, dims.n_text_head))
    elif model_name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[model_name])


class OpenAIWhisperEngine:
    """`Engine` backed by openai-whisper, loaded from a local checkpoint file."""

    name = "openai-whisper"

    def __init__(
        self,
        checkpoint: str | Path,
        model_name: str,
        options: TranscribeOptions = TranscribeOptions(),
        threads: int | None = None,
    ) -> None:
        import torch

        if threads:
            # Process-wide in torch; the app runs one engine at a time.
            torch.set_num_threads(threads)
        self.model = model_name
        self.checkpoint = Path(checkpoint)
        self.options = options
        self._whisper = _load_model(self.checkpoint)
        _apply_alignment_heads(self._whisper, self.checkpoint, model_name)
        # Decoding, word alignment and the primed decode each run the encoder on the
        # same window: run it once.
        encoder = self._whisper.encoder
        encoder.forward = last_result_cache(
            encoder.forward, lambda mel: mel.detach().contiguous().numpy().tobytes())

    def _decode_kwargs(self, prompt: str | None, n_samples: int) -> dict[str, Any]:
        o = self.options
        beam = o.beam_for(prompt)
        return {
            "language": o.language,
            "word_timestamps": True,
            "condition_on_previous_text": o.condition_on_previous_text,
            "initial_prompt": prompt,
            "no_speech_threshold": o.no_speech_threshold,
            "logprob_threshold": o.log_prob_threshold,
            "compression_ratio_threshold": o.compression_ratio_threshold,
            "temperature": o.temperatures,
            # openai-whisper decodes greedily when beam_size is None.
            "beam_size": None if beam <= 1 else beam,
            "fp16": False,  # CPU: fp16 only warns and falls back
            "verbose": None,  # no console output, no progress bar
            "sample_len": token_budget(n_samples),  # a loop stops here (TOKENS_PER_S)
        }

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
        """Words in `samples` (16 kHz mono float32), times shifted by `offset`."""
        return decode_with_fillers(self._decode, samples, offset, self.options)

    def _decode(self, samples: np.ndarray, offset: float, prompt: str | None) -> list[Word]:
        # Always an array, never a path: a path would shell out to the ffmpeg binary.
        audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        if audio.size == 0:
            return []
        import torch

        torch.manual_seed(self.options.seed)
        result = self._whisper.transcribe(audio, **self._decode_kwargs(prompt, audio.size))
        return [
            Word(
                text,
                float(w["start"]) + offset,
                float(w["end"]) + offset,
                float(w.get("probability", 1.0)),
            )
            for segment in result.get("segments", [])
            for w in segment.get("words", [])
            if (text := clean_word(w["word"]))
        ]
