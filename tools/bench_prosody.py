"""What prosody costs at the stop key for a long take (issue #14: <= 150 ms for 5 min).

    python -m tools.bench_prosody [--minutes 5] [--runs 3] [--clip PATH]

A real voice (the MFA monologue, looped to the length asked for) is fed to the pitch
follower in 0.1 s blocks, as the recorder feeds the streaming transcriber; the numbers
are the time spent while recording, the time left for the stop (the last block, the
measures and the findings), and, for comparison, one pass over the whole take (what a
file scored in batch pays). Prints numbers, asserts nothing: on a shared machine say so.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from voicecoach.analysis.prosody import measure_prosody, prosody_findings
from voicecoach.audio.io import load_audio
from voicecoach.audio.pitch import PitchFollower, track_pitch
from voicecoach.audio.vad import VadSettings, speech_regions
from voicecoach.model import SAMPLE_RATE, Word

CLIP = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real" / \
    "mfa_acoustic_corpus_monologue.wav"
FEED_S = 0.1  # the recorder's block


def words_over(regions: list, every_s: float = 0.4) -> list[Word]:
    """Stand-in words, one every `every_s` of speech (the measures need only times)."""
    out = []
    for r in regions:
        t = r.start
        while t + 0.3 <= r.end:
            out.append(Word("word", t, t + 0.3))
            t += every_s
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_prosody")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clip", type=Path, default=CLIP)
    args = parser.parse_args(argv)
    clip = load_audio(args.clip).samples
    n = int(args.minutes * 60 * SAMPLE_RATE)
    samples = np.tile(clip, n // len(clip) + 1)[:n]
    regions = speech_regions(samples, VadSettings())
    words = words_over(regions)
    feed = int(FEED_S * SAMPLE_RATE)
    rows: dict[str, list[float]] = {"while recording (total)": [], "worst block": [],
                                    "stop: last block": [], "stop: measures + findings": [],
                                    "stop: total": [], "one pass (batch)": []}
    for _ in range(args.runs):
        follower = PitchFollower()
        worst = 0.0
        for end in range(feed, n + feed, feed):
            before = follower.busy_s
            follower.advance(lambda lo, hi: samples[lo:hi], min(end, n))
            worst = max(worst, follower.busy_s - before)
        recording = follower.busy_s
        t0 = time.perf_counter()
        track = follower.finish(lambda lo, hi: samples[lo:hi], n)
        t1 = time.perf_counter()
        prosody_findings(measure_prosody(track, words, regions))
        t2 = time.perf_counter()
        track_pitch(samples)
        t3 = time.perf_counter()
        for key, value in zip(rows, (recording, worst, t1 - t0, t2 - t1, t2 - t0, t3 - t2)):
            rows[key].append(value * 1000)
    print(f"prosody of a {args.minutes:g} min take ({args.clip.name} looped, "
          f"{len(words)} stand-in words, {len(regions)} speech regions), "
          f"{args.runs} runs, ms:")
    print(f"{'':28} {'min':>8} {'median':>8} {'max':>8}")
    for key, values in rows.items():
        print(f"{key:28} {min(values):8.0f} {statistics.median(values):8.0f} "
              f"{max(values):8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
