"""The history benchmark runs end to end on 2,000 takes and prints its numbers.

The targets (open < 300 ms, filter < 50 ms) are checked by running the benchmark on a
quiet machine (`python -m tools.bench_history`), not here: a timed assertion on a
shared machine measures the other jobs. This test keeps the benchmark working: the
screen opens on all 2,000 rows (asserted inside the benchmark) and every step is timed.
"""

from __future__ import annotations

import pytest

from tools.bench_history import report, run


@pytest.mark.slow
def test_history_benchmark_2000_takes_runs_every_step():
    result = run(2000, 2, quiet=True)
    report(result, 2000)
    assert len(result.open_s) == 2 and len(result.load_s) == 2
    assert len(result.filter_s) == 6
    assert all(len(values) == 2 for values in result.filter_s.values())
