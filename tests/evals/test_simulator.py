"""The world simulator and the oracle: determinism, contract validity, truth vs attribution."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from agents.contract import PlanningInput
from agents.optimizer import water_fill
from evals.oracle import (
    equal_split_allocation,
    historical_mix_allocation,
    oracle_plan,
    planned_bounds,
    regret,
    true_outcome,
    true_ratio,
)
from evals.simulator import RUN_RATE_DAYS, Truth, World, WorldSpec, simulate_world
from evals.simulator.examples import NORTHWIND_BOUNDS, document_json, northwind
from evals.simulator.response import Adstock, ChannelResponse, Saturation
from evals.simulator.spec import SaturationKind

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "northwind.json"

SMALL = WorldSpec(n_channels=5, history_days=120)
VARIED = [
    WorldSpec(n_channels=3, history_days=60, objective="conversions", emit_kpi=False),
    WorldSpec(n_channels=6, history_days=200, new_channel="no_history", bounds="loose"),
    WorldSpec(n_channels=4, history_days=400, new_channel="late", spend_pattern="pulsed"),
    WorldSpec(n_channels=5, history_days=90, spend_pattern="correlated", confounder=True),
    WorldSpec(n_channels=4, history_days=90, spend_pattern="low_variation", bounds="fixed"),
    WorldSpec(n_channels=4, history_days=90, goal="target_roas", bounds="absolute"),
    WorldSpec(
        n_channels=3, history_days=90, objective="conversions", goal="target_cpa", bounds="tight"
    ),
    WorldSpec(n_channels=12, history_days=60, noise_kind="additive", budget_change=-0.3),
]


def _world(spec: WorldSpec, seed: int) -> World:
    return simulate_world(spec, seed)


def test_same_seed_same_world_and_different_seed_differs() -> None:
    a, b = _world(SMALL, 7), _world(SMALL, 7)
    assert a.planning_input == b.planning_input
    assert a.truth.to_dict() == b.truth.to_dict()
    assert _world(SMALL, 8).planning_input != a.planning_input
    x = np.linspace(0, 1e5, 5)
    for c in a.truth.channels:
        assert np.array_equal(a.truth.true_flight_outcome(c, x), b.truth.true_flight_outcome(c, x))


@pytest.mark.parametrize("index", range(len(VARIED)))
def test_documents_validate_and_follow_the_spec(index: int) -> None:
    spec = VARIED[index]
    world = _world(spec, 100 + index)
    doc = world.parsed()
    assert isinstance(doc, PlanningInput)
    json.dumps(world.planning_input)  # plain JSON
    campaign = doc.campaign
    assert campaign.objective == spec.objective
    assert campaign.goal.kind == spec.goal
    assert campaign.flight_days == spec.flight_days == world.truth.flight_days
    assert (campaign.start_date - spec.history_end).days == 1
    assert campaign.channels is not None and len(campaign.channels) == spec.n_channels
    assert (doc.kpi is not None) == spec.emit_kpi
    if doc.kpi is not None:
        assert len(doc.kpi) == spec.history_days
    seen = {row.channel for row in doc.history}
    assert max(row.date for row in doc.history) == spec.history_end
    for c, t in world.truth.channels.items():
        if spec.new_channel == "no_history" and t.launch_date is None:
            assert c not in seen
        else:
            first = min(row.date for row in doc.history if row.channel == c)
            assert first == t.launch_date
    if spec.new_channel == "late":
        start = min(row.date for row in doc.history)
        launches = [t.launch_date for t in world.truth.channels.values()]
        assert sum(d is not None and d > start for d in launches) == 1


def test_media_share_hits_the_target() -> None:
    for seed, share in enumerate([0.05, 0.2, 0.45]):
        world = _world(WorldSpec(n_channels=4, history_days=365, media_share=share), seed)
        kpi = sum(row["revenue"] for row in world.planning_input["kpi"])
        media = sum(float(e.sum()) for e in world.truth.series.effect.values())
        assert media / kpi == pytest.approx(share, rel=0.08)
        assert world.truth.media_share == pytest.approx(media / kpi, rel=1e-3)


def test_platform_attribution_is_not_the_truth() -> None:
    total_gaps = []
    for seed in range(6):
        world = _world(WorldSpec(n_channels=5, history_days=365), seed)
        rows = world.planning_input["history"]
        true_total = reported_total = 0.0
        for c, t in world.truth.channels.items():
            reported = sum(r["revenue"] for r in rows if r["channel"] == c)
            assert reported == pytest.approx(t.reported, rel=1e-6)
            assert t.reporting is not None
            # Organic (baseline) outcomes are claimed, in proportion to clicks.
            assert t.organic_claimed > 0.02 * t.true_incremental
            # The attribution window never credits more than the true effect, and a 1-day
            # window misses the carry-over beyond the first day.
            assert t.credited <= t.true_incremental * (1 + 1e-9)
            window = t.reporting.window_days
            assert t.credited <= t.true_incremental * (
                t.response.adstock.share_within(window) + 0.02
            )
            expected = t.reporting.bias * (t.credited + t.organic_claimed)
            orders = expected / world.truth.aov  # count noise shrinks with the number of orders
            assert reported == pytest.approx(expected, rel=0.05 + 4 / math.sqrt(orders))
            true_total += t.true_incremental
            reported_total += reported
        total_gaps.append(abs(reported_total / true_total - 1))
    assert sum(gap > 0.05 for gap in total_gaps) >= 4


def test_platform_reports_look_like_platform_exports() -> None:
    world = _world(WorldSpec(n_channels=6, history_days=120, spend_pattern="always_on"), 3)
    rows = world.planning_input["history"]
    for c in world.truth.channels:
        mine = [r for r in rows if r["channel"] == c and r["spend"] > 0]
        spend = np.array([r["spend"] for r in mine])
        cpm = 1000 * spend / np.array([r["impressions"] for r in mine])
        assert np.corrcoef(np.log(spend), np.log(cpm))[0, 1] > 0  # auction effect
        assert all(r["clicks"] <= r["impressions"] for r in mine)
        assert all(r["conversions"] == int(r["conversions"]) for r in mine)


@pytest.mark.parametrize("bounds", ["none", "loose", "tight", "fixed", "absolute"])
def test_oracle_beats_baselines_within_bounds(bounds: str) -> None:
    spec = WorldSpec(n_channels=5, history_days=120, bounds=bounds)  # type: ignore[arg-type]
    world = _world(spec, 11)
    oracle = oracle_plan(world)
    budget = world.campaign().total_budget
    lower, upper = planned_bounds(world)
    assert set(oracle.allocation) == set(lower)
    assert oracle.total_spend == pytest.approx(budget, rel=5e-3)
    for c, x in oracle.allocation.items():
        assert lower[c] - 1e-6 * budget <= x <= upper[c] + 1e-6 * budget
    mix, equal = historical_mix_allocation(world), equal_split_allocation(world)
    for alloc in (mix, equal):
        assert sum(alloc.values()) == pytest.approx(budget, rel=1e-9)
        assert all(lower[c] - 1e-6 <= x <= upper[c] + 1e-6 for c, x in alloc.items())
        assert true_outcome(world, alloc) <= oracle.outcome * (1 + 1e-6)
    assert regret(world, oracle.allocation) == pytest.approx(0.0, abs=1e-9)
    assert regret(world, mix) >= -1e-6
    if bounds == "none":
        assert regret(world, mix) > 0.005 and regret(world, equal) > 0.005


@pytest.mark.parametrize("goal", ["target_roas", "target_cpa"])
def test_oracle_under_efficiency_targets_underspends_and_meets_the_target(goal: str) -> None:
    objective = "revenue" if goal == "target_roas" else "conversions"
    spec = WorldSpec(n_channels=4, history_days=90, objective=objective, goal=goal)  # type: ignore[arg-type]
    world = _world(spec, 5)
    oracle = oracle_plan(world)
    value = world.campaign().goal.value
    assert value is not None and oracle.goal_met
    assert oracle.total_spend < world.campaign().total_budget
    ratio = true_ratio(world, oracle.allocation)
    assert ratio >= (value if goal == "target_roas" else 1 / value) * (1 - 1e-3)


def test_historical_mix_is_the_run_rate_share() -> None:
    world = _world(WorldSpec(n_channels=5, history_days=120, new_channel="no_history"), 4)
    mix = historical_mix_allocation(world)
    budget = world.campaign().total_budget
    spend = world.truth.series.spend
    rates = {c: float(s[-RUN_RATE_DAYS:].mean()) for c, s in spend.items()}
    for c, x in mix.items():
        assert world.truth.channels[c].run_rate == pytest.approx(rates[c])
        assert x == pytest.approx(budget * rates[c] / sum(rates.values()))
    assert any(x == 0 for x in mix.values())  # the channel without history


def test_concave_world_oracle_matches_water_filling() -> None:
    concave: tuple[SaturationKind, ...] = (
        "hill",
        "exponential",
        "michaelis_menten",
        "tanh",
        "power",
    )
    for seed in range(2):
        spec = WorldSpec(n_channels=4, history_days=90, saturation_forms=concave, bounds="loose")
        world = _world(spec, seed)
        truth = world.truth
        lower, upper = planned_bounds(world)
        names = list(lower)
        budget = world.campaign().total_budget
        cap = 1e4 * max(t.historical_roi for t in truth.channels.values())

        def marginal(c: str, truth: Truth = truth, cap: float = cap) -> Callable[[float], float]:
            return lambda s: min(truth.true_flight_marginal(c, max(s, 1e-9)), cap)

        exact = water_fill(
            [marginal(c) for c in names],
            [lower[c] for c in names],
            [upper[c] for c in names],
            budget,
        )
        oracle = oracle_plan(world)
        best = true_outcome(world, dict(zip(names, exact, strict=True)))
        assert oracle.outcome == pytest.approx(best, rel=1e-5)
        for c, x in zip(names, exact, strict=True):
            assert oracle.allocation[c] == pytest.approx(x, abs=5e-3 * budget)


def test_flight_outcome_is_increasing_and_matches_steady_state() -> None:
    world = _world(WorldSpec(n_channels=6, history_days=90), 2)
    truth = world.truth
    for c, t in truth.channels.items():
        x = np.linspace(0.0, 5 * t.ref_spend * truth.flight_days, 60)
        y = truth.true_flight_outcome(c, x)
        assert y[0] == 0 and np.all(np.diff(y) > 0)
        assert truth.true_flight_outcome(c, float(x[7])) == pytest.approx(y[7])
        h = 1e-4 * x[30]
        slope = (
            truth.true_flight_outcome(c, x[30] + h) - truth.true_flight_outcome(c, x[30] - h)
        ) / (2 * h)
        assert truth.true_flight_marginal(c, float(x[30])) == pytest.approx(slope, rel=1e-4)
        # A long flight: the ramp-up and the carry-over tail are small next to the body.
        days = 730
        daily = t.ref_spend
        long = truth.true_flight_outcome(c, daily * days, flight_days=days)
        steady = days * float(t.response.steady_state(daily))
        assert long == pytest.approx(steady, rel=0.02)


@pytest.mark.parametrize(
    "kind", ["hill", "hill_s", "exponential", "michaelis_menten", "tanh", "power"]
)
def test_zero_carry_over_flight_is_days_times_steady_state(kind: str) -> None:
    sat = Saturation(kind, 1000.0, 2.0 if kind == "hill_s" else 0.6)  # type: ignore[arg-type]
    response = ChannelResponse(
        "meta:facebook_feed", Adstock("geometric", {"decay": 0.0}, np.ones(1)), sat, 50.0
    )
    spend = np.array([0.0, 1e3, 3e4, 2e5])
    for days in (1, 30, 90):
        expected = days * response.steady_state(spend / days)
        assert np.allclose(response.flight_outcome(spend, days), expected, rtol=1e-12)
    # Carry-over is normalized: constant spend s has steady-state adstock s.
    kernel = Adstock("window", {"window": 5.0}, np.full(5, 0.2))
    assert np.allclose(kernel.apply(np.full(50, 700.0), burn_in=700.0), 700.0)


def test_spec_rejects_bad_knobs() -> None:
    with pytest.raises(ValueError, match="n_channels"):
        WorldSpec(n_channels=1)
    with pytest.raises(ValueError, match="history_days"):
        WorldSpec(history_days=20)
    with pytest.raises(ValueError, match="target_roas"):
        WorldSpec(objective="conversions", goal="target_roas")
    with pytest.raises(ValueError, match="unknown channels"):
        WorldSpec(channels=("google_ads:search", "tiktok:feed"))
    assert WorldSpec.sample(3) == WorldSpec.sample(3)


def test_bundled_example_is_reproducible() -> None:
    world = northwind()
    campaign = world.campaign()
    assert campaign.campaign_id == "q1-2027-northwind"
    assert campaign.flight_days == 90 and str(campaign.end_date) == "2027-03-31"
    bounded = {s.channel for s in campaign.channels or [] if s.min_spend or s.max_spend}
    assert bounded == set(NORTHWIND_BOUNDS)
    text = document_json(world.planning_input)
    assert len(text) < 2_000_000
    if EXAMPLE.exists():
        assert json.loads(EXAMPLE.read_text()) == json.loads(text)
    assert math.isfinite(oracle_plan(world, resolution=400).outcome)
