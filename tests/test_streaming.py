"""Streaming transcription IS the batch pass over the same recording, word for word.

The fast tests use a stand-in engine whose "words" are fixed points in time, so chunk
plans and bounded cuts can be checked exactly. The slow tests run the real engines
on jfk.wav and on a synthetic answer with one long unbroken stretch, through the
real recorder, and compare with a batch pass over the saved file: equal reports.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import JFK, cached_answer, read_samples

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import Audio, load_audio
from voicecoach.audio.segment import segment_speech
from voicecoach.audio.vad import Span, speech_regions
from voicecoach.config import Settings
from voicecoach.errors import VoiceCoachError
from voicecoach.pipeline import ChunkPlan, plan_chunks, score_audio, score_file
from voicecoach.streaming import StreamingOptions, StreamingTranscriber, as_saved_pcm16

# A synthetic answer: pauses between sentences, and one ~27 s run-on stretch with no
# gap at all (~28 s), longer than the 20 s bound, so it is cut at a quiet moment.
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


def test_segmenter_regions_equal_the_batch_vad() -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    assert segment_speech(samples).regions == speech_regions(samples)


@pytest.mark.parametrize("block", [480, 1777, 16000])
def test_streamed_chunks_and_words_equal_the_batch_plan(block: int) -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    regions = speech_regions(samples)
    engine = TimedEngine(regions)
    st = stream(engine, samples, block)
    words = st.finish()
    assert st.speech_regions() == regions
    batch = plan_chunks(regions, len(samples) / SAMPLE_RATE)
    decoded = [Span(e[2], e[3]) for e in st.stats.events]
    assert set(batch) <= set(decoded) and len(set(decoded)) == len(decoded)  # each once
    batch_words = [w for c in batch for w in TimedEngine(regions).transcribe(
        samples[int(c.start * SAMPLE_RATE) : int(c.end * SAMPLE_RATE)], c.start)]
    assert words == batch_words


def test_phrase_chunks_close_while_speaking() -> None:
    """Chunks end at pauses once they hold a phrase: the stop is left the last one."""
    samples = as_saved_pcm16(read_samples(JFK))
    chunks = plan_chunks(speech_regions(samples), len(samples) / SAMPLE_RATE)
    assert len(chunks) >= 2 and all(c.duration <= 28.0 for c in chunks)
    one = plan_chunks(speech_regions(samples), len(samples) / SAMPLE_RATE,
                      ChunkPlan(min_chunk_s=60.0))
    assert len(one) == 1  # without the phrase rule jfk is one chunk


def test_unbroken_voice_is_cut_and_every_word_kept_once() -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    engine = TimedEngine(speech_regions(samples))
    plan = ChunkPlan(max_region_s=3.0)
    st = stream(engine, samples, plan=plan)
    words = st.finish()
    assert len(st.stats.cuts) >= 2
    found = segment_speech(samples, max_region_s=3.0)
    assert st.stats.cuts == found.cuts  # streaming and batch cut at the same moments
    chunks = plan_chunks(found.regions, len(samples) / SAMPLE_RATE, plan, found.cuts)
    assert {c.start for c in chunks} >= set(found.cuts)  # a cut starts a chunk
    assert [w.text for w in words if w.text != "garbled"] == \
        [f"w{k}" for k in range(30) if engine.spoken(k)
         and not any(k * 0.4 < c < k * 0.4 + 0.3 for c in found.cuts)]
    assert_time_ordered(words)


def test_a_pause_before_the_stop_leaves_no_call_for_the_stop() -> None:
    """The worker decodes the open chunk in a pause; a stop then reuses it."""
    samples = as_saved_pcm16(read_samples(JFK))
    last_word = speech_regions(samples)[-1].end
    st = stream(TimedEngine(speech_regions(samples)), samples)
    st.feed(np.zeros(SAMPLE_RATE, np.float32))  # one second of silence after the last word
    wait_for(lambda: any(kind == "speculative" and end > last_word
                         for _, kind, _, end, _ in st.stats.events))
    words = st.finish()
    assert st.stats.stop_calls == 0 and st.stats.reused == len(
        plan_chunks(speech_regions(samples), st.duration_s))
    assert words


def test_stopping_on_the_last_word_decodes_only_the_last_chunk() -> None:
    samples = as_saved_pcm16(read_samples(JFK))
    regions = speech_regions(samples)
    cut = int((regions[-1].end + 0.05) * SAMPLE_RATE)  # stop on the last word
    st = stream(TimedEngine(regions), samples[:cut])
    chunks = plan_chunks(speech_regions(samples[:cut]), cut / SAMPLE_RATE)
    wait_for(lambda: st.stats.calls >= len(chunks) - 1)
    st.finish()
    assert st.stats.stop_calls == 1


def wait_for(condition, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


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


def test_a_guess_the_speaker_talked_over_is_dropped_between_steps() -> None:
    """The open chunk decoded in a pause is moot once speech goes on: the call stops at
    its next step (an engine cannot be interrupted inside one) instead of holding up
    the chunks that are needed, and the words are still the batch plan's."""
    from voicecoach.asr.cancel import check_wanted

    guessing = threading.Event()

    class SteppingEngine(TimedEngine):
        """A call of ten 0.1 s steps (encoder pass, search...), checked between them."""

        def transcribe(self, samples: np.ndarray, offset: float = 0.0) -> list[Word]:
            for _ in range(10):
                guessing.set()
                threading.Event().wait(0.1)
                check_wanted()
            return super().transcribe(samples, offset)

    path, _ = cached_answer("streaming-talked-over", [
        "Let me start with the data.", 1.0,
        "Then I would look at the labels and the features we can trust."])
    samples = as_saved_pcm16(load_audio(path).samples)
    regions = speech_regions(samples)
    assert len(regions) == 2 and regions[0].duration < ChunkPlan().min_chunk_s
    cut = int((regions[0].end + 0.6) * SAMPLE_RATE)  # in the pause: the guess begins
    st = stream(SteppingEngine(regions), samples[:cut])
    assert guessing.wait(5)
    for i in range(cut, len(samples), 1600):  # the speaker goes on
        st.feed(samples[i : i + 1600], i / SAMPLE_RATE)
    words = st.finish()
    assert st.stats.cancelled == 1
    cancelled = [e for e in st.stats.events if e[1] == "cancelled"]
    assert all(spent < 0.5 for *_, spent in cancelled)  # a step, not the whole call
    batch = stream(TimedEngine(regions), samples).finish()
    assert words_text(words) == words_text(batch)


# -- slow: real engines, real recorder ----------------------------------------------


def record_and_stream(engine, path: Path, tmp_path: Path, settings: Settings,
                      speed: float | None = None, **options):
    """The recorder's pipeline as the app runs it: paced at `speed` x real time, or as
    fast as possible (None)."""
    from voicecoach.audio.recorder import Recorder
    from voicecoach.audio.sources import FileSource

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


def assert_same_report(stream_report, batch_report) -> None:
    """The streamed report is the batch report of the saved file, apart from timing."""
    def plain(report) -> dict:
        data = json.loads(report.to_json())
        data.pop("timing", None)
        return data

    assert plain(stream_report) == plain(batch_report)
    assert_time_ordered(stream_report.words)


@pytest.fixture(scope="module")
def cut_clip() -> Path:
    path, _ = cached_answer("streaming-cut-answer", CUT_ANSWER, lead_s=0.8)
    return path


@pytest.mark.slow
def test_jfk_streamed_equals_batch_faster_whisper(app_faster_engine, tmp_path: Path) -> None:
    """As the app records: paced (at twice real time), default options."""
    settings = Settings()
    _, report, saved = record_and_stream(app_faster_engine, JFK, tmp_path, settings,
                                         speed=2.0)
    assert_same_report(report, score_file(saved, app_faster_engine, settings))


@pytest.mark.slow
def test_long_stretch_is_cut_and_streamed_equals_batch(app_faster_engine, cut_clip: Path,
                                                       tmp_path: Path) -> None:
    settings = Settings()
    st, report, saved = record_and_stream(app_faster_engine, cut_clip, tmp_path, settings)
    assert st.stats.cuts, "the run-on stretch should exceed the bound"
    assert_same_report(report, score_file(saved, app_faster_engine, settings))
    cut = st.stats.cuts[0]
    near = [w.text.lower().strip(",.") for w in report.words if abs(w.start - cut) < 2.0]
    assert all(a != b for a, b in zip(near, near[1:])), near  # no word twice at the cut


@pytest.mark.slow
def test_jfk_streamed_equals_batch_openai_whisper(app_openai_engine, tmp_path: Path
                                                   ) -> None:
    settings = Settings(engine="openai-whisper")
    _, report, saved = record_and_stream(app_openai_engine, JFK, tmp_path, settings,
                                         speed=2.0)
    batch = score_audio(load_audio(saved), app_openai_engine, settings)
    assert report.engine_name == "openai-whisper"
    assert_same_report(report, batch)
