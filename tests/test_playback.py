"""Playback: position from consumed frames, pause, seek; and the real PortAudio path.

The fast tests use `PullOutput`, an output that consumes samples only when the test
pulls them. The `mic` tests play through PortAudio -> ALSA -> PulseAudio into a null
sink of their own (so they never mix with the virtual-microphone tests, which use
`vmic`) and record its monitor with `parec`, then check what the sink received
against the take.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import JFK

from voicecoach.asr.base import SAMPLE_RATE, Word
from voicecoach.audio.io import load_audio
from voicecoach.audio.output import SLACK_S, PullOutput, SoundDeviceOutput
from voicecoach.playback import Player, word_at, word_starts

ROOT = Path(__file__).resolve().parents[1]
SR = SAMPLE_RATE


@pytest.fixture(scope="module")
def take() -> np.ndarray:
    return load_audio(JFK).samples


def test_position_is_what_the_output_consumed(take):
    out = PullOutput()
    player = Player(take, output=out)
    out_before = player.position_s
    player.play()
    out.pull_seconds(1.0, block=500)
    assert out_before == 0.0 and player.position_s == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_equal(out.samples(), take[:SR])
    player.pause()
    out.pull_seconds(0.5)
    assert player.position_s == pytest.approx(1.0, abs=1e-9)  # paused: nothing consumed
    assert not out.samples()[SR:].any()  # and the device got silence
    player.play()
    out.pull(100)
    np.testing.assert_array_equal(out.received[-1], take[SR:SR + 100])


def test_seek_and_skip_clamp_to_the_take(take):
    out = PullOutput()
    player = Player(take, output=out)
    player.play()
    assert player.seek(5.0) == 5.0
    block = out.pull(4000)
    np.testing.assert_array_equal(block, take[5 * SR:5 * SR + 4000])
    assert player.skip(-5) == pytest.approx(0.25)
    assert player.skip(-5) == 0.0
    assert player.skip(+5) == 5.0
    assert player.seek(-2) == 0.0
    assert player.seek(1e6) == pytest.approx(player.duration_s)


def test_end_stops_and_play_starts_over(take):
    out = PullOutput()
    player = Player(take[: SR // 2], output=out)
    player.play()
    out.pull(SR)  # more than there is
    assert player.ended and not player.playing
    assert player.position_s == pytest.approx(0.5)
    got = out.samples()
    np.testing.assert_array_equal(got[: SR // 2], take[: SR // 2])
    assert not got[SR // 2:].any()
    player.play()
    assert player.playing and player.position_s == 0.0 and not player.ended
    player.close()
    assert out.closed


def test_device_rate_differs_position_in_seconds_stays_true(take):
    out = PullOutput(rate=48000)
    player = Player(take, output=out)
    player.seek(2.0)
    player.play()  # opens the output: resampled once to 48 kHz
    assert player.rate == 48000 and player.position_s == pytest.approx(2.0)
    out.pull_seconds(1.0)
    assert player.position_s == pytest.approx(3.0)
    got = out.samples()[::3]  # 48 kHz -> 16 kHz by decimation; fine for a level check
    ref = take[2 * SR:3 * SR]
    r = np.corrcoef(got[10:-10], ref[10:len(got) - 10])[0, 1]
    assert r > 0.9


def test_word_at():
    words = [Word("ask", 1.0, 1.3), Word("not", 1.4, 1.6), Word("what", 2.5, 2.8)]
    starts = word_starts(words)
    assert word_at(starts, 0.5) is None
    assert word_at(starts, 1.0) == 0
    assert word_at(starts, 1.39) == 0
    assert word_at(starts, 2.0) == 1  # in a pause the previous word stays lit
    assert word_at(starts, 99) == 2


# --- the real stack ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def play_sink():
    """A PulseAudio null sink only these tests use; PortAudio's ALSA `pulse` device plays
    into it (PULSE_SINK), and `parec` records its monitor."""
    for tool in ("pactl", "parec"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (apt-get install pulseaudio-utils)")
    started = subprocess.run([str(ROOT / "scripts" / "virtual-mic.sh")], capture_output=True,
                             text=True, timeout=60)
    if started.returncode != 0:
        pytest.skip(f"PulseAudio unavailable: {started.stderr.strip()}")
    name = f"vc_playback_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}",
                             "sink_properties=device.description=voicecoach-playback-test"],
                            capture_output=True, text=True, timeout=30)
    if loaded.returncode != 0:
        pytest.skip(f"cannot create a null sink: {loaded.stderr.strip()}")
    saved = os.environ.get("PULSE_SINK")
    os.environ["PULSE_SINK"] = name
    yield name
    if saved is None:
        os.environ.pop("PULSE_SINK", None)
    else:
        os.environ["PULSE_SINK"] = saved
    subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True,
                   timeout=30)


class SinkRecorder:
    """`parec` on the sink's monitor, 16 kHz mono float32, read on a thread."""

    def __init__(self, sink: str) -> None:
        self.data = bytearray()
        self.proc = subprocess.Popen(
            ["parec", "-d", f"{sink}.monitor", "--format=float32le", f"--rate={SR}",
             "--channels=1", "--raw", "--latency-msec=20"], stdout=subprocess.PIPE)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while len(self.data) < 4 * SR // 10 and time.monotonic() < deadline:
            time.sleep(0.05)  # a null sink's monitor can take ~2 s to start delivering
        assert self.data, "parec delivered nothing from the monitor"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(65536):
            self.data += chunk

    def stop(self) -> np.ndarray:
        time.sleep(0.4)  # let the last buffers reach the monitor
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.thread.join(timeout=10)
        n = len(self.data) // 4 * 4
        return np.frombuffer(bytes(self.data[:n]), dtype=np.float32).copy()


def locate(recorded: np.ndarray, piece: np.ndarray) -> tuple[int, float]:
    """(offset in `recorded` where `piece` matches best, Pearson r there).

    Normalized cross-correlation: a quiet piece next to loud speech is still found
    where it is, not where the signal is merely loudest.
    """
    m = len(piece)
    if len(recorded) < m:
        return 0, 0.0
    n = 1 << int(np.ceil(np.log2(len(recorded) + m)))
    centred = piece - piece.mean()
    xc = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(centred, n)), n)
    valid = xc[: len(recorded) - m + 1]
    c1 = np.concatenate([[0.0], np.cumsum(recorded, dtype=np.float64)])
    c2 = np.concatenate([[0.0], np.cumsum(recorded.astype(np.float64) ** 2)])
    sums, squares = c1[m:] - c1[:-m], c2[m:] - c2[:-m]
    spread = np.sqrt(np.maximum(squares - sums ** 2 / m, 0.0))
    score = valid / (spread * np.linalg.norm(centred) + 1e-12)
    # Digital silence: its spread is rounding noise of the running sums, and dividing
    # by it can score a silent stretch above the real match.
    score[spread < 1e-4 * np.sqrt(m)] = 0.0
    lag = int(np.argmax(score))
    seg = recorded[lag:lag + m]
    return lag, float(np.corrcoef(seg, piece)[0, 1])


def chunks_found(recorded: np.ndarray, piece: np.ndarray, seconds: float = 0.5
                 ) -> tuple[float, list[int]]:
    """Share of `piece`'s voiced 0.5 s chunks found in `recorded` (r > 0.9), and where.

    Tolerates a gap that a late callback (an underrun on a busy machine) inserts: the
    whole piece fixes the rough offset, then each chunk is located on its own within a
    second of it. The offsets of the chunks must not go backwards.
    """
    base, _ = locate(recorded, piece)
    size, slack = int(seconds * SR), SR
    found, voiced, lags = 0, 0, []
    for start in range(0, len(piece) - size + 1, size):
        chunk = piece[start:start + size]
        if np.sqrt((chunk ** 2).mean()) < 0.01:
            continue  # silence matches anything
        voiced += 1
        lo = max(0, base + start - slack)
        lag, r = locate(recorded[lo:base + start + size + slack], chunk)
        if r > 0.9:
            found += 1
            lags.append(lo + lag - start)
    return found / max(1, voiced), lags


def envelope(x: np.ndarray, frame: int = SR // 50) -> np.ndarray:
    n = len(x) // frame
    return np.sqrt((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1))


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.mic
@pytest.mark.slow
def test_sink_receives_the_take(play_sink, take):
    rec = SinkRecorder(play_sink)
    output = SoundDeviceOutput("pulse")
    player = Player(take, output=output)
    try:
        player.play()
        wait_until(lambda: player.ended, player.duration_s + 15)
        assert player.position_s == pytest.approx(player.duration_s)
        assert player.audible_s == pytest.approx(player.duration_s)  # ended: all heard
        time.sleep(0.5)
    finally:
        player.close()
    recorded = rec.stop()
    share, lags = chunks_found(recorded, take)
    assert share == 1.0, f"only {share:.0%} of the take reached the sink"
    assert lags == sorted(lags), "the sink got the take's pieces out of order"
    if output.underflows:  # a late callback on a busy machine: a gap, nothing else
        print(f"\nsink check: {output.underflows} underflow(s); every 0.5 s piece found")
        return
    lag, r = locate(recorded, take)
    got = recorded[lag:lag + len(take)]
    assert len(got) == len(take), "the sink received less than the whole take"
    assert r > 0.95, f"sink signal does not match the take (r={r:.3f})"
    env_r = np.corrcoef(envelope(got), envelope(take))[0, 1]
    assert env_r > 0.98
    gain = np.sqrt((got ** 2).mean() / (take ** 2).mean())
    assert 0.8 < gain < 1.25  # unity through PortAudio/ALSA/PulseAudio, s16 in the sink
    # nothing else but silence around it: no samples played twice, none left out
    assert envelope(recorded[:lag]).max(initial=0) < 0.01
    assert envelope(recorded[lag + len(take):]).max(initial=0) < 0.01
    print(f"\nsink check: r={r:.4f} envelope r={env_r:.4f} gain={gain:.3f} "
          f"lag={lag / SR:.2f}s")


@pytest.mark.mic
@pytest.mark.slow
def test_sink_pause_and_seek(play_sink, take):
    rec = SinkRecorder(play_sink)
    output = SoundDeviceOutput("pulse")
    player = Player(take, output=output)
    try:
        player.play()
        wait_until(lambda: player.audible_s >= 2.0, 15)
        player.pause()
        paused_at = player.position_s
        time.sleep(1.0)
        assert player.position_s == paused_at  # paused: the device takes nothing
        player.seek(6.0)
        player.play()
        wait_until(lambda: player.ended, 15)
        time.sleep(0.5)
    finally:
        player.close()
    recorded = rec.stop()
    head = take[: int(paused_at * SR)]
    tail = take[6 * SR:]
    skipped = take[int(paused_at * SR) + SR // 4: 6 * SR - SR // 4]
    assert chunks_found(recorded, head)[0] == 1.0
    assert chunks_found(recorded, tail)[0] == 1.0
    assert locate(recorded, skipped)[1] < 0.5  # the seek skipped it
    if output.underflows:
        return  # gaps from late callbacks: the exact boundaries below would not hold
    start, r_head = locate(recorded, head)
    resume, r_tail = locate(recorded, tail)
    assert r_head > 0.95 and r_tail > 0.95, (r_head, r_tail)
    # The pause is immediate (the half second the device held is dropped) and the
    # position is what was heard: the sink got the take up to it and at most SLACK_S
    # more (a pause rewinds that far to be safe), then silence until 6.0 s.
    gap = recorded[start + len(head):resume]
    assert len(gap) / SR > 0.8
    voiced = np.flatnonzero(envelope(gap) >= 0.01)  # 20 ms frames
    heard_past = (voiced[-1] + 1) * 0.02 if voiced.size else 0.0
    assert heard_past <= SLACK_S + 0.06, f"{heard_past:.2f} s heard past the pause"


# --- the app: the replay screen's own playback, as a user hears it ----------------------------


def chirp(seconds: float) -> np.ndarray:
    """A sweep that is never silent and never repeats: a gap, a skip or a repeat in what
    the sink received shows as a chunk that is missing or out of place."""
    t = np.arange(int(seconds * SR)) / SR
    f0, f1 = 200.0, 2000.0
    phase = 2 * np.pi * f0 * seconds / np.log(f1 / f0) * (np.exp(t / seconds
                                                                  * np.log(f1 / f0)) - 1)
    return (0.3 * np.sin(phase)).astype(np.float32)


def tone_report(path: Path, seconds: float):
    from voicecoach.report import Metrics, Report

    words = [Word(f"w{i}", i * 0.5, i * 0.5 + 0.3) for i in range(int(seconds * 2))]
    metrics = Metrics(len(words), seconds, seconds, 120.0, 120.0, 0, 0.0, 0.0, 0, 0.0)
    return Report(str(path), seconds, "faster-whisper", "tiny.en", words, [], [], [],
                  metrics)


def gaps(recorded: np.ndarray, frame_s: float = 0.01, level: float = 0.05
         ) -> tuple[int, int, list[tuple[float, float]]]:
    """(first, last) sample of sound in `recorded`, and every silent stretch in between
    as (start s, length s)."""
    frame = int(frame_s * SR)
    loud = np.flatnonzero(envelope(recorded, frame) > level)
    if not loud.size:
        return 0, 0, []
    found = [(a * frame_s, (b - a - 1) * frame_s) for a, b in zip(loud[:-1], loud[1:])
             if b - a > 1]
    return int(loud[0]) * frame, int(loud[-1] + 1) * frame, found


@pytest.mark.mic
@pytest.mark.slow
@pytest.mark.asyncio
async def test_replay_screen_plays_without_gaps_while_the_app_is_busy(play_sink, tmp_path):
    """The stutter a user heard: from the replay screen, with the app busy in another
    thread (scoring a take in the background), the sink must get the take whole, at the
    speed of the wall clock, and the screen's clock must follow what is heard."""
    from conftest import Host

    from voicecoach.audio.io import save_wav
    from voicecoach.tui.replay import ReplayScreen

    seconds = 12.0
    samples = chirp(seconds)
    path = tmp_path / "take.wav"
    save_wav(path, samples)
    screen = ReplayScreen(tone_report(path, seconds), path)  # the app's default output
    busy = threading.Event()

    def background_work() -> None:  # pure Python: holds the GIL most of the time
        while not busy.is_set():
            sum(i * i for i in range(20000))

    rec = SinkRecorder(play_sink)
    worker = threading.Thread(target=background_work, daemon=True)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        while screen.opening_audio:
            await pilot.pause(0.05)
        worker.start()
        pressed_at = len(rec.data) // 4  # the recording's sample index at the key press
        t0 = time.monotonic()
        await pilot.press("space")
        clock: list[tuple[float, float]] = []  # (wall s since the key, screen position)
        while screen.player.playing and time.monotonic() - t0 < seconds + 15:
            await pilot.pause(0.1)
            clock.append((time.monotonic() - t0, screen.position_s))
        busy.set()
        underflows = screen.player.output.underflows
    worker.join(5)
    recorded = rec.stop()
    first, last, silent = gaps(recorded)
    start_delay = (first - pressed_at) / SR
    played = (last - first) / SR
    print(f"\nreplay: start {start_delay:.2f} s after the key, {played:.2f} s of sound for a "
          f"{seconds:.0f} s take, gaps {silent}, {underflows} underflow(s)")
    assert not silent, f"silent gaps in what the sink received: {silent}"
    assert played == pytest.approx(seconds, abs=0.05)  # the wall clock: no stall, no skip
    share, lags = chunks_found(recorded, samples)
    assert share == 1.0 and max(lags) - min(lags) <= SR // 100  # nothing out of place
    # From the key press: on 2 busy cores with a GIL-hungry thread the key itself can take
    # a second to reach the screen; uncontended, sound starts 0.05-0.3 s after it.
    assert start_delay < 2.0
    # What the screen shows is what is heard: position = wall time since the sound began.
    drift = [abs(pos - (wall - start_delay)) for wall, pos in clock
             if start_delay + 0.2 < wall < start_delay + seconds - 0.2]
    assert drift and max(drift) < 0.25, f"screen clock off by up to {max(drift):.2f} s"


@pytest.mark.mic
@pytest.mark.slow
@pytest.mark.asyncio
async def test_paused_replay_is_idle(play_sink, tmp_path):
    """Paused, the replay screen runs no timer and no audio callback: ~0% CPU."""
    from conftest import Host

    from voicecoach.audio.io import save_wav
    from voicecoach.tui.replay import ReplayScreen

    path = tmp_path / "take.wav"
    save_wav(path, chirp(8.0))
    screen = ReplayScreen(tone_report(path, 8.0), path)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        while screen.opening_audio:
            await pilot.pause(0.05)
        await pilot.press("space")
        await pilot.pause(1.0)
        assert screen.player.playing and screen.position_s > 0.3
        await pilot.press("space")
        await pilot.pause(0.3)
        stream = screen.player.output._stream
        assert not screen.player.playing and not stream.active and not screen.ticking
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.sleep(2.0)
        share = (time.process_time() - cpu) / (time.monotonic() - wall)
    print(f"\npaused replay: {share:.1%} of a core")
    assert share < 0.03
