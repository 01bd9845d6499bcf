"""A finished recording becomes a scored report: the one swappable step.

The practice and drill screens call `score_take` from a thread worker. When the
engine was loaded before recording began, a `StreamingTranscriber` fed by the
recorder's `on_block` has transcribed the take while it was spoken, so at stop only
the last open utterance remains; otherwise (or if streaming failed) the take is
transcribed in one batch pass. Both give a Report with scores and findings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach import trace
from voicecoach.app.engine import EngineService
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError

if TYPE_CHECKING:
    from voicecoach.prompts import Prompt
    from voicecoach.report import Report
    from voicecoach.streaming import StreamingTranscriber

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

LOAD_SHARE = 0.1  # of the progress bar, while waiting for the model


def start_streaming(engines: EngineService, settings: Settings, live: bool = False
                    ) -> StreamingTranscriber | None:
    """A transcriber to feed while recording, if the engine is loaded already.

    Never waits for a model: a take started before the engine is ready is scored in
    one batch pass at stop instead. `live`: also decode the open chunk as it grows, so
    `partial_words()` keeps up with the speaker (the live transcript view).
    """
    if not engines.ready_for(settings):
        return None
    from voicecoach.streaming import StreamingOptions, StreamingTranscriber

    return StreamingTranscriber(engines.load(settings), settings,
                                StreamingOptions(live_view=live),
                                engine_lock=engines.decode_lock)


def warm_scoring(settings: Settings, prompts: Iterable[Prompt] = ()) -> None:
    """Score a two-second stand-in take once, off the stop's path: the first report of
    a session otherwise also pays for importing the analysers and compiling their
    phrase lists (0.25 s against 0.05 s for a 5 min answer, measured), and for reading
    and compiling the key points' cues of `prompts` (0.17 s for the bank)."""
    import numpy as np

    from voicecoach.analysis import keypoints
    from voicecoach.asr.base import SAMPLE_RATE, Word
    from voicecoach.audio.io import Audio
    from voicecoach.audio.vad import Span
    from voicecoach.pipeline import build_report

    text = "So um I would start with the data and then maybe a simple baseline, it depends"
    words = [Word(w, 0.1 * i, 0.1 * i + 0.08) for i, w in enumerate(text.split())]
    try:
        build_report(Audio(np.zeros(2 * SAMPLE_RATE, np.float32)), words, [Span(0.0, 2.0)],
                     "warm-up", "", settings)
        keypoints.warm(prompts)
    except Exception as err:  # noqa: BLE001 - only a head start; the take scores anyway
        log.debug("warming the scoring up: %s", err)


def finish_early(streamer: StreamingTranscriber | None) -> None:
    """Start the stop's decoding now, on a thread of its own; `score_take` later waits
    for the same result (`finish()` is shared by every caller). Call it only once the
    streamer has been fed the whole take."""
    if streamer is None:
        return

    def run() -> None:
        try:
            streamer.finish()
        except Exception as err:  # noqa: BLE001 - score_take meets it again and reports it
            log.debug("early finish: %s", err)

    threading.Thread(target=run, name="voicecoach-finish", daemon=True).start()


def score_take(path: Path, prompt: Prompt | None, engines: EngineService, settings: Settings,
               progress: Progress, streamer: StreamingTranscriber | None = None) -> Report:
    """Transcribe and score `path`; raises VoiceCoachError with a one-line reason (the
    reason alone: the user knows which take it is, its file path tells them nothing)."""
    try:
        return _score_take(path, prompt, engines, settings, progress, streamer)
    except VoiceCoachError as err:
        raise VoiceCoachError(without_path(str(err), path)) from None


def without_path(message: str, path: Path) -> str:
    """`message` without a leading "<path>: " (the core names the file it read)."""
    for prefix in (f"{path}: ", "recording: "):
        message = message.removeprefix(prefix)
    return message


def _score_take(path: Path, prompt: Prompt | None, engines: EngineService,
                settings: Settings, progress: Progress,
                streamer: StreamingTranscriber | None) -> Report:
    from voicecoach.pipeline import score_file

    if streamer is not None:
        report = _finish_streamed(path, prompt, settings, progress, streamer)
        if report is not None:
            return report

    trace.mark("score.batch")
    if not engines.ready_for(settings):
        progress(0.0, "waiting for the speech model")
    engine = engines.load(settings, lambda f, text: progress(f * LOAD_SHARE, text))
    progress(LOAD_SHARE, "transcribing")
    with engines.decode_lock:
        # The app's prompt object itself, not its id: it may not be in the installed bank.
        report = score_file(path, engine, settings, prompt,
                            lambda f, text: progress(LOAD_SHARE + f * (1.0 - LOAD_SHARE), text))
    progress(1.0, "done")
    return report


def _finish_streamed(path: Path, prompt: Prompt | None, settings: Settings,
                     progress: Progress, streamer: StreamingTranscriber) -> Report | None:
    """The streamed report, or None when streaming broke and a batch pass must run."""
    from voicecoach.audio.io import Audio

    progress(LOAD_SHARE, "finishing the transcript")
    try:
        streamer.finish()  # the words (the rest of the decoding), then the analysis
        stats = streamer.stats
        trace.mark("score.transcribed", stop_calls=stats.stop_calls, reused=stats.reused,
                   calls=stats.calls, cancelled=stats.cancelled,
                   busy_s=round(stats.busy_s, 3))
        # The streamer heard exactly what the recorder saved: no need to decode the file.
        report = streamer.finish_report(Audio(streamer.samples(), path=path), settings, prompt)
        trace.mark("score.report")
    except VoiceCoachError:
        raise  # silence, no words: the batch pass would say the same
    except Exception as err:  # a streaming fault must not cost the take
        log.warning("streaming failed, transcribing the take again: %s", err)
        return None
    finally:
        streamer.cancel()  # a call the stop no longer needs ends on its own
    progress(1.0, "done")
    return report
