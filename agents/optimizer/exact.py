"""Exact reference optima, for tests and evals (slow, simple, independent of the DP).

Contract:
- `water_fill` is exact for concave, increasing curves (the KKT conditions are
  sufficient): it bisects on the common marginal return nu, with each channel at
  clip((f_i')^-1(nu), l_i, u_i), itself found by bisection on the marginal.
- `brute_force_two` is exact up to its grid for any two curves: it scans every split.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["brute_force_two", "water_fill"]

Array = NDArray[np.float64]
Marginal = Callable[[float], float]


def _spend_at(marginal: Marginal, nu: float, lo: float, hi: float) -> float:
    if marginal(lo) <= nu:
        return lo
    if marginal(hi) >= nu:
        return hi
    a, b = lo, hi
    for _ in range(200):
        mid = 0.5 * (a + b)
        if marginal(mid) > nu:
            a = mid
        else:
            b = mid
        if b - a <= 1e-12 * max(1.0, hi):
            break
    return 0.5 * (a + b)


def water_fill(
    marginals: Sequence[Marginal],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
) -> Array:
    """Exact optimum of sum f_i under sum x_i = budget, l <= x <= u, for concave f_i."""
    lo = np.asarray(lower, dtype=float)
    hi = np.minimum(np.asarray(upper, dtype=float), lo + budget)
    if lo.sum() > budget or hi.sum() < budget:
        raise ValueError("infeasible bounds")

    def spend(nu: float) -> Array:
        return np.array([_spend_at(m, nu, a, b) for m, a, b in zip(marginals, lo, hi, strict=True)])

    nu_lo, nu_hi = 0.0, max(m(a) for m, a in zip(marginals, lo, strict=True)) + 1.0
    for _ in range(200):
        mid = 0.5 * (nu_lo + nu_hi)
        if spend(mid).sum() > budget:
            nu_lo = mid
        else:
            nu_hi = mid
    x_hi, x_lo = spend(nu_lo), spend(nu_hi)
    # Channels whose marginal is flat at nu absorb the rounding; interpolate between brackets.
    gap = x_hi.sum() - x_lo.sum()
    w = 0.0 if gap <= 0 else (budget - x_lo.sum()) / gap
    out: Array = x_lo + w * (x_hi - x_lo)
    return out


def brute_force_two(
    f: Callable[[Array], Array],
    g: Callable[[Array], Array],
    budget: float,
    bounds: tuple[tuple[float, float], tuple[float, float]] = ((0.0, np.inf), (0.0, np.inf)),
    points: int = 200_001,
) -> tuple[float, float]:
    """Best split of `budget` between two channels, scanning `points` splits."""
    (l1, u1), (l2, u2) = bounds
    a = max(l1, budget - u2)
    b = min(u1, budget - l2)
    if a > b:
        raise ValueError("infeasible bounds")
    x = np.linspace(a, b, points)
    total = f(x) + g(budget - x)
    best = float(x[int(np.argmax(total))])
    return best, budget - best
