"""Transcribe while the user speaks, so the report is ready moments after they stop.

The recorder's hook thread calls `feed()` with each block of audio. The causal
segmenter (`voicecoach.audio.segment`) finds speech regions and cut points frame by
frame as the audio arrives, and the batch pipeline's chunk plan (`plan_chunks`) is
decided left to right, so each chunk of the take is final while the user is still
speaking. ONE background thread decodes each final chunk with `chunk_words`, the
batch pipeline's own call on the same audio: the streamed transcript IS the batch
transcript of the saved file, word for word, however the worker's timing went.

Results are kept by chunk span. At stop the final plan is made over the whole
recording; every chunk already decoded is reused and the rest (normally only the
last, since the last pause) is decoded then. While the user pauses, an idle worker
decodes the open chunk as it will be if no more speech comes ("speculation"): if the
user then stops, the stop needs no engine call at all. With a live view (`live_view`
or `on_words`), an idle worker also decodes the open chunk so far every `piece_s`, for
display only.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE, Engine, Word
from voicecoach.asr.cancel import DecodeCancelled, unless
from voicecoach.audio.io import Audio
from voicecoach.audio.islands import IslandFollower
from voicecoach.audio.pitch import PitchFollower
from voicecoach.audio.segment import Segmenter
from voicecoach.audio.vad import Span
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError
from voicecoach.pipeline import (
    ChunkPlan,
    chunk_bounds,
    chunk_words,
    closed_by_silence,
    group_regions,
    plan_chunks,
    report_from_words,
    vad_settings,
)
from voicecoach.report import Report

if TYPE_CHECKING:
    from voicecoach.prompts import Prompt

OnWords = Callable[[list[Word]], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamingOptions:
    """When the worker decodes ahead of the stop."""

    plan: ChunkPlan = ChunkPlan()  # the batch pipeline's chunking, so results are equal
    speculate_after_s: float = 0.3  # silence after speech before the open chunk is tried
    # A live view: while speech goes on, an idle worker also decodes the open chunk so
    # far whenever `piece_s` of new audio came (display only; the report never uses it).
    live_view: bool = False
    piece_s: float = 2.0
    # Hear exactly what the recorder saves (16-bit PCM): then the streamed words equal
    # a batch pass over the saved file, not only over the float blocks.
    as_pcm16: bool = True


@dataclass
class StreamingStats:
    """What the worker did, for the benchmark and the tests."""

    calls: int = 0  # engine calls (each at least one encoder pass)
    speculative_calls: int = 0  # of which on the open chunk, during a pause
    cancelled: int = 0  # speculative calls stopped early: the speaker went on
    live_calls: int = 0  # of which for the live view only
    stop_calls: int = 0  # of which after the stop: chunks not ready then
    reused: int = 0  # chunks of the final plan whose words were ready at stop
    audio_s: float = 0.0  # audio handed to the engine
    busy_s: float = 0.0  # wall time inside the engine
    cuts: list[float] = field(default_factory=list)  # cuts in unbroken voice (seconds)
    # (monotonic time done, kind, start, end, engine seconds); kind is "final",
    # "speculative", "cancelled" (a speculative call stopped early), "live" or "stop"
    events: list[tuple[float, str, float, float, float]] = field(default_factory=list)


class _Timeline:
    """The recording so far, in fixed 30 s segments: growing it never copies it."""

    SEGMENT = 30 * SAMPLE_RATE

    def __init__(self) -> None:
        self._segments: list[np.ndarray] = []
        self.size = 0  # samples written

    def write(self, block: np.ndarray, at: int | None = None) -> None:
        """Put `block` at sample `at` (default: the end); a gap before it is silence,
        a stretch already written is kept."""
        at = self.size if at is None else at
        if at < self.size:
            block, at = block[self.size - at :], self.size
        if at > self.size:
            self._append(np.zeros(at - self.size, dtype=np.float32))
        self._append(block)

    def _append(self, data: np.ndarray) -> None:
        done = 0
        while done < len(data):
            index, offset = divmod(self.size, self.SEGMENT)
            if index == len(self._segments):
                self._segments.append(np.empty(self.SEGMENT, dtype=np.float32))
            n = min(self.SEGMENT - offset, len(data) - done)
            self._segments[index][offset : offset + n] = data[done : done + n]
            done += n
            self.size += n

    def read(self, lo: int, hi: int) -> np.ndarray:
        """A copy of samples lo..hi (clipped to what was written)."""
        lo, hi = max(lo, 0), min(hi, self.size)
        out = np.empty(max(hi - lo, 0), dtype=np.float32)
        pos = lo
        while pos < hi:
            index, offset = divmod(pos, self.SEGMENT)
            n = min(self.SEGMENT - offset, hi - pos)
            out[pos - lo : pos - lo + n] = self._segments[index][offset : offset + n]
            pos += n
        return out


def as_saved_pcm16(block: np.ndarray) -> np.ndarray:
    """`block` as it reads back from the recorder's 16-bit WAV (`to_pcm16`, `load_audio`)."""
    pcm = (np.clip(block, -1.0, 1.0) * 32767.0).round().astype("<i2")
    return pcm.astype(np.float32) / np.float32(32768.0)


class Follower(Protocol):
    """Something computed over the audio as it arrives (pitch, voice islands)."""

    def advance(self, read: Callable[[int, int], np.ndarray], total: int) -> None: ...

    def finish(self, read: Callable[[int, int], np.ndarray], total: int) -> Any: ...


class StreamingTranscriber:
    """Voice activity and transcription as audio arrives; words ready at stop.

    `feed` is cheap and thread-safe (the recorder's hook thread calls it);
    `finish` waits for the one worker thread and returns every word in time order.
    The engine is shared and loaded once per app session; use one transcriber per take.
    `on_words`, if given, is called from the worker thread with the words so far
    (final chunks plus the open chunk's latest words) after each engine call.
    `engine_lock`, if given, is held around each engine call (an app that shares one
    engine between screens serialises its use with such a lock).
    """

    def __init__(self, engine: Engine, settings: Settings | None = None,
                 options: StreamingOptions = StreamingOptions(),
                 on_words: OnWords | None = None,
                 engine_lock: AbstractContextManager[object] | None = None) -> None:
        self.engine = engine
        self._engine_lock = engine_lock or contextlib.nullcontext()
        self.settings = settings or Settings()
        self.options = options
        self.stats = StreamingStats()
        self._on_words = on_words
        self._seg = Segmenter(vad_settings(self.settings), options.plan.max_region_s)
        self.stats.cuts = self._seg.regions.cuts  # the same list: the segmenter cuts
        self._audio = _Timeline()
        # Pitch and voice islands are followed as audio arrives (audio/pitch.py,
        # audio/islands.py), so the stop handles only the last second or so; a
        # follower that failed is dropped (the report then reads the whole take).
        self._followers: dict[str, Follower] = {"pitch": PitchFollower(),
                                                "islands": IslandFollower()}
        self._follow_lock = threading.Lock()
        self._done: dict[Span, list[Word]] = {}  # exact words per chunk span
        self._live: tuple[Span, list[Word]] | None = None  # display-only words
        self._final_plan: list[Span] | None = None  # set at stop
        self._closed = False
        self._cancelled = False
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the worker waits for work
        self._changed = threading.Condition(self._lock)  # finish() waits for results
        self._worker = threading.Thread(target=self._run, name="voicecoach-stream",
                                        daemon=True)
        self._worker.start()

    # -- producer side (the recorder's hook thread) -------------------------------

    def feed(self, samples: np.ndarray, start_s: float | None = None) -> None:
        """Add a block of 16 kHz mono float32 audio starting at `start_s` seconds."""
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self.options.as_pcm16:
            block = as_saved_pcm16(block)
        with self._lock:
            if self._closed:
                raise VoiceCoachError("this take is finished; start a new transcriber")
            self._audio.write(block, None if start_s is None
                              else int(round(start_s * SAMPLE_RATE)))
            seen = self._seg.samples_seen
            if self._seg.push(self._audio.read(seen, self._audio.size)):
                self._wake.notify()  # the worker decides (cheaply) whether there is work
        self._follow(finish=False)

    def _follow(self, finish: bool) -> dict[str, Any]:
        """Advance every follower over the audio so far; at `finish`, their results
        over all of it. Only the feeding thread writes audio, so reading it here
        needs no lock."""
        results: dict[str, Any] = {}
        with self._follow_lock:
            for name, follower in list(self._followers.items()):
                try:
                    if finish:
                        results[name] = follower.finish(self._audio.read, self._audio.size)
                    else:
                        follower.advance(self._audio.read, self._audio.size)
                except Exception as err:  # noqa: BLE001 - the report reads the file instead
                    log.warning("%s tracking failed while recording: %s", name, err)
                    del self._followers[name]
        return results

    # -- consumer side ------------------------------------------------------------

    def finish(self) -> list[Word]:
        """Close the recording, wait until every chunk is decoded, return all words."""
        with self._lock:
            if not self._closed:
                self._seg.flush()
                self._closed = True
                regions = self._seg.regions
                self._final_plan = plan_chunks(regions.final, self.duration_s,
                                               self.options.plan, regions.cuts)
                self.stats.reused = sum(c in self._done for c in self._final_plan)
                self._wake.notify()
            plan = self._final_plan or []
            while self._error is None and any(c not in self._done for c in plan):
                if not self._worker.is_alive():
                    raise VoiceCoachError("streaming transcription stopped unexpectedly")
                self._changed.wait(0.5)
            if self._error is not None:
                raise self._error
            return [w for chunk in plan for w in self._done[chunk]]

    def cancel(self) -> None:
        """Drop the take: the worker stops after the call in progress."""
        with self._lock:
            self._closed = self._cancelled = True
            self._wake.notify()

    def close(self, timeout: float | None = None) -> None:
        """Stop the worker and wait for a call still in flight. Call it before the
        process exits: a thread inside the engine's native code at interpreter
        shutdown can crash it."""
        self.cancel()
        self._worker.join(timeout)

    def partial_words(self) -> list[Word]:
        """Words so far, in time order (for an optional live view)."""
        with self._lock:
            return self._partial()

    def samples(self) -> np.ndarray:
        """A copy of all audio fed so far."""
        with self._lock:
            return self._audio.read(0, self._audio.size)

    @property
    def duration_s(self) -> float:
        return self._audio.size / SAMPLE_RATE

    def speech_regions(self) -> list[Span]:
        """Speech regions known to be final so far (equal to the batch VAD's)."""
        with self._lock:
            return list(self._seg.regions.final)

    def finish_report(self, audio: Audio | None = None, settings: Settings | None = None,
                      prompt: str | Prompt | None = None) -> Report:
        """The batch report of what was fed, from the streamed words.

        `audio` defaults to what was fed (identical to the recorder's 16-bit file);
        pass `Audio(samples, path=...)` to carry the file's path into the report.
        `prompt` is an id or a Prompt. A silent take or one with no words raises the
        batch pipeline's own errors.
        """
        settings = settings or self.settings
        words = self.finish()
        if audio is None:
            audio = Audio(self.samples())
        regions = self.speech_regions()
        if not regions:
            from voicecoach.pipeline import find_speech

            find_speech(audio, settings)  # raises "no speech found"
        followed = self._follow(finish=True) if audio.samples.size == self._audio.size \
            else {}
        return report_from_words(audio, words, regions, self.engine, settings, prompt,
                                 followed.get("pitch"), followed.get("islands"))

    # -- worker thread ------------------------------------------------------------

    def _chunks_so_far(self) -> tuple[list[Span], bool]:
        """Chunks of the speech heard so far, planned as if no more came, and whether
        the last of them is final already (lock held). All the others are: a chunk
        ends before a region by the region's start alone (and, for the one-window
        bound, its end, which only grows), so a region that has begun, even one
        still open, settles every chunk before its own."""
        regions = self._seg.regions
        growing = regions.open_region()
        plan_regions = list(regions.final) + ([growing] if growing is not None else [])
        if not plan_regions:
            return [], False
        chunks = plan_chunks(plan_regions, math.inf, self.options.plan, regions.cuts)
        if growing is not None:
            return chunks, False
        group = group_regions(plan_regions, self.options.plan, regions.cuts)[-1]
        return chunks, regions.settled and closed_by_silence(group, regions.silence_s,
                                                             self.options.plan)

    def _next_job(self) -> tuple[str, Span] | None:
        """The next engine call, or None for "nothing to do yet" (lock held).

        At stop: the first chunk of the final plan not decoded yet. While recording:
        final chunks in order, then (in a pause) the open chunk as it will be if the
        speaker has stopped, then (for a live view) the open chunk so far.
        """
        if self._final_plan is not None:
            return next((("stop", c) for c in self._final_plan if c not in self._done), None)
        chunks, last_final = self._chunks_so_far()
        final = chunks if last_final else chunks[:-1]
        todo = next((c for c in final if c not in self._done), None)
        if todo is not None:
            return "final", todo
        if not chunks or last_final:
            return None
        eventual = chunks[-1]
        if self._seg.regions.silence_s >= self.options.speculate_after_s \
                and eventual.end <= self.duration_s:
            return None if eventual in self._done else ("speculative", eventual)
        if not (self.options.live_view or self._on_words):
            return None
        now = Span(eventual.start, self.duration_s)
        shown = self._live[0].end if self._live and self._live[0].start == now.start \
            else now.start
        return ("live", now) if now.end - shown >= self.options.piece_s else None

    def _run(self) -> None:
        while True:
            with self._lock:
                job = self._next_job()
                while job is None and not self._cancelled:
                    if self._final_plan is not None:
                        return  # every chunk of the final plan is decoded
                    self._wake.wait()
                    job = self._next_job()
                if self._cancelled or job is None:
                    return
                kind, span = job
                samples = self._audio.read(*chunk_bounds(span))
            try:
                words = self._decode(kind, span, samples)
            except DecodeCancelled:
                continue  # counted; the worker picks the job that replaced it
            except BaseException as err:  # surfaced to the caller by finish()
                with self._lock:
                    self._error = err
                    self._changed.notify_all()
                return
            with self._lock:
                if kind == "live":
                    self._live = (span, words)
                else:
                    self._done[span] = words
                self._changed.notify_all()
                snapshot = self._partial() if self._on_words else None
            if self._on_words is not None and snapshot is not None:
                self._on_words(snapshot)

    def _decode(self, kind: str, span: Span, samples: np.ndarray) -> list[Word]:
        # A guess at the open chunk is dropped between the engine's steps once it is
        # no longer the next job (the speaker went on, or stopped elsewhere): the
        # chunks and the stop that are needed do not wait for it.
        moot = unless(lambda: self._moot(span)) if kind == "speculative" \
            else contextlib.nullcontext()
        with self._engine_lock, moot:
            started = time.perf_counter()
            try:
                words = chunk_words(self.engine, samples, span)
            except DecodeCancelled:
                self._count("cancelled", span, time.perf_counter() - started)
                raise
            spent = time.perf_counter() - started
        self._count(kind, span, spent)
        return words

    def _count(self, kind: str, span: Span, spent: float) -> None:
        stats = self.stats
        stats.calls += 1
        stats.speculative_calls += kind in ("speculative", "cancelled")
        stats.cancelled += kind == "cancelled"
        stats.live_calls += kind == "live"
        stats.stop_calls += kind == "stop"
        stats.busy_s += spent
        stats.audio_s += span.duration
        stats.events.append((time.monotonic(), kind, span.start, span.end, spent))

    def _moot(self, span: Span) -> bool:
        """Is a call on `span` no longer the worker's next job?"""
        with self._lock:
            job = self._next_job()
        return job is None or job[1] != span

    def _partial(self) -> list[Word]:
        """Decoded chunks in time order, then the live view's newer words."""
        words = [w for span in sorted(self._done, key=lambda s: s.start)
                 for w in self._done[span]]
        words = _time_ordered(words)
        if self._live is not None:
            last = words[-1].end if words else 0.0
            words += [w for w in self._live[1] if w.start >= last]
        return words


def _time_ordered(words: list[Word]) -> list[Word]:
    """Words of overlapping results (a speculation and the chunk that replaced it),
    each stretch of time told once: the later result wins."""
    out: list[Word] = []
    for w in words:
        while out and out[-1].start >= w.start:
            out.pop()
        out.append(w)
    return out

