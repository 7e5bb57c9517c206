"""Baselines: within bounds, the whole budget, and greedy fills by reported ROAS."""

from __future__ import annotations

import pytest

from evals.baselines import (
    GREEDY_CAP,
    baseline_allocations,
    greedy_roas_allocation,
    reported_roas,
)
from evals.oracle import planned_bounds
from evals.scenarios import smoke_suite
from evals.simulator import WorldSpec, simulate_world


@pytest.mark.parametrize("index", range(12))
def test_baselines_respect_bounds_and_spend_the_budget(index: int) -> None:
    world = smoke_suite()[index].world()
    lower, upper = planned_bounds(world)
    budget = world.campaign().total_budget
    for name, alloc in baseline_allocations(world).items():
        assert set(alloc) == set(lower), name
        for c, x in alloc.items():
            assert lower[c] - 1e-6 <= x <= upper[c] + 1e-6, (name, c)
        assert sum(alloc.values()) == pytest.approx(min(budget, sum(upper.values())), rel=1e-9)


def test_greedy_fills_the_best_reported_channel_first_up_to_its_cap() -> None:
    world = simulate_world(WorldSpec(n_channels=4, history_days=120), 3)
    roas = reported_roas(world)
    alloc = greedy_roas_allocation(world)
    best = max(roas, key=lambda c: roas[c] or 0.0)
    flight = world.campaign().flight_days
    historical = world.truth.channels[best].run_rate * flight
    assert alloc[best] == pytest.approx(min(GREEDY_CAP * historical, sum(alloc.values())))
    worst = min(roas, key=lambda c: roas[c] or 0.0)
    assert alloc[worst] <= alloc[best]


def test_channels_without_history_rank_last() -> None:
    world = simulate_world(WorldSpec(n_channels=4, history_days=120, new_channel="no_history"), 5)
    roas = reported_roas(world)
    new = [c for c, v in roas.items() if v is None]
    assert len(new) == 1
    assert greedy_roas_allocation(world)[new[0]] == 0.0
