"""Proportional allocation under bounds (the "historical mix" rule).

Contract: `proportional_allocation(weights, lower, upper, budget)` spends `budget` in
proportion to the non-negative `weights`, clipped to each channel's [lower, upper]:
it finds the scale `lam` with sum_i clip(lam * w_i, l_i, u_i) = budget (so channels at a
bound are pinned and the rest re-normalized), channels of weight zero get their lower
bound, and whatever the weighted channels cannot absorb (all at their maximum) is
shared equally among the channels with room left. When even every maximum cannot absorb
the budget it returns the maximums. Sum of lower bounds above the budget is a
`ValueError`. Keyed by channel name throughout.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["proportional_allocation"]


def proportional_allocation(
    weights: Mapping[str, float],
    lower: Mapping[str, float],
    upper: Mapping[str, float],
    budget: float,
) -> dict[str, float]:
    names = list(weights)
    w = np.array([max(float(weights[c]), 0.0) for c in names])
    lo = np.array([float(lower.get(c, 0.0)) for c in names])
    hi = np.array([float(upper.get(c, np.inf)) for c in names])
    if lo.sum() > budget * (1 + 1e-9):
        raise ValueError(f"lower bounds sum to {lo.sum():,.2f}, above the budget {budget:,.2f}")
    if hi.sum() <= budget:
        return dict(zip(names, hi.tolist(), strict=True))

    def total(lam: float) -> float:
        return float(np.clip(lam * w, lo, hi).sum())

    x = lo.copy()
    if w.sum() > 0:
        lam_hi = budget / w.sum()
        for _ in range(200):
            if total(lam_hi) >= budget:
                break
            lam_hi *= 2.0
        if total(lam_hi) >= budget:
            lam_lo = 0.0
            for _ in range(200):
                mid = 0.5 * (lam_lo + lam_hi)
                if total(mid) < budget:
                    lam_lo = mid
                else:
                    lam_hi = mid
            x = np.clip(lam_hi * w, lo, hi)
        else:
            x = np.clip(lam_hi * w, lo, hi)
    # Share what is left (or trim rounding) equally among channels with room.
    for _ in range(len(names) + 1):
        gap = budget - float(x.sum())
        if abs(gap) <= 1e-9 * max(budget, 1.0):
            break
        room = (hi - x > 1e-12) if gap > 0 else (x - lo > 1e-12)
        if not room.any():
            break
        cap = (hi - x)[room] if gap > 0 else (x - lo)[room]
        x[room] += np.sign(gap) * np.minimum(abs(gap) / room.sum(), cap)
    return dict(zip(names, x.tolist(), strict=True))
