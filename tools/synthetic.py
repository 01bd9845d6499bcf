"""Reports from plain text, with plausible timing: for unit tests, the article's
weak/strong pairs scored without audio, and the scoring benchmark.

Words get a duration proportional to their length at a chosen pace; sentence ends
and commas get short pauses, and `[1.5]` in the text inserts a 1.5 s pause.
"""

from __future__ import annotations

import re

from voicecoach.analysis.metrics import compute_metrics, pauses_between_words
from voicecoach.asr.base import Word
from voicecoach.audio.vad import Span
from voicecoach.report import Report

_PAUSE = re.compile(r"^\[(\d+(?:\.\d+)?)\]$")


def words_from_text(text: str, wpm: float = 150.0, start_s: float = 0.5,
                    sentence_pause_s: float = 0.35, comma_pause_s: float = 0.12
                    ) -> list[Word]:
    pieces = text.split()
    spoken = [p for p in pieces if not _PAUSE.match(p)]
    if not spoken:
        return []
    # Average word slot so that, pauses included, the pace comes out near `wpm`.
    chars = sum(len(p) for p in spoken) / len(spoken)
    per_char = (60.0 / wpm) * 0.8 / chars
    t = start_s
    words: list[Word] = []
    for p in pieces:
        m = _PAUSE.match(p)
        if m:
            t += float(m.group(1))
            continue
        dur = max(0.12, len(p) * per_char)
        words.append(Word(p, t, t + dur))
        t += dur
        if p[-1] in ".?!":
            t += sentence_pause_s
        elif p[-1] in ",;:":
            t += comma_pause_s
        else:
            t += 0.03
    return words


def regions_from_words(words: list[Word], bridge_s: float = 0.15) -> list[Span]:
    """Voiced regions as a VAD would report them: words joined across tiny gaps."""
    regions: list[Span] = []
    for w in words:
        if regions and w.start - regions[-1].end < bridge_s:
            regions[-1] = Span(regions[-1].start, max(regions[-1].end, w.end))
        else:
            regions.append(Span(w.start, w.end))
    return regions


# Not pipeline.build_report: no audio, no VAD snapping, no scoring (callers score or
# time the scoring themselves), so the text-level tests see the analyzers alone.
def synthetic_report(words: list[Word], regions: list[Span] | None = None,
                     prompt_id: str | None = None, min_pause_s: float = 0.5) -> Report:
    regions = regions if regions is not None else regions_from_words(words)
    pauses = pauses_between_words(regions, words, min_pause_s)
    metrics = compute_metrics(words, regions, pauses, [])
    duration = (words[-1].end + 0.5) if words else 0.0
    return Report("(text)", duration, "text", "synthetic", list(words), pauses, regions, [],
                  metrics, prompt_id=prompt_id)


def report_from_text(text: str, wpm: float = 150.0, prompt_id: str | None = None) -> Report:
    return synthetic_report(words_from_text(text, wpm), prompt_id=prompt_id)
