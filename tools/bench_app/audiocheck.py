"""Is all of a played clip in a recording? Where it starts, and how well it matches.

The clip reaches the recording through PulseAudio's resampling, so it is compared by
normalized correlation, 10 s at a time: a block dropped mid-take would shift every
window after it and show as a low match.
"""

from __future__ import annotations

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE


def clip_offset(played: np.ndarray, got: np.ndarray, probe_s: float = 8.0,
                skip_s: float = 2.0) -> int:
    """Where `played` starts in `got` (samples; negative if its start is missing).

    A probe of `probe_s` taken `skip_s` after the clip's first voice is looked up in the
    head of the recording, so a start cut off by up to `skip_s` still aligns.
    """
    voiced = np.flatnonzero(np.abs(played) > 0.02)
    first = int(voiced[0]) if voiced.size else 0
    start = min(first + int(skip_s * SAMPLE_RATE),
                max(first, played.size - int(probe_s * SAMPLE_RATE)))
    probe = played[start : start + int(probe_s * SAMPLE_RATE)]
    head = got[: start + probe.size + 10 * SAMPLE_RATE]
    n = 1 << int(np.ceil(np.log2(head.size + probe.size)))
    corr = np.fft.irfft(np.fft.rfft(head, n) * np.conj(np.fft.rfft(probe, n)), n)
    # Index k is a lag of k samples; n - k a lag of -k (the probe begins before `got`).
    lags = np.concatenate([np.arange(0, head.size), np.arange(-probe.size // 2, 0)])
    best = lags[int(np.argmax(corr[lags % n]))]
    return int(best) - start


def worst_window_match(played: np.ndarray, got: np.ndarray, offset: int,
                        window_s: float = 10.0) -> float:
    """Normalized correlation of each 10 s of the clip with the same 10 s recorded."""
    step = int(window_s * SAMPLE_RATE)
    worst = 1.0
    for a in range(0, played.size, step):
        lo, hi = a + offset, min(a + step, played.size) + offset
        if lo < 0 or hi > got.size:
            continue
        x, y = played[a : a + (hi - lo)], got[lo:hi]
        norm = float(np.linalg.norm(x) * np.linalg.norm(y))
        if norm > 1e-3:  # a silent window says nothing
            worst = min(worst, float(np.dot(x, y)) / norm)
    return worst
