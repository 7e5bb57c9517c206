"""The oracle: the best plan under a simulated world's TRUE response, and plan scoring.

Contract (everything keyed by channel name, never by position):

- `oracle_plan(world)` is the exact optimum of the campaign under the true flight curves
  (`Truth.true_flight_outcome`), the campaign's budget, per-channel bounds and goal, found
  by dynamic programming on a fine grid (`agents.optimizer.optimize_allocation`, global
  for S-curves too): `max_outcome` spends the budget (unless every maximum binds);
  `target_roas` / `target_cpa` take the largest spend up to the budget whose optimal
  plan still has true ROAS >= target (conversions per unit spend >= 1 / target CPA).
  Planned channels are `campaign.channels` when given, else every channel with history.
- `true_outcome(world, allocation)` is the true expected incremental outcome of a plan
  (flight totals per channel, even pacing, carry-over tail included); channels left out
  spend nothing; unknown channels raise `KeyError`.
- `historical_mix_allocation(world)`: each planned channel's share of the last-28-day
  spend times the budget, clipped to bounds and re-normalized; channels without history
  get their minimum (or fixed) spend, else 0. `equal_split_allocation` likewise with
  equal weights.
- `regret(world, allocation) = 1 - true_outcome(allocation) / oracle outcome`; it is
  the headline metric for `max_outcome` goals (for target goals also check the ratio
  with `true_ratio`). `uplift_capture` is (R(x) - R(mix)) / (R(oracle) - R(mix)).

The oracle is cached per world object and resolution.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agents.optimizer import optimize_allocation
from evals.simulator import World, proportional_allocation

__all__ = [
    "OraclePlan",
    "equal_split_allocation",
    "historical_mix_allocation",
    "oracle_plan",
    "planned_bounds",
    "regret",
    "true_outcome",
    "true_ratio",
    "uplift_capture",
]

Array = NDArray[np.float64]
Curve = Callable[[Array], Array]

_CACHE: weakref.WeakKeyDictionary[World, dict[int, OraclePlan]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class OraclePlan:
    """The true optimum: flight spend and true outcome per channel."""

    allocation: dict[str, float]
    outcome: float  # true incremental outcome, objective units
    channel_outcome: dict[str, float]
    marginal_roi: dict[str, float]  # true d outcome / d spend at the plan
    binding: dict[str, str | None]  # "min", "max", "fixed" or None
    goal_met: bool

    @property
    def total_spend(self) -> float:
        return float(sum(self.allocation.values()))

    @property
    def roi(self) -> float:
        spend = self.total_spend
        return self.outcome / spend if spend > 0 else math.nan


def planned_bounds(world: World) -> tuple[dict[str, float], dict[str, float]]:
    """(lower, upper) flight spend per planned channel (upper is inf when unbounded)."""
    campaign = world.campaign()
    if campaign.channels is not None:
        specs = {s.channel: (s.lower, s.upper) for s in campaign.channels}
    else:
        specs = {
            c: (0.0, math.inf) for c, t in world.truth.channels.items() if t.launch_date is not None
        }
    return {c: lo for c, (lo, _) in specs.items()}, {c: hi for c, (_, hi) in specs.items()}


def true_outcome(world: World, allocation: Mapping[str, float]) -> float:
    """True incremental outcome of a plan (flight spend per channel name)."""
    total = 0.0
    for channel, spend in allocation.items():
        if spend < 0 or not math.isfinite(spend):
            raise ValueError(f"{channel}: spend must be finite and non-negative, got {spend}")
        total += world.truth.true_flight_outcome(channel, float(spend))
    return total


def true_ratio(world: World, allocation: Mapping[str, float], kind: str | None = None) -> float:
    """The plan's true ROAS (`target_roas`) or conversions per unit spend (`target_cpa`).

    `kind` defaults to the campaign goal, then to the objective's natural ratio.
    """
    spend = float(sum(allocation.values()))
    if spend <= 0:
        return math.inf
    return true_outcome(world, allocation) * _ratio_factor(world, kind) / spend


def _ratio_factor(world: World, kind: str | None) -> float:
    """Multiply an outcome by this to get revenue (target_roas) or conversions (target_cpa)."""
    truth = world.truth
    if kind is None:
        goal = world.campaign().goal.kind
        kind = (
            goal
            if goal != "max_outcome"
            else ("target_roas" if truth.objective == "revenue" else "target_cpa")
        )
    if kind == "target_roas":
        return 1.0 if truth.objective == "revenue" else truth.aov
    return 1.0 / truth.aov if truth.objective == "revenue" else 1.0


def historical_mix_allocation(world: World) -> dict[str, float]:
    """Last-28-day spend shares times the budget, within bounds (see module doc)."""
    lower, upper = planned_bounds(world)
    weights = {c: world.truth.channels[c].run_rate for c in lower}
    return proportional_allocation(weights, lower, upper, world.campaign().total_budget)


def equal_split_allocation(world: World) -> dict[str, float]:
    """The budget split equally over the planned channels, within bounds."""
    lower, upper = planned_bounds(world)
    return proportional_allocation(
        dict.fromkeys(lower, 1.0), lower, upper, world.campaign().total_budget
    )


def oracle_plan(world: World, *, resolution: int = 2000) -> OraclePlan:
    """The exact best plan under the true curves (see module doc)."""
    cached = _CACHE.setdefault(world, {})
    if resolution in cached:
        return cached[resolution]
    campaign = world.campaign()
    truth = world.truth
    lower, upper = planned_bounds(world)
    names = list(lower)
    curves = [truth.curve(c) for c in names]
    target: float | None = None
    ratio_curves: list[Curve] | None = None
    if campaign.goal.kind != "max_outcome":
        value = campaign.goal.value
        assert value is not None
        target = value if campaign.goal.kind == "target_roas" else 1.0 / value
        factor = _ratio_factor(world, campaign.goal.kind)
        if factor != 1.0:
            ratio_curves = [_scaled(f, factor) for f in curves]
    result = optimize_allocation(
        curves,
        [lower[c] for c in names],
        [upper[c] for c in names],
        campaign.total_budget,
        target_ratio=target,
        ratio_curves=ratio_curves,
        resolution=resolution,
    )
    allocation = {c: float(x) for c, x in zip(names, result.spend, strict=True)}
    plan = OraclePlan(
        allocation=allocation,
        outcome=true_outcome(world, allocation),
        channel_outcome={c: truth.true_flight_outcome(c, x) for c, x in allocation.items()},
        marginal_roi={c: truth.true_flight_marginal(c, x) for c, x in allocation.items()},
        binding=dict(zip(names, result.binding, strict=True)),
        goal_met=result.goal_met,
    )
    cached[resolution] = plan
    return plan


def _scaled(f: Curve, factor: float) -> Curve:
    def g(x: Array) -> Array:
        out: Array = f(x) * factor
        return out

    return g


def regret(
    world: World, allocation: Mapping[str, float], oracle: OraclePlan | None = None
) -> float:
    """1 - true_outcome(allocation) / true outcome of the oracle plan."""
    best = (oracle or oracle_plan(world)).outcome
    return 1.0 - true_outcome(world, allocation) / best


def uplift_capture(
    world: World, allocation: Mapping[str, float], oracle: OraclePlan | None = None
) -> float:
    """Share of the oracle's gain over the historical mix that the plan captures."""
    best = (oracle or oracle_plan(world)).outcome
    base = true_outcome(world, historical_mix_allocation(world))
    if best - base <= 1e-12 * max(abs(best), 1.0):
        return 1.0
    return (true_outcome(world, allocation) - base) / (best - base)
