"""Your usual (issue #14): a take against the median of your own recent takes, after
five of them; before that, how many more it needs. Real SQLite store, real app."""

from __future__ import annotations

import copy
import io
from datetime import datetime, timedelta, timezone

import pytest
from test_tui_app import make_app, sample_report, store, wait_for  # noqa: F401
from textual.widgets import Static

from voicecoach.baseline import MIN_TAKES, RECENT, baseline_for, build_baseline, usual_value
from voicecoach.report import Report
from voicecoach.tui.result import ResultScreen


def take(wpm: float, fillers: float = 2.0, pitch: float | None = 3.0) -> Report:
    r = copy.deepcopy(sample_report())
    r.metrics.wpm, r.metrics.fillers_per_min = wpm, fillers
    if pitch is not None:
        r.extra["prosody"] = {"pitch": {"sd_st": pitch}}
    return r


def test_fewer_than_five_takes_say_how_many_more_are_needed() -> None:
    baseline = build_baseline([take(140), take(150), take(130)])
    assert baseline.needed == 2 and baseline.compare(take(160)) == []
    assert baseline.summary() == "Your usual needs 2 more scored takes (3 of 5 so far)."
    assert build_baseline([take(140)] * 4).summary().startswith("Your usual needs 1 more "
                                                                "scored take ")


def test_five_takes_give_the_median_and_a_plain_comparison() -> None:
    past = [take(w, f, p) for w, f, p in
            ((141, 2.0, 3.0), (120, 1.0, 2.0), (160, 8.0, 4.0), (141, 3.0, 3.5), (150, 2.0, 1.0))]
    baseline = build_baseline(past)
    assert baseline.needed == 0
    texts = {c.metric.name: c.text for c in baseline.compare(take(158, 2.0, 2.0))}
    assert texts["wpm"] == "12 % faster than your usual 141 wpm"
    assert texts["fillers_per_min"] == "about your usual 2.0/min"
    assert texts["pitch_sd_st"] == "33 % flatter than your usual 3.0 semitones"
    assert "pauses_per_min" in texts


def test_older_takes_without_pitch_wait_for_their_own_five() -> None:
    past = [take(140, pitch=None)] * 4 + [take(140, pitch=3.0)] * 2
    baseline = build_baseline(past)
    names = [c.metric.name for c in baseline.compare(take(140))]
    assert "wpm" in names and "pitch_sd_st" not in names
    [waiting] = baseline.waiting()
    assert waiting.metric.name == "pitch_sd_st" and waiting.needed == 3


def test_usual_value_is_the_median_of_the_recent_takes() -> None:
    assert usual_value([100.0] * (MIN_TAKES - 1)) is None
    assert usual_value([1.0] * 50 + [5.0] * RECENT) == 5.0  # old takes no longer count


def add_takes(store, wpms: list[float]) -> list:  # noqa: F811
    out = []
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    for i, wpm in enumerate(wpms):
        path = store.new_recording_path()
        path.write_bytes(b"")
        t = store.add_take(path, prompt_id="design-fraud", duration_s=11.0,
                           created_at=start + timedelta(days=i))
        store.save_report(t.id, take(wpm))
        out.append(t)
    return out


def test_baseline_from_the_store_leaves_out_the_take_compared(store) -> None:  # noqa: F811
    takes = add_takes(store, [120, 130, 140, 150, 160, 200])
    baseline = baseline_for(store, exclude=takes[-1].id)
    assert baseline.takes == 5
    [wpm] = [c for c in baseline.compare(take(200)) if c.metric.name == "wpm"]
    assert wpm.usual == 140


def shown_text(app) -> str:
    """The "Against your usual" box as plain text."""
    from rich.console import Console

    console = Console(width=48, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#usual", Static).content)
    return console.export_text()


@pytest.mark.slow
@pytest.mark.asyncio
@pytest.mark.parametrize("earlier", [4, 5])
async def test_result_screen_shows_the_usual_after_five_takes(make_app, store,  # noqa: F811
                                                              earlier) -> None:
    takes = add_takes(store, [141.0] * earlier + [158.0])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        last = takes[-1]
        await app.push_screen(ResultScreen(None, store.get(last.id).report, take_id=last.id))
        await wait_for(pilot, lambda: "…" not in shown_text(app), what="the usual")
        shown = " ".join(shown_text(app).split())
        if earlier < MIN_TAKES:
            assert shown == "Your usual needs 1 more scored take (4 of 5 so far)."
        else:
            assert "pace 12 % faster than your usual 141 wpm" in shown
            assert "pitch about your usual 3.0 semitones" in shown


def test_a_take_export_carries_the_usual(store) -> None:  # noqa: F811
    from voicecoach.export import export_take

    takes = add_takes(store, [141.0] * 3)
    text = export_take(store, takes[-1].id, "md")
    assert "## Against your usual" in text
    assert "Your usual needs 3 more scored takes (2 of 5 so far)" in text
    takes = add_takes(store, [141.0] * 3 + [158.0])
    text = export_take(store, takes[-1].id, "html")
    assert "Against your usual" in text and "12 % faster than your usual 141 wpm" in text
