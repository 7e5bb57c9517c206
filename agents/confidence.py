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

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from agents.optimizer.dp import solve_grid
from agents.response.curves import MeanCurve, ResponseCurve

__all__ = ["near_optimal_probability"]

Array = NDArray[np.float64]


def _draw(curve: ResponseCurve, k: int) -> ResponseCurve:
    return ResponseCurve(
        channel=curve.channel,
        flight_days=curve.flight_days,
        beta=curve.beta[k : k + 1],
        half_sat=curve.half_sat[k : k + 1],
        shape=curve.shape[k : k + 1],
        decay=curve.decay[k : k + 1],
    )


def near_optimal_probability(
    curves: Sequence[ResponseCurve],
    spend: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
    *,
    tolerance: float = 0.02,
    draws: int = 30,
    resolution: int = 200,
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
    close = 0
    for k in picks:
        sample = [_draw(c, int(k)) for c in curves]
        value = sum(float(c.outcome_samples(xi)[0, 0]) for c, xi in zip(sample, x, strict=True))
        if slack <= total * 1e-9:
            close += 1
            continue
        tables = [
            MeanCurve(*_table(c, float(h)))
            for c, h in zip(sample, np.minimum(hi, lo + slack), strict=True)
        ]
        sol = solve_grid(tables, lo, hi, slack / resolution, resolution)
        best = float(np.nanmax(sol.best[np.isfinite(sol.best)]))
        if best <= 0 or value >= best * (1 - tolerance):
            close += 1
    return close / len(picks)


def _table(curve: ResponseCurve, upper: float, points: int = 48) -> tuple[Array, Array]:
    grid = np.unique(
        np.concatenate([[0.0], np.geomspace(max(upper, 1e-9) * 1e-3, max(upper, 1e-9), points - 1)])
    )
    return grid, curve.outcome_samples(grid)[0]
