"""Playback: position from consumed frames, pause, seek; and the real PortAudio path.

The fast tests use `PullOutput`, an output that consumes samples only when the test
pulls them. The `mic` tests play through PortAudio -> ALSA -> PulseAudio into a null
sink of their own (so they never mix with the virtual-microphone tests, which use
`vmic`) and record its monitor with `parec`, then check what the sink received
against the take.
"""

from __future__ import annotations

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
from voicecoach.playback import Player, PullOutput, SoundDeviceOutput, word_at, word_starts

ROOT = Path(__file__).resolve().parents[1]
SR = SAMPLE_RATE
LATENCY = 0.2  # s of output buffer: other test runs share these two cores


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
    spread = np.sqrt(np.maximum(squares - sums ** 2 / m, 1e-12))
    score = valid / (spread * np.linalg.norm(centred) + 1e-12)
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
    output = SoundDeviceOutput("pulse", latency=LATENCY)
    player = Player(take, output=output)
    try:
        player.play()
        wait_until(lambda: player.ended, player.duration_s + 15)
        assert player.position_s == pytest.approx(player.duration_s)
        time.sleep(output.latency_s + 0.5)  # consumed is not yet heard: let it drain
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
    output = SoundDeviceOutput("pulse", latency=LATENCY)
    player = Player(take, output=output)
    try:
        player.play()
        wait_until(lambda: player.position_s >= 2.0, 15)
        player.pause()
        paused_at = player.position_s
        time.sleep(1.0)
        assert player.position_s == paused_at  # paused: the device takes nothing
        player.seek(6.0)
        player.play()
        wait_until(lambda: player.ended, 15)
        time.sleep(output.latency_s + 0.5)
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
    # exactly the consumed frames were heard before the pause, then silence, then 6.0 s on
    gap = recorded[start + len(head):resume]
    assert len(gap) / SR > 0.8
    assert envelope(gap).max(initial=0) < 0.01
