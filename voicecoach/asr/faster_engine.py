"""faster-whisper (CTranslate2) engine: int8 on CPU, word timestamps."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from voicecoach.asr.base import (
    TranscribeOptions,
    Word,
    clean_word,
    decode_with_fillers,
    last_result_cache,
    reached_voice_end,
    token_budget,
    voice_end,
)
from voicecoach.asr.cancel import check_wanted
from voicecoach.errors import ModelError


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(
        self,
        model_path: str | Path,
        model_name: str,
        options: TranscribeOptions = TranscribeOptions(),
        compute_type: str = "int8",
        threads: int | None = None,
    ) -> None:
        import ctranslate2
        from faster_whisper import WhisperModel

        self.model = model_name
        self.options = options
        # Decoding runs one thread per call, two calls at once: a decode's small steps
        # do not split well across threads, and the plain and primed decodes of a
        # chunk can run side by side. The encoder's large matrices do split: it gets
        # a model of its own with every core. Measured on this 2-core machine
        # (docs/scoring.md, "Decoding cost"): a beam-5 decode 0.59 s on 2 threads,
        # 0.28 s on one; both decodes side by side 0.30 s, one after the other on
        # 2 threads 0.74 s; the 30 s encoder pass 0.38 s on 2 threads, 0.68 s on one.
        cores = threads or os.cpu_count() or 1
        workers = min(2, cores)
        try:
            self._model = WhisperModel(str(model_path), device="cpu",
                                       compute_type=compute_type, cpu_threads=1,
                                       num_workers=workers)
            encoder = self._model.model if cores == 1 else ctranslate2.models.Whisper(
                str(model_path), device="cpu", compute_type=compute_type,
                intra_threads=cores, inter_threads=1)
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelError(f"cannot load faster-whisper model {model_name}: {err}") from None

        def encode(features: np.ndarray) -> ctranslate2.StorageView:
            batch = np.ascontiguousarray(features[None] if features.ndim == 2 else features)
            return encoder.encode(ctranslate2.StorageView.from_array(batch))

        cached = last_result_cache(encode, lambda f: np.ascontiguousarray(f).tobytes())

        def encode_if_wanted(features: np.ndarray) -> ctranslate2.StorageView:
            # The encoder pass is the largest step: a decode no longer wanted stops
            # before it, or after it instead of searching (`voicecoach.asr.cancel`).
            check_wanted()
            encoded = cached(features)
            check_wanted()
            return encoded

        self._model.encode = encode_if_wanted
        self._side = ThreadPoolExecutor(1, thread_name_prefix="voicecoach-primed") \
            if workers > 1 else None

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
        return decode_with_fillers(self._decode, samples, offset, self.options, self._side)

    def _decode(self, samples: np.ndarray, offset: float, prompt: str | None) -> list[Word]:
        import ctranslate2

        opts = self.options
        ctranslate2.set_random_seed(opts.seed)
        segments, _info = self._model.transcribe(
            samples.astype(np.float32, copy=False),
            language=opts.language,
            beam_size=opts.beam_for(prompt),
            word_timestamps=True,
            condition_on_previous_text=opts.condition_on_previous_text,
            initial_prompt=prompt,
            no_speech_threshold=opts.no_speech_threshold,
            log_prob_threshold=opts.log_prob_threshold,
            compression_ratio_threshold=opts.compression_ratio_threshold,
            temperature=list(opts.temperatures),
            vad_filter=False,  # the pipeline gates with its own VAD before calling us
            max_new_tokens=token_budget(len(samples)),
        )
        end_of_voice = voice_end(samples)
        words: list[Word] = []
        # `segments` decodes a window per step: stop reading once the words cover the
        # voice, so the silence after the last word is never decoded (see TAIL_S).
        for segment in segments:
            for w in segment.words or []:
                text = clean_word(w.word)
                if text:
                    words.append(
                        Word(text, float(w.start) + offset, float(w.end) + offset,
                             float(w.probability))
                    )
            if words and reached_voice_end(words[-1].end - offset, end_of_voice):
                break
            check_wanted()
        return words

