"""Efficiency targets (ROAS, CPA) under uncertainty.

Contract: `plan_for_target` returns the total spend to plan and the evidence for it.
First the expected efficiency decides: the largest spend whose optimal plan's expected
ROAS (or conversions per unit of spend) meets the target. When no spend does, the target
may still be within the model's uncertainty: the largest spend at which the optimal plan
meets it with probability at least `min_probability` is planned instead, flagged as
optimistic. Only when even that fails does the plan fall back to the minimums. The
`frontier` (expected efficiency at a few spend levels) goes into the warning either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agents.optimizer import allocation_path
from agents.optimizer.allocate import Curve
from agents.response.curves import ResponseCurve

__all__ = ["TargetDecision", "plan_for_target"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class TargetDecision:
    spend_level: float | None  # total spend to plan with max_outcome; None: minimums only
    probability: float  # that the plan at spend_level meets the target
    expected_ratio: float
    frontier: list[list[float]] = field(default_factory=list)


def plan_for_target(
    mean_curves: Sequence[Curve],
    goal_curves: Sequence[ResponseCurve],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
    target: float,
    min_probability: float = 0.2,
    levels: int = 40,
) -> TargetDecision:
    path = allocation_path(mean_curves, lower, upper, budget, levels)
    spends = np.array([p.sum() for p in path])
    allocations = np.array(path)  # (levels, channels)
    draws = sum(
        (c.outcome_samples(allocations[:, i]) for i, c in enumerate(goal_curves)),
        start=np.zeros((goal_curves[0].n_samples, len(path))),
    )
    ratios = draws / np.maximum(spends, 1e-12)[None, :]
    probability = (ratios >= target).mean(axis=0)
    expected = ratios.mean(axis=0)
    # The smallest spend level shows the best efficiency any plan can expect.
    frontier = [[float(spends[0]), float(expected[0])]]
    for frac in (0.25, 0.5, 1.0):
        k = int(np.argmin(np.abs(spends - frac * spends[-1])))
        if k > 0:
            frontier.append([float(spends[k]), float(expected[k])])
    ok = np.flatnonzero(probability >= min_probability)
    if ok.size == 0:
        return TargetDecision(None, float(probability.max()), float(expected[0]), frontier)
    k = int(ok.max())
    return TargetDecision(float(spends[k]), float(probability[k]), float(expected[k]), frontier)
