"""The benchmark that drives the app: its audio check, its tables, and one real take.

The audio check decides whether "no audio lost" holds, so it is tested on real speech
with audio cut away on purpose. The last test runs the whole harness once (tmux, the
virtual microphone, the real TUI, one short take).
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from conftest import JFK

from tools.bench_app.audiocheck import clip_offset, worst_window_match
from tools.bench_app.report import BEGIN, END, render, write_doc
from voicecoach.asr.base import SAMPLE_RATE
from voicecoach.audio.io import load_audio


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return load_audio(JFK).samples


def test_clip_offset_finds_where_the_answer_starts(speech):
    lead = np.zeros(int(1.3 * SAMPLE_RATE), dtype=np.float32)
    recorded = np.concatenate([lead, 0.5 * speech, lead])  # quieter, as through a sink
    offset = clip_offset(speech, recorded)
    assert offset == lead.size
    assert worst_window_match(speech, recorded, offset) > 0.99


def test_a_missing_start_and_a_dropped_block_are_seen(speech):
    cut = int(0.8 * SAMPLE_RATE)
    assert clip_offset(speech, speech[cut:]) == -cut  # the take began 0.8 s late
    block = 1600  # one block lost mid-take shifts everything after it
    dropped = np.concatenate([speech[: 4 * SAMPLE_RATE], speech[4 * SAMPLE_RATE + block:]])
    assert worst_window_match(speech, dropped, 0) < 0.8  # kept audio matches > 0.95


def _take(clip: str, stop_s: float, **extra) -> dict:
    take = {"clip": clip, "kind": "synthetic", "nominal_s": 30, "audio_s": 32.0,
            "live": False, "index": 0, "ready_s": 1.5, "rec_s": 0.07, "rec_app_s": 0.02,
            "stop_s": stop_s, "stages": {"key.stop": 0.01, "screen": stop_s},
            "decode": {"busy_s": 3.2}, "lost_start_s": 0.0, "lost_end_s": 0.0,
            "match_min": 0.99, "overflows": 0, "peak_rss_mb": 300.0, "rss_mb": 280.0,
            "cpu_per_s": 0.3, "load": 1.0, "live_lag_s": [], "error": None}
    take.update(extra)
    return take


def test_tables_put_the_worst_case_first_and_the_doc_is_rewritten_in_place(tmp_path):
    results = {"started": "now", "cpus": 2, "cold_start": [{"home_s": 0.6, "load": 0.5}],
               "takes": [_take("30 s synthetic", 0.5), _take("30 s synthetic", 0.7),
                         _take("5 min real", 1.4, audio_s=300.0),
                         _take("5 min real", 0.9, audio_s=300.0)]}
    text = render(results)
    stop_rows = [line for line in text.splitlines() if line.startswith("| stop")]
    assert "5 min real" in stop_rows[0] and "| 1.15 s | 1.40 s |" in stop_rows[0]
    assert "30 s synthetic" in stop_rows[1]
    assert "cold start" in text and "| 0.60 s |" in text

    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nThe pipeline table stays.\n")
    write_doc(doc, text, ["--takes", "2"])
    write_doc(doc, text.replace("0.60 s", "0.61 s"), ["--takes", "2"])
    written = doc.read_text()
    assert written.count(BEGIN) == 1 and written.count(END) == 1
    assert "The pipeline table stays." in written and "0.61 s" in written
    assert "0.60 s" not in written


@pytest.mark.mic
@pytest.mark.slow
def test_one_take_through_the_real_app(tmp_path):
    for tool in ("tmux", "paplay", "pactl", "espeak-ng", "flite"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    from tools.bench_app.__main__ import main

    out = tmp_path / "result.json"
    assert main(["--lengths", "8", "--voices", "synthetic", "--takes", "1",
                 "--live-takes", "0", "--cold-starts", "1", "--soak", "0",
                 "--workdir", str(tmp_path / "clips"), "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    [take] = results["takes"]
    assert take["error"] is None
    assert 0 < take["rec_s"] < 1.0  # r -> REC: read off the screen
    assert take["stop_s"] > 0 and "db.saved" in take["stages"]  # the app's trace was read
    assert take["lost_start_s"] == 0 and take["lost_end_s"] < 0.1 and take["match_min"] > 0.9
    assert take["overflows"] == 0
    assert results["cold_start"][0]["home_s"] > 0
