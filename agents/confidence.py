"""How sure the model is that a plan is close to the best plan.

Contract: `near_optimal_probability(curves, spend, lower, upper, budget)` is the share of
posterior draws under which the plan's outcome is within `tolerance` (default 2 %) of
that draw's own optimal plan for the same budget and bounds. Each draw is one complete
set of response curves (samples with the same index are joint across channels); its
optimum comes from the grid DP at a coarse resolution, on `draws` evenly chosen draws.
A plan the data pins down scores high; a plan resting on curves the draws disagree on
scores low, however bold or timid it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from agents.optimizer.dp import solve_grid
from agents.response.curves import ResponseCurve

__all__ = ["near_optimal_probability"]

Array = NDArray[np.float64]


def near_optimal_probability(
    curves: Sequence[ResponseCurve],
    spend: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
    *,
    tolerance: float = 0.02,
    draws: int = 30,
    resolution: int = 150,
    points: int = 40,
) -> float:
    x = np.asarray(spend, dtype=float)
    total = float(x.sum())
    if total <= 0 or not curves:
        return 0.0
    lo = np.asarray(lower, dtype=float)
    hi = np.minimum(np.asarray(upper, dtype=float), lo + total)
    slack = total - float(lo.sum())
    n = min(c.n_samples for c in curves)
    picks = np.unique(np.linspace(0, n - 1, min(draws, n)).astype(int))
    if slack <= total * 1e-9:
        return 1.0
    # One tabulation per channel for every draw at once; the DP reads it by interpolation.
    grids, tables, planned = [], [], np.zeros(len(picks))
    for i, c in enumerate(curves):
        top = max(float(hi[i]), float(x[i]), 1e-9)
        grid = np.unique(np.concatenate([[0.0], np.geomspace(top * 1e-3, top, points - 1)]))
        grids.append(grid)
        tables.append(c.outcome_samples(grid)[picks])
        planned += c.outcome_samples(x[i])[picks, 0]
    close = 0
    for k in range(len(picks)):
        funcs = [_interp(g, t[k]) for g, t in zip(grids, tables, strict=True)]
        sol = solve_grid(funcs, lo, hi, slack / resolution, resolution)
        best = float(sol.best[np.isfinite(sol.best)].max())
        if best <= 0 or planned[k] >= best * (1 - tolerance):
            close += 1
    return close / len(picks)


def _interp(grid: Array, values: Array) -> Callable[[Array], Array]:
    def f(spend: Array) -> Array:
        out: Array = np.interp(spend, grid, values)
        return out

    return f
