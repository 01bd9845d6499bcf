"""Speech regions and the cut points of unbroken voice, computed frame by frame.

One causal pass serves the batch pipeline (all the audio at once) and the streaming
transcriber (block by block as it is recorded): the same frames give the same
regions and the same cuts, so both plan the same chunks and hear the same words.
The regions equal `vad.speech_regions` (tests/test_streaming.py).

Voice with no gap for `max_region_s` (fast run-on speech, or steady noise the VAD
calls speech) gets a cut at its quietest moment near the bound: no chunk is longer
than one Whisper window, and no chunk waits long for a pause that never comes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecoach.audio.vad import Span, VadSettings
from voicecoach.model import SAMPLE_RATE

MAX_REGION_S = 12.0  # voice with no gap this long is cut ...
CUT_SEARCH_S = 4.0  # ... at its quietest 90 ms within this much before the bound


@dataclass(frozen=True)
class Segmentation:
    regions: list[Span]  # speech regions, as `speech_regions` gives them
    cuts: list[float]  # seconds: a chunk boundary inside a region of unbroken voice


class FrameVad:
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


class RegionTracker:
    """`speech_regions`, one frame at a time: the same spans, each final when certain.

    A region is final once the silence after it reaches the bridging gap, since no
    later voice can then be merged into it. Spans are computed from frame indices
    with the same arithmetic as the batch code, so they compare equal. Voice with no
    gap for `max_region_s` also gets cut points (`cuts`); the regions stay whole, as
    the batch VAD sees them, and only their transcription is split at the cuts.
    """

    def __init__(self, vad: VadSettings, energy: list[float],
                 max_region_s: float = MAX_REGION_S, cut_search_s: float = CUT_SEARCH_S
                 ) -> None:
        self.vad = vad
        self.max_region_s = max_region_s
        self.cut_search_s = cut_search_s
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

    @property
    def silence_s(self) -> float:
        """Silence since the last final region ended (0 while a region is open)."""
        if not self.settled or not self.final:
            return 0.0
        return self.frames * self.step - self.final[-1].end

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
            if (i + 1 - self._bound_from) * self.step >= self.max_region_s:
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
        """Voice with no gap for too long: cut at the quietest frames near the bound."""
        search = min(self.cut_search_s, self.max_region_s / 2)  # keep pieces long
        lo = max(self._bound_from + 1, now - int(search / self.step))
        energy = np.convolve(np.asarray(self.energy[lo - 1 : now + 1]), np.ones(3) / 3,
                             mode="valid")  # smoothed over 90 ms: a gap, not a stop burst
        cut = lo + int(np.argmin(energy)) if energy.size else now
        self.cuts.append(cut * self.step)
        self._bound_from = cut


class Segmenter:
    """Frames in, regions and cuts out: the VAD and the region tracker together."""

    def __init__(self, vad: VadSettings, max_region_s: float = MAX_REGION_S) -> None:
        self.vad = FrameVad(vad)
        self.regions = RegionTracker(vad, self.vad.energy, max_region_s)
        self.samples_seen = 0  # samples handed to the VAD (whole frames)

    def push(self, samples: np.ndarray) -> int:
        """Analyse `samples` (which start at `samples_seen`); returns frames decided."""
        flags = self.vad.push(samples)
        self.samples_seen = self.vad.frame_len * len(self.vad.raw)
        for voiced in flags:
            self.regions.frame(voiced)
        return len(flags)

    def flush(self) -> None:
        for voiced in self.vad.flush():
            self.regions.frame(voiced)
        self.regions.flush()


def segment_speech(samples: np.ndarray, vad: VadSettings = VadSettings(),
                   max_region_s: float = MAX_REGION_S) -> Segmentation:
    """Regions and cuts of a whole recording (what streaming reaches at its stop)."""
    seg = Segmenter(vad, max_region_s)
    seg.push(samples)
    seg.flush()
    return Segmentation(list(seg.regions.final), list(seg.regions.cuts))
