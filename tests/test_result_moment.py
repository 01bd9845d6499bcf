"""The result screen's 1-3 keys play the moment of a fix (a few seconds around it)
without opening Replay: through a test output, and through real PortAudio into a
PulseAudio null sink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_playback import SR, SinkRecorder, chirp, locate, play_sink, tone_report  # noqa: F401
from test_tui_app import wait_for
from textual.app import App

from voicecoach.audio.io import save_wav
from voicecoach.audio.output import PullOutput
from voicecoach.config import Settings
from voicecoach.moments import MAX_S, MIN_S, moment_span
from voicecoach.report import Finding
from voicecoach.tui.result import ResultScreen

SECONDS = 20.0


class ResultHost(App[None]):
    """Just what the result screen asks of the app."""

    def __init__(self, screen: ResultScreen, output_factory=None) -> None:
        super().__init__()
        self.settings = Settings()
        self.output_factory = output_factory
        self.screen_under_test = screen

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test)


def take_with_fixes(tmp_path: Path):
    path = tmp_path / "take.wav"
    samples = chirp(SECONDS)
    save_wav(path, samples)
    report = tone_report(path, SECONDS)
    report.scores = {"overall": 60, "structure": 50, "delivery": 80, "fillers": 90,
                     "flow": 70}
    report.findings = [
        Finding("lost-thread", "pauses", "major", "Lost the thread.", "Recap.", 12.0, 15.0,
                "rare. [3.0 s] Sorry, where was I?"),
        Finding("no-summary", "structure", "minor", "No closing summary.", "Sum up.",
                17.5, 19.0, "so that is it"),
        Finding("filler-rate", "fillers", "minor", "Fillers.", "Pause.", 2.0, 2.2, "um"),
    ]
    return path, samples, report


def test_moment_span_has_air_and_bounds():
    assert moment_span(28.0, 31.0, 75.0) == (26.5, 32.5)
    a, b = moment_span(10.0, 10.2, 75.0)  # a one-word finding still gets context
    assert a == 8.5 and b - a == MIN_S
    a, b = moment_span(0.2, 60.0, 75.0)  # a long stretch is for Replay
    assert a == 0.0 and b == MAX_S
    assert moment_span(74.0, None, 75.0) == (71.0, 75.0)  # the end of the take


@pytest.mark.asyncio
async def test_key_plays_the_fix_moment_without_replay(tmp_path):
    path, samples, report = take_with_fixes(tmp_path)
    out = PullOutput()
    screen = ResultScreen(None, report)
    app = ResultHost(screen, lambda: out)
    async with app.run_test(size=(120, 40)) as pilot:
        tips = str(screen.query_one("#tips").render())
        assert "[0:12 ▶1]" in tips and "[0:17 ▶2]" in tips and "[0:02 ▶3]" in tips
        await pilot.press("1")
        await wait_for(pilot, lambda: screen.moment is not None and screen.moment.playing,
                       what="the moment playing")
        assert app.screen is screen  # no Replay
        a, b = moment_span(12.0, 15.0, SECONDS)
        out.pull_seconds(b - a + 0.5)
        heard = out.samples()
        np.testing.assert_allclose(heard[: int((b - a) * SR)],  # the WAV is 16-bit
                                   samples[int(a * SR):int(b * SR)], atol=1e-4)
        assert not heard[int((b - a) * SR) + 1:].any()  # stops at the end of the moment
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.moment is not None and screen.moment.playing
                       and screen.moment.duration_s == pytest.approx(
                           np.subtract(*moment_span(17.5, 19.0, SECONDS)[::-1]), abs=1e-3),
                       what="fix 2 playing")


@pytest.mark.mic
@pytest.mark.slow
@pytest.mark.asyncio
async def test_key_plays_the_moment_through_portaudio(play_sink, tmp_path):  # noqa: F811
    path, samples, report = take_with_fixes(tmp_path)
    screen = ResultScreen(None, report)
    rec = SinkRecorder(play_sink)
    async with ResultHost(screen).run_test(size=(120, 40)) as pilot:
        await pilot.press("1")
        await wait_for(pilot, lambda: screen.moment is not None and screen.moment.playing,
                       what="the moment playing")
        await wait_for(pilot, lambda: not screen.moment.playing, timeout=20,
                       what="the moment to end")
    recorded = rec.stop()
    a, b = moment_span(12.0, 15.0, SECONDS)
    piece = samples[int(a * SR):int(b * SR)]
    _, r = locate(recorded, piece)
    assert r > 0.95, f"the sink did not get the fix's moment (r={r:.3f})"
    other = samples[int(1 * SR):int(4 * SR)]  # a stretch outside the moment
    assert locate(recorded, other)[1] < 0.5
