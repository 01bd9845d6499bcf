"""Short islands of voice set off by silence, and their periodicity."""

from __future__ import annotations

import numpy as np

from tools.synth import speak
from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.audio.islands import IslandFollower, periodicity, voice_islands

RNG = np.random.default_rng(7)


def hum(hz: float, seconds: float) -> np.ndarray:
    """A voice-like buzz: a pitch with its harmonics, like a held "uh"."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return 0.1 * sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, 8)).astype(np.float32)


def test_pitched_sound_is_periodic_and_noise_is_not():
    assert periodicity(hum(200, 0.2)) > 0.9
    # A low voice: its peak sits far along the lag axis, the window correction keeps it.
    assert periodicity(hum(85, 0.2)) > 0.9
    assert periodicity(0.1 * RNG.standard_normal(3200).astype(np.float32)) < 0.1
    assert periodicity(np.zeros(100, dtype=np.float32)) == 0.0  # shorter than a frame


def test_islands_are_short_voice_with_silence_around():
    word = speak("uh", "espeak")
    silence = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    sentence = speak("we need to check the timestamps of every feature", "espeak")
    samples = np.concatenate([sentence, silence, word, silence, sentence])
    islands = voice_islands(samples)
    uh_start = (len(sentence) + len(silence)) / SAMPLE_RATE
    (island,) = [i for i in islands if abs(i.start - uh_start) < 0.1]
    assert island.duration < 0.45 and island.periodic > 0.85
    # Nothing as long as a phrase is an island.
    assert all(i.duration <= 0.45 for i in islands)


def test_islands_followed_while_recording_equal_one_pass_over_the_file():
    """The stop key finds only the last islands; the report must not change."""
    word = speak("um", "espeak")
    pause = np.zeros(int(0.25 * SAMPLE_RATE), dtype=np.float32)
    sentence = speak("so the first thing I would check is the label delay", "espeak")
    samples = np.concatenate([sentence, pause, word, pause, sentence, pause, word])
    follower = IslandFollower()
    for end in range(0, len(samples), 1024):  # the recorder's blocks
        follower.advance(lambda lo, hi: samples[lo:hi], end)
    followed = follower.finish(lambda lo, hi: samples[lo:hi], len(samples))
    assert followed == voice_islands(samples)
    assert sum(i.periodic > 0.85 for i in followed) >= 2  # both "um"s are there
