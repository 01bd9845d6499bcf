"""Audio -> voice activity -> transcript with word times -> metrics -> report.

The domain core: no Textual here. The CLI, the TUI and the benchmarks all call in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voicecoach.analysis.fillers import find_filled_pauses
from voicecoach.analysis.metrics import compute_metrics, pauses_between_words
from voicecoach.analysis.words import snap_to_speech
from voicecoach.asr.base import Engine, TranscribeOptions, Word
from voicecoach.audio.io import Audio, load_audio
from voicecoach.audio.islands import Island, voice_islands
from voicecoach.audio.pitch import PitchTrack, track_pitch
from voicecoach.audio.segment import MAX_REGION_S, Segmentation, segment_speech
from voicecoach.audio.vad import Span, VadSettings
from voicecoach.config import Settings
from voicecoach.errors import AudioInputError
from voicecoach.report import Report

if TYPE_CHECKING:
    from voicecoach.prompts import Prompt

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ChunkPlan:
    """How speech is grouped into transcription calls.

    Chunks end at pauses, decided left to right from what came before each pause, so
    a recording's chunks are final while it is still being recorded: the streaming
    transcriber decodes each one as it closes, and at the stop only the last one is
    left. Phrase-sized chunks keep that last one short (the stop key's wait); much
    shorter ones cost accuracy, and every chunk costs a full 30 s encoder pass.
    """

    max_chunk_s: float = 28.0  # Whisper sees 30 s windows; stay inside one
    split_gap_s: float = 2.0  # a silence this long always ends a chunk
    min_chunk_s: float = 4.0  # once a chunk holds this much speech, ...
    # ... a pause this long ends it; 0: any pause between speech regions (the VAD
    # bridges gaps under 0.15 s, so that is a silence between words, never inside one)
    phrase_gap_s: float = 0.0
    pad_s: float = 0.25  # audio kept around speech so word edges are not clipped
    max_region_s: float = MAX_REGION_S  # unbroken voice is cut this often (audio.segment)


def vad_settings(settings: Settings) -> VadSettings:
    return VadSettings(aggressiveness=settings.vad_aggressiveness,
                       min_pause_s=settings.min_pause_s)


def transcribe_options(settings: Settings) -> TranscribeOptions:
    return TranscribeOptions(beam_size=settings.beam_size, filler_prompt=settings.filler_prompt)


def plan_chunks(regions: list[Span], duration_s: float, plan: ChunkPlan = ChunkPlan(),
                cuts: list[float] | tuple[float, ...] = ()) -> list[Span]:
    """Group speech regions into chunks, cutting only at silences and at `cuts`.

    Skipping silence is the first guard against text invented over it. Whether a
    chunk ends at a pause depends only on the chunk so far and the pause, so the
    plan of a recording's beginning never changes as more of it arrives.
    """
    groups = group_regions(regions, plan, cuts)
    chunks = []
    for i, group in enumerate(groups):
        # Pad into the silence on each side, but never past its middle: chunks
        # must not overlap, or a word could be transcribed twice.
        prev_end = groups[i - 1][-1].end if i else 0.0
        next_start = groups[i + 1][0].start if i + 1 < len(groups) else duration_s
        start = max((prev_end + group[0].start) / 2, group[0].start - plan.pad_s, 0.0)
        end = min((group[-1].end + next_start) / 2, group[-1].end + plan.pad_s, duration_s)
        chunks.append(Span(start, end))
    return chunks


def group_regions(regions: list[Span], plan: ChunkPlan = ChunkPlan(),
                  cuts: list[float] | tuple[float, ...] = ()) -> list[list[Span]]:
    """The regions (split at `cuts`) each chunk holds, greedily left to right."""
    groups: list[list[Span]] = []
    for region in _split_at(regions, cuts, plan.max_chunk_s):
        if groups and not _ends_chunk(groups[-1], region, plan, cuts):
            groups[-1].append(region)
        else:
            groups.append([region])
    return groups


def closed_by_silence(group: list[Span], silence_s: float, plan: ChunkPlan = ChunkPlan()
                      ) -> bool:
    """Will the chunk holding `group` end, whatever speech comes after `silence_s`?
    Then its end is known too (`pad_s` past its speech)."""
    if silence_s < 2 * plan.pad_s:
        return False
    return silence_s >= plan.split_gap_s or (
        silence_s >= plan.phrase_gap_s and group[-1].end - group[0].start >= plan.min_chunk_s)


def _split_at(regions: list[Span], cuts: list[float] | tuple[float, ...],
              longest: float) -> list[Span]:
    """Regions split at `cuts`; a piece still longer than `longest` (regions that did
    not come from the segmenter) is split evenly, so no chunk outgrows Whisper's window."""
    out = []
    for region in regions:
        edges = [region.start, *(c for c in cuts if region.start < c < region.end),
                 region.end]
        for a, b in zip(edges, edges[1:]):
            parts = math.ceil((b - a) / longest)
            out += [Span(a + (b - a) * k / parts, a + (b - a) * (k + 1) / parts)
                    for k in range(parts)]
    return out


def _ends_chunk(group: list[Span], region: Span, plan: ChunkPlan,
                cuts: list[float] | tuple[float, ...]) -> bool:
    """Does the chunk holding `group` end before `region`?"""
    gap = region.start - group[-1].end
    return (gap >= plan.split_gap_s
            or region.start in cuts
            or region.end - group[0].start > plan.max_chunk_s
            or (gap >= plan.phrase_gap_s
                and group[-1].end - group[0].start >= plan.min_chunk_s))


def chunk_bounds(chunk: Span) -> tuple[int, int]:
    """The samples of the recording that `chunk` hands to the engine."""
    return chunk.samples


def chunk_words(engine: Engine, chunk_samples: np.ndarray, chunk: Span) -> list[Word]:
    """Words of one chunk (its samples as `chunk_bounds` cuts them), at absolute times.

    The batch pipeline and the streaming transcriber both call this, with the same
    audio for the same chunk: the same words, however the take was transcribed.
    """
    out = []
    for w in engine.transcribe(chunk_samples, offset=chunk.start):
        # Whisper may stamp a word past the audio it was given; keep it inside.
        start = min(max(w.start, chunk.start), chunk.end)
        out.append(Word(w.text, start, min(max(w.end, start), chunk.end), w.probability))
    return out


def transcribe_regions(
    engine: Engine, samples: np.ndarray, chunks: list[Span], progress: Progress | None = None
) -> list[Word]:
    words: list[Word] = []
    total = sum(c.duration for c in chunks) or 1.0
    done = 0.0
    for chunk in chunks:
        a, b = chunk_bounds(chunk)
        words += chunk_words(engine, samples[a:b], chunk)
        done += chunk.duration
        if progress:
            progress(done / total, f"transcribed {done:.0f}/{total:.0f} s of speech")
    return words


def build_report(
    audio: Audio,
    words: list[Word],
    regions: list[Span],
    engine_name: str,
    engine_model: str,
    settings: Settings,
    prompt: str | Prompt | None = None,
    pitch: PitchTrack | None = None,
    islands: list[Island] | None = None,
) -> Report:
    """Everything after transcription: the audio's voice islands (for the fillers
    Whisper dropped) and pitch track (found here unless `islands` and `pitch` came
    from the recording already), then pure functions over words, VAD regions and
    islands.

    `prompt` is a prompt id from the bank or the Prompt itself (an app may hold one
    that is not in the installed bank).
    """
    from voicecoach.analysis.prosody import measure_prosody
    from voicecoach.analysis.rules import ScoringRules
    from voicecoach.analysis.scoring import score_report
    from voicecoach.prompts import get_prompt

    if isinstance(prompt, str):
        prompt = get_prompt(prompt)

    words = snap_to_speech(words, regions)
    pauses = pauses_between_words(regions, words, settings.min_pause_s)
    fillers = find_filled_pauses(words)
    metrics = compute_metrics(words, regions, pauses, fillers, settings.long_pause_s)
    report = Report(
        audio_path=str(audio.path or ""),
        duration_s=audio.duration_s,
        engine_name=engine_name,
        engine_model=engine_model,
        words=words,
        pauses=pauses,
        speech=regions,
        fillers=fillers,
        metrics=metrics,
        prompt_id=prompt.id if prompt else None,
        warnings=list(audio.warnings),
        islands=islands if islands is not None else voice_islands(audio.samples),
    )
    report.extra["prosody"] = measure_prosody(
        pitch if pitch is not None else track_pitch(audio.samples), words, regions)
    score_report(report, prompt, ScoringRules.from_settings(settings))
    return report


def find_speech(audio: Audio, settings: Settings, plan: ChunkPlan = ChunkPlan()
                ) -> Segmentation:
    """VAD regions and cuts of `audio`; silence is the user's problem to hear about,
    in one line."""
    found = segment_speech(audio.samples, vad_settings(settings), plan.max_region_s)
    if not found.regions:
        raise AudioInputError(f"{audio.path or 'recording'}: no speech found (the audio is silent)")
    return found


def report_from_words(
    audio: Audio,
    words: list[Word],
    regions: list[Span],
    engine: Engine,
    settings: Settings,
    prompt: str | Prompt | None = None,
    pitch: PitchTrack | None = None,
    islands: list[Island] | None = None,
) -> Report:
    """`build_report` for a transcription that may have come back empty."""
    if not words:
        raise AudioInputError(f"{audio.path or 'recording'}: no words recognised in "
                              f"{audio.duration_s:.1f} s of audio")
    return build_report(audio, words, regions, engine.name, engine.model, settings, prompt,
                        pitch, islands)


def score_audio(
    audio: Audio,
    engine: Engine,
    settings: Settings,
    prompt: str | Prompt | None = None,
    progress: Progress | None = None,
) -> Report:
    found = find_speech(audio, settings)
    chunks = plan_chunks(found.regions, audio.duration_s, cuts=found.cuts)
    words = transcribe_regions(engine, audio.samples, chunks, progress)
    return report_from_words(audio, words, found.regions, engine, settings, prompt)


def score_file(
    path: str | Path,
    engine: Engine,
    settings: Settings,
    prompt: str | Prompt | None = None,
    progress: Progress | None = None,
) -> Report:
    return score_audio(load_audio(path), engine, settings, prompt, progress)
