"""Transcribe while the user speaks, so the report is ready moments after they stop.

The recorder's hook thread calls `feed()` with each block of audio. Voice activity
runs frame by frame as the audio arrives and reproduces, exactly, the speech regions
and the chunk plan of the batch pipeline (`speech_regions` + `plan_chunks`): regions
are final once the silence after them is longer than the bridging gap, and a chunk
is final once the next one has begun. ONE background thread transcribes each final
chunk with the session's engine, so the streamed words are the batch words. (Whisper's
words depend on the whole window it hears: the same chunks are what make streaming
and batch agree; cutting at other pauses changes 4-11 % of the words on synthetic
speech.) Chunks are up to one Whisper window long, the batch pipeline's packing:
every call costs a full 30 s encoder pass, however short its audio.

The last chunk is still growing while the user speaks. An idle worker transcribes
it in pieces cut at gaps between words (the live transcript), and when a pause begins,
first the piece that completes it and then the whole of it as it will be if no more
speech comes ("speculation"). If the user then stops, the whole chunk is exactly the
one already transcribed and the report needs no engine call. If the user stops
before that is done, the stop does not wait for it: the chunk's pieces, plus one
short call on whatever followed the last of them, are joined (close to the batch
words, not equal). A slow engine (openai-whisper) speculates in pieces only.

Speech with no gap at all for `max_region_s` (or steady noise the VAD calls speech)
gets cut points at its quietest moments; its chunk is transcribed in pieces, each
given `overlap_s` of audio across the cut, and the words heard twice are reconciled
by text (`splice_overlap`). That is where streaming and batch chunking differ.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from voicecoach.analysis.words import norm
from voicecoach.asr.base import SAMPLE_RATE, Engine, Word
from voicecoach.audio.io import Audio
from voicecoach.audio.vad import Span, VadSettings
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError
from voicecoach.pipeline import (
    ChunkPlan,
    find_speech,
    plan_chunks,
    report_from_words,
    vad_settings,
)
from voicecoach.report import Report

if TYPE_CHECKING:
    from voicecoach.prompts import Prompt

OnWords = Callable[[list[Word]], None]


@dataclass(frozen=True)
class StreamingOptions:
    """When the worker transcribes, and how unbroken speech is bounded."""

    plan: ChunkPlan = ChunkPlan()  # the batch pipeline's chunking, so results agree
    speculate_after_s: float = 0.3  # silence after speech before the open chunk is tried
    # A pause gets the whole open chunk transcribed when the engine is expected to take
    # at most this (faster-whisper, up to a full 28 s chunk); a slower engine gets only
    # the audio since its last piece, and the pieces are joined.
    speculate_budget_s: float = 3.0
    piece_s: float = 4.0  # while speech goes on, an idle worker transcribes new pieces
    # of at least this much audio, cut at gaps between words (>= the VAD's bridging gap)
    # At stop, a chunk without its exact result is joined from its pieces plus one short
    # call (fast, close to the batch words); False transcribes it whole instead (the
    # batch words exactly, after a longer wait).
    join_at_stop: bool = True
    max_region_s: float = 25.0  # voice with no gap this long is cut ...
    overlap_s: float = 1.5  # ... with this much audio given to both sides
    cut_search_s: float = 4.0  # how far before the bound to look for a quiet cut point
    # Hear exactly what the recorder saves (16-bit PCM): then the streamed words equal
    # a batch pass over the saved file, not only over the float blocks.
    as_pcm16: bool = True


@dataclass
class StreamingStats:
    """What the worker did, for the benchmark and the tests."""

    calls: int = 0  # engine calls (each at least one encoder pass)
    speculative_calls: int = 0  # of which on the open chunk, up to its latest pause
    rest_calls: int = 0  # of which on what the last speculation did not cover, at stop
    reused: int = 0  # final chunks whose speculation was exact: no call needed
    joined: int = 0  # final chunks joined from a speculation and the rest (approximate)
    audio_s: float = 0.0  # audio handed to the engine
    busy_s: float = 0.0  # wall time inside the engine
    cuts: list[float] = field(default_factory=list)  # bounded cuts (seconds)
    joins: list[str] = field(default_factory=list)  # "text" or "time" per overlap join
    # (monotonic time done, kind, start, end, engine seconds); kind is "final",
    # "speculative", "rest", "reused" or "joined"
    events: list[tuple[float, str, float, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    kind: str  # "final" | "speculative" | "rest"
    span: Span
    unit_start: float  # the chunk it is (part of)


class _FrameVad:
    """webrtcvad over frames as they arrive, median-smoothed like the batch VAD.

    One `Vad` object sees every frame in order (it adapts to the noise floor), and a
    smoothed decision is emitted as soon as its look-ahead frames exist, so the flags
    equal `frame_decisions` over the whole recording.
    """

    def __init__(self, settings: VadSettings) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(settings.aggressiveness)
        self.frame_len = SAMPLE_RATE * settings.frame_ms // 1000
        self._width = settings.smooth_frames
        self._half = self._width // 2
        self.raw: list[bool] = []
        self.energy: list[float] = []  # RMS per frame: where to cut unbroken speech
        self.emitted = 0  # smoothed decisions handed out so far

    def push(self, samples: np.ndarray) -> list[bool]:
        """Analyse the whole frames in `samples` (the caller keeps the remainder)."""
        count = len(samples) // self.frame_len
        if count:
            frames = samples[: count * self.frame_len].reshape(count, self.frame_len)
            pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
            for frame, peak in zip(pcm, np.abs(pcm).max(axis=1)):
                # Same rule as frame_decisions: digital silence is never speech.
                speech = bool(peak > 0 and self._vad.is_speech(frame.tobytes(), SAMPLE_RATE))
                self.raw.append(speech)
            self.energy.extend(np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)))
        return self._smoothed(final=False)

    def flush(self) -> list[bool]:
        """The last decisions, with the recording's edge standing in for the future."""
        return self._smoothed(final=True)

    def _smoothed(self, final: bool) -> list[bool]:
        if self._width <= 1:
            out = self.raw[self.emitted :]
        else:
            ready = len(self.raw) if final else len(self.raw) - self._half
            last = len(self.raw) - 1
            out = []
            for i in range(self.emitted, ready):
                # np.pad(mode="edge") semantics: indices past either end clamp.
                votes = sum(self.raw[min(max(k, 0), last)]
                            for k in range(i - self._half, i + self._half + 1))
                out.append(votes > self._half)
        self.emitted += len(out)
        return out


class _Regions:
    """`speech_regions`, one frame at a time: the same spans, each final when certain.

    A region is final once the silence after it reaches the bridging gap, since no
    later voice can then be merged into it. Spans are computed from frame indices
    with the same arithmetic as the batch code, so they compare equal. Voice with no
    gap for `max_region_s` also gets cut points (`cuts`); the regions stay whole, as
    the batch VAD sees them, and only their transcription is split at the cuts.
    """

    def __init__(self, vad: VadSettings, options: StreamingOptions, energy: list[float]
                 ) -> None:
        self.vad = vad
        self.opts = options
        self.step = vad.frame_ms / 1000
        self.energy = energy
        self.final: list[Span] = []
        self.cuts: list[float] = []
        self.frames = 0  # smoothed frames seen
        self._run: int | None = None  # start frame of the voiced run in progress
        self._pending: Span | None = None  # merged region that may still grow
        self._start = 0  # first frame of the region in progress
        self._bound_from = 0  # the unbroken-speech bound counts from here

    @property
    def settled(self) -> bool:
        """No region is still open: the last final region is the latest speech."""
        return self._run is None and self._pending is None

    def open_region(self) -> Span | None:
        """The region in progress, up to the latest frame; None when all are final."""
        if self._run is not None:
            return Span(self._start * self.step, self.frames * self.step)
        return self._pending

    def frame(self, voiced: bool) -> None:
        i = self.frames
        self.frames += 1
        if voiced:
            if self._run is None:
                self._run = i
                if self._pending is None or \
                        i * self.step - self._pending.end >= self.vad.bridge_gap_s:
                    self._start = self._bound_from = i  # a new region, not a bridged one
            if (i + 1 - self._bound_from) * self.step >= self.opts.max_region_s:
                self._cut(i + 1)
            return
        if self._run is not None:
            self._end_run(self._run, i)
            self._run = None
        if self._pending is not None and \
                (i + 1) * self.step - self._pending.end >= self.vad.bridge_gap_s:
            self._settle()

    def flush(self) -> None:
        """The recording ended: close what is open, as `speech_regions` does."""
        if self._run is not None:
            self._end_run(self._run, self.frames)
            self._run = None
        self._settle()

    def _end_run(self, start: int, end: int) -> None:
        region = Span(start * self.step, end * self.step)
        if self._pending is not None and \
                region.start - self._pending.end < self.vad.bridge_gap_s:
            self._pending = Span(self._pending.start, region.end)
            return
        self._settle()
        self._pending = region

    def _settle(self) -> None:
        if self._pending is not None and self._pending.duration >= self.vad.min_speech_s:
            self.final.append(self._pending)
        self._pending = None

    def _cut(self, now: int) -> None:
        """Voice with no gap for too long: cut at the quietest frame near the bound."""
        half = int(round(self.opts.overlap_s / 2 / self.step))
        search = min(self.opts.cut_search_s, self.opts.max_region_s / 2)  # keep pieces long
        lo = max(self._bound_from + half + 1, now - int(search / self.step))
        hi = now - half
        energy = np.convolve(np.asarray(self.energy[lo - 1 : hi + 1]), np.ones(3) / 3,
                             mode="valid")  # smoothed over 90 ms: a gap, not a stop burst
        cut = lo + int(np.argmin(energy)) if energy.size else (lo + hi) // 2
        self.cuts.append(cut * self.step)
        self._bound_from = cut


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


def splice_overlap(before: list[Word], after: list[Word], overlap: Span,
                   tolerance_s: float = 0.5) -> tuple[list[Word], str]:
    """Join two transcripts of audio that share `overlap`, keeping each word once.

    Both sides heard the overlap; each may garble the word its audio edge cut through,
    but they agree in the middle. The longest run of words that match in text (and
    roughly in time) is that agreement: keep `before` up to the middle of the run and
    `after` from there. With no agreement, split at the overlap's midpoint instead.
    Returns the joined words and how they were joined ("text" or "time").
    """
    i0 = next((i for i, w in enumerate(before) if w.end > overlap.start), len(before))
    j1 = next((j for j, w in enumerate(after) if w.start >= overlap.end), len(after))
    tail, head = before[i0:], after[:j1]
    centre = (overlap.start + overlap.end) / 2
    best: tuple[int, float, int, int] | None = None  # (length, -off-centre, a_end, b_end)
    runs = [[0] * (len(head) + 1) for _ in range(len(tail) + 1)]
    for a, wa in enumerate(tail):
        for b, wb in enumerate(head):
            if norm(wa.text) != norm(wb.text) or abs(wa.start - wb.start) > tolerance_s:
                continue
            length = runs[a][b] + 1
            runs[a + 1][b + 1] = length
            middle = (tail[a - length + 1].start + wa.end) / 2
            key = (length, -abs(middle - centre), a, b)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is not None:
        length, _, a_end, b_end = best
        k = length // 2  # the middle of the run is farthest from both cut edges
        return before[: i0 + a_end - length + 1 + k] + after[b_end - length + 1 + k :], "text"
    kept = [w for w in before if (w.start + w.end) / 2 < centre]
    return kept + [w for w in after if (w.start + w.end) / 2 >= centre], "time"


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
        self._vad = _FrameVad(vad_settings(self.settings))
        self._regions = _Regions(vad_settings(self.settings), options, self._vad.energy)
        self.stats.cuts = self._regions.cuts  # the same list: cuts are made by the VAD side
        self._audio = _Timeline()
        self._vad_pos = 0  # samples already handed to the VAD
        self._words: list[Word] = []  # words of chunks 0 .. _committed-1
        self._committed = 0
        self._committed_end = 0.0  # end of the last committed unit
        # Speculative transcriptions per chunk start: consecutive windows from the
        # chunk's start; one window equal to the final chunk is the exact result.
        self._chains: dict[float, list[tuple[Span, list[Word]]]] = {}
        self._costs: list[tuple[float, float]] = []  # (audio s, engine s) of recent calls
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
            flags = self._vad.push(self._audio.read(self._vad_pos, self._audio.size))
            self._vad_pos = self._vad.frame_len * len(self._vad.raw)
            for voiced in flags:
                self._regions.frame(voiced)
            if flags:  # the worker decides (cheaply) whether there is work now
                self._wake.notify()

    # -- consumer side ------------------------------------------------------------

    def finish(self) -> list[Word]:
        """Close the recording, wait until every chunk is done, return all words.

        A call still running whose result is no longer needed (the chunk could be
        joined from pieces already there) is not waited for: it finishes in the
        background and is dropped.
        """
        with self._lock:
            if not self._closed:
                for voiced in self._vad.flush():
                    self._regions.frame(voiced)
                self._regions.flush()
                self._closed = True
                self._wake.notify()
            while self._error is None and not self._all_committed():
                if not self._worker.is_alive():
                    raise VoiceCoachError("streaming transcription stopped unexpectedly")
                self._commit_ready()
                if not self._all_committed():
                    self._changed.wait(0.5)
            if self._error is not None:
                raise self._error
            return list(self._words)

    def cancel(self) -> None:
        """Drop the take: the worker stops after the call in progress."""
        with self._lock:
            self._closed = self._cancelled = True
            self._wake.notify()

    def close(self, timeout: float | None = None) -> None:
        """Stop the worker and wait for a call still in flight (a stop may leave one
        running that it did not need). Call it before the process exits: a thread
        inside the engine's native code at interpreter shutdown can crash it."""
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
            return list(self._regions.final)

    def finish_report(self, audio: Audio | None = None, settings: Settings | None = None,
                      prompt: str | Prompt | None = None) -> Report:
        """The batch report's structure, from the streamed words.

        VAD regions are recomputed over the whole recording (milliseconds), so pauses
        and speech time come from the same code as a batch pass, and so do the errors
        for a silent take or one with no words. `audio` defaults to what was fed
        (identical to the recorder's 16-bit file); pass `Audio(samples, path=...)` to
        carry the file's path into the report. `prompt` is an id or a Prompt.
        """
        settings = settings or self.settings
        words = self.finish()
        if audio is None:
            audio = Audio(self.samples())
        regions = find_speech(audio, settings)
        return report_from_words(audio, words, regions, self.engine, settings, prompt)

    # -- worker thread ------------------------------------------------------------

    def _plan(self, horizon: float) -> tuple[list[Span], int]:
        """Transcription units in time order, and how many of them are final.

        Units are the batch plan's chunks (`plan_chunks`, greedy left to right, so
        every chunk but the last is already what the batch plan will say), split at
        bounded cuts. Called with the lock held; `horizon` is the recording's length,
        or infinity for "as it will be if no more speech comes".
        """
        regions = self._regions
        plan_regions = list(regions.final)
        growing = None if self._closed else regions.open_region()
        if growing is not None and regions.cuts and regions.cuts[-1] > growing.start:
            plan_regions.append(growing)  # a long region: its first pieces can go now
        if not plan_regions:
            return [], 0
        chunks = plan_chunks(plan_regions, horizon, self.options.plan)
        units: list[Span] = []
        final = 0
        for k, chunk in enumerate(chunks):
            inner = [c for c in regions.cuts if chunk.start < c < chunk.end]
            edges = [chunk.start, *inner, chunk.end]
            pieces = [Span(a, b) for a, b in zip(edges, edges[1:])]
            units += pieces
            if self._closed or k < len(chunks) - 1:
                final = len(units)
            elif inner and self._starts_own_group(chunk, plan_regions, inner[0]):
                final = len(units) - 1  # all but the piece after the last cut
        return units, final

    @staticmethod
    def _starts_own_group(chunk: Span, regions: list[Span], cut: float) -> bool:
        """The region holding `cut` opens its chunk, so that chunk's start is final.

        A region only grows; one that opens a group can never join the group before.
        """
        first = next(r for r in regions if r.end > chunk.start)
        return first.start <= cut <= first.end

    def _next_job(self) -> _Job | None:
        """The next engine call, or None for "nothing to do yet" (lock held).

        While recording, in order: pieces of the open chunk (short calls that keep its
        words close behind the speaker), final chunks whole (exactly the batch calls),
        then the open chunk whole once a pause begins (exact if the speaker stopped).
        At stop, the quickest way to each remaining chunk: its exact result if there,
        else its pieces plus the rest, else the chunk whole.
        """
        while True:
            self._commit_ready()
            units, final = self._plan(self._audio.size / SAMPLE_RATE)
            open_unit = units[-1] if units and final == len(units) - 1 else None
            if self._closed:
                if self._committed >= final:
                    return None
                unit = units[self._committed]
                chain = self._chains.get(unit.start, [])
                if not chain or not self.options.join_at_stop:
                    return _Job("final", unit, unit.start)
                covered = chain[-1][0].end
                if covered < unit.end and self._has_speech(Span(covered, unit.end)):
                    return _Job("rest", Span(covered, unit.end), unit.start)
                self._commit_joined(unit)
                continue
            if open_unit is not None:
                job = self._piece(open_unit)
                if job is not None:
                    return job
            if self._committed < final:
                unit = units[self._committed]
                return _Job("final", unit, unit.start)
            return self._whole(open_unit) if open_unit is not None else None

    def _all_committed(self) -> bool:
        units, final = self._plan(self._audio.size / SAMPLE_RATE)
        return self._closed and self._committed == len(units)

    def _commit_ready(self) -> None:
        """Commit, in order, the final units whose words need no engine call (lock held):
        an exact speculation, or (at stop) pieces that already cover the unit."""
        while True:
            units, final = self._plan(self._audio.size / SAMPLE_RATE)
            if self._committed >= final:
                return
            unit = units[self._committed]
            chain = self._chains.get(unit.start, [])
            if len(chain) == 1 and chain[0][0] == unit:
                self._commit(unit, chain[0][1])
                self.stats.reused += 1
                self._event("reused", unit, 0.0)
            elif self._closed and self.options.join_at_stop and chain \
                    and not self._has_speech(Span(chain[-1][0].end, unit.end)):
                self._commit_joined(unit)  # its pieces cover all of its speech
            else:
                return

    def _commit_joined(self, unit: Span) -> None:
        chain = self._chains.get(unit.start, [])
        self._commit(unit, [w for _, words in chain for w in words if w.start < unit.end])
        self.stats.joined += 1
        self._event("joined", unit, 0.0)

    def _has_speech(self, span: Span) -> bool:
        return any(r.end > span.start and r.start < span.end for r in self._regions.final)

    def _piece(self, open_unit: Span) -> _Job | None:
        """The next piece of the open chunk, or None.

        While speech goes on: once `piece_s` of speech has followed the last piece,
        up to a gap between words. Once a pause of `speculate_after_s` begins: up to
        the chunk's end as it will be if no more speech comes, so that a stop finds
        the chunk covered.
        """
        chain = self._chains.get(open_unit.start, [])
        covered = chain[-1][0].end if chain else open_unit.start
        target = self._eventual(open_unit)
        if target is not None:
            if chain and covered < target.end and not self._is_exact(target):
                return _Job("speculative", Span(covered, target.end), target.start)
            return None
        end = self._word_gap_before_end(covered)
        if end is not None and end - covered >= self.options.piece_s:
            return _Job("speculative", Span(covered, end), open_unit.start)
        return None

    def _whole(self, open_unit: Span) -> _Job | None:
        """The open chunk whole, once a pause begins: exactly the batch call if the
        speaker has stopped (a slow engine only when it is expected to be quick)."""
        target = self._eventual(open_unit)
        if target is None or self._is_exact(target):
            return None
        chain = self._chains.get(target.start, [])
        if chain and self._expected_s(target.duration) > self.options.speculate_budget_s:
            return None
        return _Job("speculative", target, target.start)

    def _is_exact(self, unit: Span) -> bool:
        chain = self._chains.get(unit.start, [])
        return len(chain) == 1 and chain[0][0] == unit

    def _eventual(self, open_unit: Span) -> Span | None:
        """The open chunk as it will be if no more speech comes; None while speaking."""
        regions = self._regions
        if not regions.settled or not regions.final:
            return None
        silence = regions.frames * regions.step - regions.final[-1].end
        if silence < self.options.speculate_after_s:
            return None
        units, final = self._plan(math.inf)
        target = units[-1]
        if final != len(units) - 1 or target.start != open_unit.start:
            return None
        return target if self._audio.size / SAMPLE_RATE >= target.end else None

    def _word_gap_before_end(self, after: float) -> float | None:
        """The middle of the latest gap between final speech regions after `after`."""
        regions = self._regions
        spoken = [r for r in regions.final if r.end > after]
        growing = regions.open_region()
        if not spoken or growing is None:
            return None
        gap = growing.start - spoken[-1].end
        return spoken[-1].end + min(self.options.plan.pad_s, gap / 2)

    def _expected_s(self, audio_s: float) -> float:
        """Engine seconds for `audio_s` of audio, from the recent calls (0 = unknown)."""
        if len(self._costs) < 2:
            return 0.0
        lengths, seconds = (np.array(v) for v in zip(*self._costs))
        if len(self._costs) >= 3 and np.ptp(lengths) >= 3.0:
            slope, fixed = np.polyfit(lengths, seconds, 1)
            return max(0.0, fixed) + max(0.0, slope) * audio_s
        return float(np.mean(seconds / np.maximum(lengths, 1.0))) * audio_s

    def _run(self) -> None:
        while True:
            with self._lock:
                job = self._next_job()
                while job is None:
                    if self._closed:  # after finish(), no job left means all committed
                        return
                    self._wake.wait()
                    job = self._next_job()
                if self._cancelled:
                    return
                lo, hi = self._audio_bounds(job.span)
                audio = self._audio.read(int(lo * SAMPLE_RATE), int(hi * SAMPLE_RATE))
            try:
                words = self._transcribe(audio, lo, hi, job.kind)
            except BaseException as err:  # surfaced to the caller by finish()
                with self._lock:
                    self._error = err
                    self._changed.notify_all()
                return
            with self._lock:
                if job.kind == "final":
                    if job.unit_start >= self._committed_end:
                        self._commit(job.span, words)
                else:
                    self._extend_chain(job, words)
                self._changed.notify_all()
                snapshot = self._partial() if self._on_words else None
            if self._on_words is not None and snapshot is not None:
                self._on_words(snapshot)

    def _extend_chain(self, job: _Job, words: list[Word]) -> None:
        """Keep a speculative result: a whole chunk replaces, a next piece extends."""
        if job.unit_start < self._committed_end:
            return  # its chunk was committed meanwhile
        chain = self._chains.setdefault(job.unit_start, [])
        if job.span.start == job.unit_start:
            chain[:] = [(job.span, words)]
        elif chain and chain[-1][0].end == job.span.start:
            chain.append((job.span, words))

    def _audio_bounds(self, chunk: Span) -> tuple[float, float]:
        """The chunk's audio; widened across a bounded cut so both sides hear it."""
        half = self.options.overlap_s / 2
        lo = chunk.start - half if chunk.start in self._regions.cuts else chunk.start
        hi = chunk.end + half if chunk.end in self._regions.cuts else chunk.end
        return max(lo, 0.0), min(hi, self._audio.size / SAMPLE_RATE)

    def _transcribe(self, audio: np.ndarray, lo: float, hi: float, kind: str) -> list[Word]:
        with self._engine_lock:
            started = time.perf_counter()
            raw = self.engine.transcribe(audio, offset=lo)
            spent = time.perf_counter() - started
        self.stats.busy_s += spent
        self._event(kind, Span(lo, hi), spent)
        self.stats.calls += 1
        self.stats.speculative_calls += kind == "speculative"
        self.stats.rest_calls += kind == "rest"
        self.stats.audio_s += hi - lo
        self._costs = [*self._costs[-11:], (hi - lo, spent)]
        words = []
        for w in raw:  # Whisper may stamp a word past its audio: keep it inside
            start = min(max(w.start, lo), hi)
            words.append(Word(w.text, start, min(max(w.end, start), hi), w.probability))
        return words

    def _event(self, kind: str, chunk: Span, spent: float) -> None:
        self.stats.events.append((time.monotonic(), kind, chunk.start, chunk.end, spent))

    def _commit(self, chunk: Span, words: list[Word]) -> None:
        """Append a final chunk's words (lock held), reconciling a bounded cut."""
        if chunk.start in self._regions.cuts:
            half = self.options.overlap_s / 2
            overlap = Span(chunk.start - half, chunk.start + half)
            self._words, how = splice_overlap(self._words, words, overlap)
            self.stats.joins.append(how)
        else:
            self._words.extend(words)
        self._committed += 1
        self._committed_end = chunk.end
        for start in [k for k in self._chains if k <= chunk.start]:
            del self._chains[start]

    def _partial(self) -> list[Word]:
        """Final words, then the open chunks' latest speculation."""
        last = self._words[-1].end if self._words else 0.0
        return self._words + [w for start in sorted(self._chains)
                              for _, words in self._chains[start] for w in words
                              if w.start >= last]
