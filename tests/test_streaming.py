"""Streaming transcription agrees with a batch pass over the same recording.

The fast tests use a stand-in engine whose "words" are fixed points in time, so chunk
plans, bounded cuts and overlap joins can be checked exactly. The slow tests run the
real engines on jfk.wav and on a synthetic answer with one long unbroken stretch.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import JFK, cached_answer, read_samples

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import Audio, load_audio
from voicecoach.audio.vad import Span, speech_regions
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError
from voicecoach.pipeline import ChunkPlan, plan_chunks, score_audio, score_file
from voicecoach.streaming import (
    StreamingOptions,
    StreamingTranscriber,
    as_saved_pcm16,
    splice_overlap,
)
from voicecoach.wer import normalize_words, word_error_rate

# A synthetic answer: pauses between sentences, and one ~27 s run-on stretch with no
# gap at all (~28 s), longer than the 25 s bound, so the stream must cut it with overlap.
RUN_ON = (
    "so the plan is to take the raw click logs from the warehouse and join them with the"
    " item catalog and then build the training table for the ranking model and keep the"
    " features that are available at serving time and drop the ones that leak the label"
    " and then train a small gradient boosted model and check the offline metrics against"
    " the current baseline before we ship anything to real users in the online test"
    " and then write a short summary of the results for the team and the product owners"
)
CUT_ANSWER: list[str | float] = [
    "Let me start with the data we would need.",
    1.2,
    RUN_ON,
    0.8,
    "Finally, we retrain every week and watch for drift.",
]


class TimedEngine:
    """Stand-in engine: a word every 0.4 s of the recording, named by its index.

    With `speech` given, words exist only inside those spans, as with a real voice.
    A word the chunk's audio cuts through comes back garbled, as a real engine's would.
    """

    name = "timed"
    model = "fake"

    def __init__(self, speech: list[Span] | None = None) -> None:
        self.speech = speech
        self.calls: list[Span] = []

    def spoken(self, k: int) -> bool:
        start, stop = k * 0.4, k * 0.4 + 0.3
        return self.speech is None or any(r.start <= start and stop <= r.end
                                          for r in self.speech)

    def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
        end = offset + len(samples) / SAMPLE_RATE
        self.calls.append(Span(offset, end))
        words = []
        for k in range(int(offset / 0.4), int(end / 0.4) + 1):
            start, stop = k * 0.4, k * 0.4 + 0.3
            if stop <= offset or start >= end or not self.spoken(k):
                continue
            inside = start >= offset and stop <= end
            words.append(Word(f"w{k}" if inside else "garbled", max(start, offset),
                              min(stop, end)))
        return words


def stream(engine, samples: np.ndarray, block: int = 1600, **options) -> StreamingTranscriber:
    """Feed `samples` in blocks with their start times; the caller finishes."""
    st = StreamingTranscriber(engine, Settings(), StreamingOptions(**options))
    for i in range(0, len(samples), block):
        st.feed(samples[i : i + block], i / SAMPLE_RATE)
    return st


def words_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def assert_time_ordered(words: list[Word]) -> None:
    for before, after in zip(words, words[1:]):
        assert before.start <= after.start, (before, after)
        assert after.start >= before.end - 0.05, (before, after)  # no overlapping words


# -- fast: the stand-in engine ---------------------------------------------------------


@pytest.mark.parametrize("block", [480, 1777, 16000])
def test_regions_and_chunks_equal_the_batch_plan(block: int) -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    regions = speech_regions(samples)
    st = stream(TimedEngine(regions), samples, block)
    words = st.finish()
    assert st.speech_regions() == regions
    # Each batch chunk is committed once: transcribed whole, or (the last one, at stop)
    # joined from its pieces; its span is the batch plan's either way.
    committed = [e for e in st.stats.events if e[1] in ("final", "reused", "joined")]
    batch = plan_chunks(regions, len(samples) / SAMPLE_RATE)
    assert [Span(e[2], e[3]) for e in committed] == batch
    assert words_text(words) == words_text(TimedEngine(regions).transcribe(
        samples[int(batch[0].start * SAMPLE_RATE) : int(batch[0].end * SAMPLE_RATE)],
        batch[0].start))


def test_bounded_cut_keeps_every_word_once() -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    # Small bounds so jfk's 7.5 s of unbroken speech is cut, and cut chunks stay apart.
    engine = TimedEngine(speech_regions(samples))
    st = stream(engine, samples, plan=ChunkPlan(max_chunk_s=4.0), max_region_s=3.0,
                overlap_s=1.5)
    words = st.finish()
    assert len(st.stats.cuts) >= 2
    assert st.stats.joins and set(st.stats.joins) == {"text"}
    assert [w.text for w in words] == [f"w{k}" for k in range(30) if engine.spoken(k)]
    assert_time_ordered(words)


def test_speculation_is_reused_or_joined_at_stop() -> None:
    """A pause lets the worker transcribe the open chunk; a stop then uses that."""
    samples = as_saved_pcm16(read_samples(JFK))
    regions = speech_regions(samples)
    pause_end = int(8.1 * SAMPLE_RATE)  # jfk pauses from 7.65 s to 8.19 s

    def wait_for(condition) -> None:
        for _ in range(300):
            if condition():
                return
            threading.Event().wait(0.01)

    everything = [f"w{k}" for k in range(30) if TimedEngine(regions).spoken(k)]
    # Stopped a second after the last word: the whole chunk was transcribed in that
    # pause, exactly as the batch call, and the stop needs no call at all.
    exact = StreamingTranscriber(TimedEngine(regions), Settings())
    exact.feed(np.concatenate([samples, np.zeros(SAMPLE_RATE, np.float32)]), 0.0)
    wait_for(lambda: any(e[1] == "speculative" and e[3] > 11.0 and e[2] < 1.0
                         for e in exact.stats.events))
    assert [w.text for w in exact.finish()] == everything
    assert exact.stats.reused == 1 and exact.stats.calls == exact.stats.speculative_calls
    # Stopped on the last word: the first sentence, transcribed in the pause, is joined
    # with one call on what followed it.
    joined = StreamingTranscriber(TimedEngine(regions), Settings())
    joined.feed(samples[:pause_end], 0.0)
    wait_for(lambda: joined.stats.speculative_calls)
    joined.feed(samples[pause_end:], pause_end / SAMPLE_RATE)
    assert [w.text for w in joined.finish()] == everything
    assert joined.stats.joined == 1 and joined.stats.rest_calls == 1
    rest = [e for e in joined.stats.events if e[1] == "rest"][0]
    assert rest[2] == pytest.approx(7.9, abs=0.05)  # only what followed the pause


def test_a_slow_engine_speculates_piece_by_piece() -> None:
    """Over the budget for whole chunks: each pause adds the new audio as one piece."""
    sentence = as_saved_pcm16(read_samples(JFK))[: int(8.1 * SAMPLE_RATE)]
    samples = np.concatenate([sentence] * 3)  # three pauses of ~0.5 s, one chunk
    regions = speech_regions(samples)
    st = StreamingTranscriber(TimedEngine(regions), Settings(),
                              StreamingOptions(speculate_budget_s=-1.0))
    for part in range(3):
        st.feed(sentence, part * len(sentence) / SAMPLE_RATE)
        for _ in range(200):
            if st.stats.speculative_calls > part or part == 2:
                break
            threading.Event().wait(0.01)
    words = st.finish()
    pieces = [e for e in st.stats.events if e[1] in ("speculative", "rest")]
    assert len(pieces) == 3 and st.stats.joined == 1
    assert all(a[3] == b[2] for a, b in zip(pieces, pieces[1:]))  # consecutive windows
    assert [w.text for w in words] == [f"w{k}" for k in range(70)
                                       if TimedEngine(regions).spoken(k)]


def test_stop_does_not_wait_for_a_call_it_no_longer_needs() -> None:
    """Pieces already cover the last chunk: the whole-chunk call still running is dropped."""
    sentence = as_saved_pcm16(read_samples(JFK))[: int(8.1 * SAMPLE_RATE)]
    samples = np.concatenate([sentence] * 2)
    regions = speech_regions(samples)
    release = threading.Event()

    class StuckOnWholeChunks(TimedEngine):
        entered = 0

        def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
            self.entered += 1
            if len(samples) > 12 * SAMPLE_RATE:
                release.wait(10)
            return super().transcribe(samples, offset)

    engine = StuckOnWholeChunks(regions)
    st = StreamingTranscriber(engine, Settings())
    for part in range(2):
        st.feed(sentence, part * len(sentence) / SAMPLE_RATE)
        for _ in range(300):  # part 2: the piece completing the chunk, then the whole
            if engine.entered >= 1 + 2 * part:
                break
            threading.Event().wait(0.01)
    import time

    started = time.perf_counter()
    words = st.finish()
    assert time.perf_counter() - started < 2.0
    release.set()
    st.close(timeout=5)
    assert not st._worker.is_alive()
    assert st.stats.joined == 1
    assert [w.text for w in words] == [f"w{k}" for k in range(45) if engine.spoken(k)]


def test_splice_prefers_agreement_in_the_middle_of_the_overlap() -> None:
    before = [Word("ask", 1.0, 1.2), Word("not", 1.3, 1.5), Word("what", 1.6, 1.8),
              Word("yo", 1.9, 2.0)]
    after = [Word("not", 1.0, 1.05), Word("what", 1.62, 1.8), Word("your", 1.9, 2.1),
             Word("country", 2.2, 2.6)]
    joined, how = splice_overlap(before, after, Span(1.0, 2.0))
    assert how == "text"
    assert [w.text for w in joined] == ["ask", "not", "what", "your", "country"]


def test_splice_without_agreement_splits_at_the_midpoint() -> None:
    before = [Word("a", 0.0, 0.2), Word("b", 1.1, 1.3), Word("c", 1.6, 1.8)]
    after = [Word("x", 1.05, 1.2), Word("y", 1.7, 1.9), Word("d", 2.3, 2.5)]
    joined, how = splice_overlap(before, after, Span(1.0, 2.0))
    assert how == "time"
    assert [w.text for w in joined] == ["a", "b", "y", "d"]


def test_pcm16_view_equals_the_saved_file(tmp_path: Path) -> None:
    from voicecoach.audio.recorder import to_pcm16, wav_header

    noise = (np.random.default_rng(1).standard_normal(8000) * 0.3).astype(np.float32)
    pcm = to_pcm16(noise)  # exactly what the recorder writes
    (tmp_path / "n.wav").write_bytes(wav_header(len(pcm)) + pcm)
    assert np.array_equal(as_saved_pcm16(noise), load_audio(tmp_path / "n.wav").samples)


def test_feed_after_finish_is_refused_and_callbacks_see_words() -> None:
    seen: list[int] = []
    st = StreamingTranscriber(TimedEngine(), Settings(), on_words=lambda w: seen.append(len(w)))
    samples = read_samples(JFK)
    st.feed(samples, 0.0)
    words = st.finish()
    assert words and seen and seen[-1] == len(words)
    assert st.partial_words() == words
    with pytest.raises(VoiceCoachError):
        st.feed(samples[:1600], 11.0)


def test_silence_gives_no_words_and_a_gap_in_time_is_filled() -> None:
    st = StreamingTranscriber(TimedEngine(), Settings())
    st.feed(np.zeros(8000, np.float32), 0.0)
    st.feed(np.zeros(8000, np.float32), 1.0)  # half a second went missing
    assert st.finish() == []
    assert st.duration_s == pytest.approx(1.5)


def test_timeline_spans_segments_fills_gaps_and_keeps_what_it_has() -> None:
    from voicecoach.streaming import _Timeline

    class Small(_Timeline):
        SEGMENT = 4

    line = Small()
    line.write(np.arange(1, 7, dtype=np.float32))  # 1..6 across two segments
    line.write(np.array([9, 9], np.float32), at=8)  # samples 6, 7 went missing
    line.write(np.array([0, 0, 10], np.float32), at=8)  # repeats 8, 9; adds 10
    assert line.size == 11
    assert line.read(0, 11).tolist() == [1, 2, 3, 4, 5, 6, 0, 0, 9, 9, 10]
    assert line.read(3, 9).tolist() == [4, 5, 6, 0, 0, 9]
    assert line.read(9, 50).tolist() == [9, 10]


def test_finish_report_says_silent_like_the_batch_pass() -> None:
    from voicecoach.errors import AudioInputError

    st = StreamingTranscriber(TimedEngine(), Settings())
    st.feed(np.zeros(2 * SAMPLE_RATE, np.float32), 0.0)
    with pytest.raises(AudioInputError, match="no speech found"):
        st.finish_report()
    st.close()


def test_feed_is_cheap_while_the_engine_is_busy() -> None:
    """A slow engine must never hold up the recorder thread that calls feed()."""
    release = threading.Event()

    class SlowEngine(TimedEngine):
        def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
            release.wait(5)
            return super().transcribe(samples, offset)

    samples = read_samples(JFK)
    st = StreamingTranscriber(SlowEngine(), Settings())
    import time

    started = time.perf_counter()
    for _ in range(3):  # 33 s of audio while the engine is stuck
        for i in range(0, len(samples), 1600):
            st.feed(samples[i : i + 1600])
    assert time.perf_counter() - started < 1.0
    release.set()
    assert st.finish()


# -- slow: real engines, real recorder ----------------------------------------------


def record_and_stream(engine, path: Path, tmp_path: Path, settings: Settings,
                      speed: float | None = None, **options):
    """The recorder's pipeline as the app runs it: paced at `speed` x real time, or as
    fast as possible (None)."""
    from voicecoach.audio.recorder import FileSource, Recorder

    st = StreamingTranscriber(engine, settings, StreamingOptions(**options))
    source = FileSource(path, realtime=speed is not None, speed=speed or 1.0)
    recorder = Recorder(tmp_path / "take.wav", source, on_block=st.feed)
    recorder.start()
    while not recorder.source_finished:
        threading.Event().wait(0.02)
    saved = recorder.stop()
    assert recorder.hook_error is None
    report = st.finish_report(Audio(st.samples(), path=saved))
    st.close()  # no thread may be left inside the engine when the tests end
    return st, report, saved


def unmatched(words: list[Word], others: list[Word]) -> list[Word]:
    """Words with no counterpart of the same text at about the same time."""
    return [w for w in words
            if not any(o.text == w.text and abs(o.start - w.start) <= 0.2 for o in others)]


def assert_agrees_with_batch(stream_report, batch_report) -> None:
    """WER <= 2 points; the same findings apart from those on words that differ."""
    assert word_error_rate(batch_report.text, stream_report.text) <= 0.02
    assert_time_ordered(stream_report.words)
    assert stream_report.speech == batch_report.speech
    differing = (unmatched(stream_report.words, batch_report.words)
                 + unmatched(batch_report.words, stream_report.words))

    differing_tokens = {t for w in differing for t in normalize_words(w.text)}

    def on_differing_word(f) -> bool:
        if differing_tokens & set(normalize_words(f.evidence)):
            return True
        return f.start is not None and f.end is not None and any(
            w.start < f.end and f.start < w.end for w in differing)

    def findings(report) -> set[str]:
        return {f.id for f in report.findings if not on_differing_word(f)}

    assert findings(stream_report) == findings(batch_report)


@pytest.fixture(scope="module")
def cut_clip() -> Path:
    path, _ = cached_answer("streaming-cut-answer", CUT_ANSWER, lead_s=0.8)
    return path


@pytest.mark.slow
def test_jfk_streamed_agrees_with_batch_faster_whisper(faster_engine, tmp_path: Path
                                                        ) -> None:
    """As the app records: paced (at twice real time), default options."""
    settings = Settings()
    st, report, saved = record_and_stream(faster_engine, JFK, tmp_path, settings, speed=2.0)
    batch = score_file(saved, faster_engine, settings)
    assert_agrees_with_batch(report, batch)
    assert st.stats.speculative_calls >= 1  # the pause at 7.6 s was used


@pytest.mark.slow
def test_jfk_streamed_equals_batch_when_not_joining(faster_engine, tmp_path: Path) -> None:
    """Without joining at stop, the stream makes exactly the batch calls."""
    settings = Settings()
    _, report, saved = record_and_stream(faster_engine, JFK, tmp_path, settings,
                                         join_at_stop=False)
    assert report.text == score_file(saved, faster_engine, settings).text


@pytest.mark.slow
def test_long_stretch_is_cut_and_still_agrees(faster_engine, cut_clip: Path,
                                              tmp_path: Path) -> None:
    """The bounded cut and its overlap join, against the batch pass (which has no cut)."""
    settings = Settings()
    st, report, saved = record_and_stream(faster_engine, cut_clip, tmp_path, settings,
                                          join_at_stop=False)
    assert st.stats.cuts, "the run-on stretch should exceed the bound"
    batch = score_file(saved, faster_engine, settings)
    assert_agrees_with_batch(report, batch)
    cut = st.stats.cuts[0]
    near = [w.text.lower().strip(",.") for w in report.words if abs(w.start - cut) < 2.0]
    assert all(a != b for a, b in zip(near, near[1:])), near  # no word twice at the cut


@pytest.mark.slow
def test_jfk_streamed_agrees_with_batch_openai_whisper(openai_engine, tmp_path: Path) -> None:
    settings = Settings(engine="openai-whisper")
    _, report, saved = record_and_stream(openai_engine, JFK, tmp_path, settings, speed=2.0)
    batch = score_audio(load_audio(saved), openai_engine, settings)
    assert report.engine_name == "openai-whisper"
    assert_agrees_with_batch(report, batch)
