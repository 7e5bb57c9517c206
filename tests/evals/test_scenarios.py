"""Scenario suites: fixed, reproducible, and spanning every dimension the issue names."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.scenarios import FULL_SIZE, Scenario, full_suite, smoke_suite, suite, tags

DIMENSIONS = {
    "bounds": {"none", "loose", "tight", "fixed", "absolute"},
    "budget": {"-30%", "0%", "+30%"},
    "goal": {"max_outcome", "target_roas", "target_cpa"},
    "kpi": {"yes", "no"},
    "new_channel": {"none", "no_history", "late"},
    "spend": {"always_on", "pulsed", "low_variation", "correlated", "mixed"},
}


def _levels(scenarios: list[Scenario]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in scenarios:
        for tag in s.tags:
            key, value = tag.split(":", 1)
            out.setdefault(key, set()).add(value)
    return out


@pytest.mark.parametrize("name", ["smoke", "full"])
def test_suites_cover_every_dimension(name: str) -> None:
    scenarios = suite(name)
    levels = _levels(scenarios)
    for key, wanted in DIMENSIONS.items():
        assert wanted <= levels[key], (name, key, wanted - levels[key])
    channels = {int(c) for c in levels["channels"]}
    days = [s.spec.history_days for s in scenarios]
    if name == "full":
        assert min(channels) == 2 and max(channels) == 12
        assert min(days) < 120 and max(days) > 730
    else:
        assert min(channels) == 2 and max(channels) == 8
        assert min(days) == 60 and max(days) <= 400


def test_smoke_is_small_and_fast_to_plan() -> None:
    smoke = smoke_suite()
    assert len(smoke) == 12
    assert all(s.spec.history_days <= 400 and s.spec.n_channels <= 8 for s in smoke)


def test_full_has_hundreds_of_balanced_scenarios() -> None:
    full = full_suite()
    assert len(full) == FULL_SIZE >= 300
    counts = Counter(t for s in full for t in s.tags if t.startswith("bounds:"))
    assert max(counts.values()) - min(counts.values()) <= 1  # balanced design
    assert len({s.id for s in full}) == len({s.seed for s in full}) == len(full)


def test_suites_are_reproducible() -> None:
    a, b = full_suite(), full_suite()
    assert [(s.id, s.spec, s.seed) for s in a] == [(s.id, s.spec, s.seed) for s in b]
    assert smoke_suite()[3].world().planning_input == smoke_suite()[3].world().planning_input


@pytest.mark.parametrize("index", range(0, FULL_SIZE, 40))
def test_full_suite_worlds_validate(index: int) -> None:
    scenario = full_suite()[index]
    campaign = scenario.world().campaign()
    assert campaign.goal.kind == scenario.spec.goal
    assert f"goal:{scenario.spec.goal}" in tags(scenario.spec)


def test_unknown_suite_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown suite"):
        suite("nightly")
