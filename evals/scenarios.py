"""Scenario suites: fixed, reproducible sets of simulated advertisers to plan.

Contract: a `Scenario` is an id, a `WorldSpec` and a seed; `Scenario.world()` is
`simulate_world(spec, seed)`, so a scenario always yields the same world. `suite(name)`
returns the scenarios of a named suite, in a fixed order:

- `smoke` (12 scenarios, CI): hand-picked to cover every dimension below once or twice
  while staying fast (history <= 400 days, <= 8 channels);
- `full` (`FULL_SIZE` scenarios): a balanced design; each dimension's levels are
  repeated to the suite size and shuffled independently with a fixed seed, so every level
  appears about equally often and levels of different dimensions are mixed. The other
  knobs (media share, noise, dispersion of true marginal ROIs, confounding, trend change
  points, flight length) are drawn per scenario from the same ranges as
  `WorldSpec.sample`.

Dimensions: 2-12 channels; 60 days to 3 years of history; spend patterns (mixed,
always-on, pulsed, low variation, correlated); a new channel (none, launched late, no
history); bounds (none, loose, tight, one fixed channel, absolute min/max); budget
-30 % / 0 / +30 % against the historical run-rate; goals `max_outcome`, `target_roas`
(revenue) and `target_cpa` (conversions); with and without a KPI series. `tags(spec)`
names the levels of a scenario (`"channels:5"`, `"bounds:tight"`, ...) for breakdowns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar, get_args

import numpy as np

from evals.simulator import World, WorldSpec, simulate_world
from evals.simulator.spec import BoundsMode, GoalKind, NewChannel, Objective, SpendPattern

__all__ = ["FULL_SEED", "FULL_SIZE", "SUITES", "Scenario", "full_suite", "smoke_suite", "suite"]

FULL_SIZE = 320
FULL_SEED = 20260101
SUITES = ("smoke", "full")

_T = TypeVar("_T")
_HISTORY_BUCKETS: tuple[tuple[int, int], ...] = (
    (60, 119),
    (120, 239),
    (240, 399),
    (400, 729),
    (730, 1095),
)


@dataclass(frozen=True)
class Scenario:
    """One simulated advertiser to plan: `simulate_world(spec, seed)`."""

    id: str
    spec: WorldSpec
    seed: int

    def world(self) -> World:
        return simulate_world(self.spec, self.seed)

    @property
    def tags(self) -> tuple[str, ...]:
        return tags(self.spec)


def history_bucket(days: int) -> str:
    """The history-length level of `days`, e.g. `"history:60-119d"`."""
    for lo, hi in _HISTORY_BUCKETS:
        if lo <= days <= hi:
            return f"history:{lo}-{hi}d"
    return f"history:{days}d"


def tags(spec: WorldSpec) -> tuple[str, ...]:
    """The levels of the suite dimensions that `spec` sits on."""
    budget = f"{spec.budget_change:+.0%}" if spec.budget_change else "0%"
    return (
        f"channels:{spec.n_channels}",
        history_bucket(spec.history_days),
        f"spend:{spec.spend_pattern}",
        f"new_channel:{spec.new_channel}",
        f"bounds:{spec.bounds}",
        f"budget:{budget}",
        f"goal:{spec.goal}",
        "kpi:yes" if spec.emit_kpi else "kpi:no",
        f"objective:{spec.objective}",
    )


def smoke_suite() -> list[Scenario]:
    """Twelve fast scenarios covering every dimension (see module doc)."""
    specs = [
        WorldSpec(n_channels=2, history_days=60, spend_pattern="always_on", flight_days=30),
        WorldSpec(
            n_channels=3,
            history_days=120,
            spend_pattern="low_variation",
            bounds="tight",
            budget_change=-0.3,
            objective="conversions",
        ),
        WorldSpec(
            n_channels=4,
            history_days=200,
            spend_pattern="correlated",
            confounder=True,
            bounds="loose",
            budget_change=0.3,
        ),
        WorldSpec(n_channels=5, history_days=365, spend_pattern="pulsed", new_channel="no_history"),
        WorldSpec(
            n_channels=6,
            history_days=300,
            bounds="fixed",
            budget_change=0.3,
            emit_kpi=False,
            objective="conversions",
        ),
        WorldSpec(n_channels=8, history_days=400, bounds="absolute", flight_days=60),
        WorldSpec(n_channels=4, history_days=240, goal="target_roas"),
        WorldSpec(
            n_channels=5,
            history_days=365,
            spend_pattern="always_on",
            bounds="loose",
            budget_change=0.3,
            objective="conversions",
            goal="target_cpa",
        ),
        WorldSpec(
            n_channels=3,
            history_days=90,
            new_channel="late",
            budget_change=-0.3,
            emit_kpi=False,
            flight_days=45,
        ),
        WorldSpec(n_channels=7, history_days=400, spend_pattern="pulsed", mroi_dispersion=0.6),
        WorldSpec(
            n_channels=6,
            history_days=180,
            spend_pattern="correlated",
            bounds="tight",
            budget_change=-0.3,
            objective="conversions",
        ),
        WorldSpec(n_channels=8, history_days=365, spend_pattern="always_on", budget_change=0.3),
    ]
    return [Scenario(f"smoke-{i + 1:02d}", spec, 1000 + i + 1) for i, spec in enumerate(specs)]


def _balanced(rng: np.random.Generator, levels: Sequence[_T], n: int) -> list[_T]:
    """`levels` repeated to length n (each about n / len times), shuffled."""
    column = [levels[i % len(levels)] for i in range(n)]
    return [column[int(i)] for i in rng.permutation(n)]


def full_suite(n: int = FULL_SIZE, seed: int = FULL_SEED) -> list[Scenario]:
    """The balanced `full` design (see module doc); deterministic for (n, seed)."""
    rng = np.random.default_rng(seed)
    n_channels = _balanced(rng, [2, 3, 4, 5, 6, 7, 8, 10, 12], n)
    history = _balanced(rng, _HISTORY_BUCKETS, n)
    patterns = _balanced(rng, get_args(SpendPattern), n)
    new_options: tuple[NewChannel, ...] = ("none", "none", "late", "no_history")
    new_channels = _balanced(rng, new_options, n)
    bounds = _balanced(rng, get_args(BoundsMode), n)
    budget_changes = _balanced(rng, (-0.3, 0.0, 0.3), n)
    objectives = _balanced(rng, get_args(Objective), n)
    targets = _balanced(rng, (False, False, False, True), n)
    kpis = _balanced(rng, (True, True, True, False), n)
    out: list[Scenario] = []
    for i in range(n):
        r = np.random.default_rng([seed, i])
        lo, hi = history[i]
        objective = objectives[i]
        goal: GoalKind = "max_outcome"
        if targets[i]:
            goal = "target_roas" if objective == "revenue" else "target_cpa"
        spec = WorldSpec(
            n_channels=n_channels[i],
            history_days=int(r.integers(lo, hi + 1)),
            objective=objective,
            media_share=float(r.uniform(0.05, 0.45)),
            mroi_dispersion=float(r.uniform(0.1, 0.6)),
            noise=float(r.uniform(0.02, 0.12)),
            noise_kind="multiplicative" if r.random() < 0.7 else "additive",
            noise_ar=float(r.uniform(0.0, 0.8)),
            spend_pattern=patterns[i],
            new_channel=new_channels[i],
            confounder=bool(r.random() < 0.3),
            trend_change_point=bool(r.random() < 0.5),
            emit_kpi=kpis[i],
            flight_days=int(r.integers(30, 121)),
            budget_change=budget_changes[i],
            bounds=bounds[i],
            goal=goal,
        )
        out.append(Scenario(f"full-{i + 1:03d}", spec, seed % 100000 + i + 1))
    return out


def suite(name: str) -> list[Scenario]:
    """The scenarios of suite `name` (`smoke` or `full`); `ValueError` otherwise."""
    if name == "smoke":
        return smoke_suite()
    if name == "full":
        return full_suite()
    raise ValueError(f"unknown suite {name!r}; choose from {SUITES}")
