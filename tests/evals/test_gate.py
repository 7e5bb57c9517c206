"""The CI gate: the smoke suite must meet `evals/thresholds.json` (set from measured results).

`make test` runs this. When it fails, the engine regressed against the measured smoke
results (or a threshold needs re-deriving after an intended change: see evals/README.md).
"""

from __future__ import annotations

import json

import pytest

from evals.gate import MARGINS, THRESHOLDS_PATH, check_gate, derive_thresholds, load_thresholds
from evals.metrics import summarize
from evals.runner import run_suite


def test_thresholds_say_where_they_came_from() -> None:
    doc = json.loads(THRESHOLDS_PATH.read_text())
    suite, thresholds = load_thresholds()
    assert suite == "smoke"
    assert " eval --suite smoke " in doc["measured"]["command"]
    assert doc["measured"]["date"] and doc["measured"]["machine"]
    assert all(t.source for t in thresholds)
    by_metric = {t.metric: t for t in thresholds}
    # the floors are never loosened
    assert by_metric["constraint_satisfaction"].value == 1.0
    assert (by_metric["beats_mix_share"].op, by_metric["beats_mix_share"].value) == (">", 0.5)
    assert by_metric["median_regret"].value == pytest.approx(
        doc["measured"]["values"]["median_regret"] + 0.01, abs=1e-4
    )
    assert set(by_metric) == set(MARGINS)


@pytest.mark.slow
def test_smoke_suite_meets_the_thresholds() -> None:
    suite, thresholds = load_thresholds()
    report = run_suite(suite, processes=2)
    summary = summarize(report)
    gate = check_gate(summary, thresholds)
    assert gate.passed, "the engine regressed on the smoke suite:\n" + gate.describe()
    # derive_thresholds is what wrote the file: the same rule on this run passes too
    again = derive_thresholds(summary, {"command": "test"})
    assert [t["metric"] for t in again["thresholds"]] == [t.metric for t in thresholds]
