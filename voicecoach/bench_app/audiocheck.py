"""Is all of a played clip in a recording? Where it starts, and how well it matches.

The clip reaches the recording through PulseAudio's resampling, so it is compared by
normalized correlation, 10 s at a time: a block dropped mid-take would shift every
window after it and show as a low match.
"""

from __future__ import annotations

import numpy as np

from voicecoach.asr.base import SAMPLE_RATE


def clip_offset(played: np.ndarray, got: np.ndarray, probe_s: float = 8.0) -> int:
    """Where `played` starts in `got` (samples; negative if its start is missing)."""
    voiced = np.flatnonzero(np.abs(played) > 0.02)
    first = int(voiced[0]) if voiced.size else 0
    probe = played[first : first + int(probe_s * SAMPLE_RATE)]
    head = got[: first + probe.size + 10 * SAMPLE_RATE]
    n = 1 << int(np.ceil(np.log2(head.size + probe.size)))
    corr = np.fft.irfft(np.fft.rfft(head, n) * np.conj(np.fft.rfft(probe, n)), n)
    lag = int(np.argmax(corr[: head.size]))
    return lag - first


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
