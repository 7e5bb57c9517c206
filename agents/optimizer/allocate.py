"""The budget optimizer: global optimum of summed response curves under bounds.

Contract: `optimize_allocation` takes one monotone curve per channel (flight outcome as
a function of flight spend; concave or S-shaped), absolute per-channel bounds (keyed by
position, so callers key by channel name before calling) and a budget, and returns:

- under `max_outcome` (no target): exactly the budget, spent where it earns most, unless
  every channel's maximum binds;
- under a target ratio (ROAS, or conversions per unit of spend for a CPA target): the
  largest spend up to the budget whose optimal allocation still meets the target; when
  no spend above the minimums meets it, only the minimums, with `goal_met` False.

A coarse dynamic program over the whole range finds the global optimum on a grid (S-curves
included), then two finer passes restricted to a window around it refine the answer to
about budget / 50,000. Bounds are never relaxed: an infeasible problem raises
`InfeasibleBoundsError` naming the conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agents.optimizer.dp import GridSolution, solve_grid

__all__ = ["AllocationResult", "InfeasibleBoundsError", "allocation_path", "optimize_allocation"]

Array = NDArray[np.float64]
Curve = Callable[[Array], Array]

_REFINE_FACTOR = 8
_REFINE_PASSES = 2


class InfeasibleBoundsError(ValueError):
    """The bounds cannot all hold for this budget."""


@dataclass(frozen=True)
class AllocationResult:
    spend: Array
    outcome: float
    goal_met: bool = True
    binding: list[str | None] = field(default_factory=list)

    @property
    def total_spend(self) -> float:
        return float(self.spend.sum())


def optimize_allocation(
    curves: Sequence[Curve],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
    *,
    target_ratio: float | None = None,
    ratio_curves: Sequence[Curve] | None = None,
    resolution: int = 800,
) -> AllocationResult:
    """Maximize sum_i curves[i](x_i) subject to bounds and the budget (see module doc)."""
    lo = np.asarray(lower, dtype=float)
    hi = np.minimum(np.asarray(upper, dtype=float), lo + budget)
    _check_feasible(lo, hi, budget, must_spend_all=target_ratio is None)
    n = len(curves)
    free = hi - lo > budget * 1e-12
    spend = lo.copy()
    slack = budget - lo.sum()
    if free.any() and slack > budget * 1e-12:
        idx = [int(i) for i in np.flatnonzero(free)]
        sub_curves = [curves[i] for i in idx]
        sub_ratio = [ratio_curves[i] for i in idx] if ratio_curves is not None else None
        fixed_value = float(sum(curves[i](lo[i : i + 1])[0] for i in range(n) if not free[i]))
        fixed_ratio_value = (
            float(sum(ratio_curves[i](lo[i : i + 1])[0] for i in range(n) if not free[i]))
            if ratio_curves is not None
            else fixed_value
        )
        spend[idx], goal_met = _solve_free(
            sub_curves,
            lo[idx],
            hi[idx],
            slack,
            base_spend=float(lo.sum()),
            base_value=fixed_ratio_value,
            target_ratio=target_ratio,
            ratio_curves=sub_ratio,
            resolution=resolution,
        )
    else:
        goal_met = _ratio(curves if ratio_curves is None else ratio_curves, spend) >= (
            target_ratio or -np.inf
        )
    outcome = float(sum(curves[i](spend[i : i + 1])[0] for i in range(n)))
    return AllocationResult(
        spend=spend,
        outcome=outcome,
        goal_met=bool(goal_met),
        binding=_binding(spend, lo, hi, budget),
    )


def _check_feasible(lo: Array, hi: Array, budget: float, *, must_spend_all: bool) -> None:
    if np.any(lo < 0) or np.any(hi < lo - 1e-9 * max(budget, 1.0)):
        bad = [i for i in range(len(lo)) if lo[i] < 0 or hi[i] < lo[i]]
        raise InfeasibleBoundsError(
            f"channels at positions {bad} have lower > upper or negative bounds"
        )
    if lo.sum() > budget * (1 + 1e-9):
        raise InfeasibleBoundsError(
            f"minimum spends sum to {lo.sum():,.2f}, above the budget {budget:,.2f}"
        )
    if must_spend_all and hi.sum() < budget * (1 - 1e-9):
        raise InfeasibleBoundsError(
            f"maximum spends sum to {hi.sum():,.2f}, below the budget {budget:,.2f}"
        )


def _ratio(curves: Sequence[Curve], spend: Array) -> float:
    total = float(spend.sum())
    if total <= 0:
        return float("inf")
    return float(sum(c(spend[i : i + 1])[0] for i, c in enumerate(curves))) / total


def _solve_free(
    curves: Sequence[Curve],
    lo: Array,
    hi: Array,
    slack: float,
    *,
    base_spend: float,
    base_value: float,
    target_ratio: float | None,
    ratio_curves: Sequence[Curve] | None,
    resolution: int,
) -> tuple[Array, bool]:
    step = slack / resolution
    coarse = solve_grid(curves, lo, hi, step, resolution)
    feasible = np.flatnonzero(np.isfinite(coarse.best))
    goal_met = True
    if target_ratio is None:
        units = int(feasible.max())
    else:
        units, goal_met = _pick_units(
            coarse, feasible, lo, step, base_spend, base_value, target_ratio, ratio_curves
        )
    spend = lo + coarse.units_for(units) * step
    budget = float(lo.sum()) + units * step
    for _ in range(_REFINE_PASSES):
        spend = _refine(curves, lo, hi, spend, budget, step)
        step /= _REFINE_FACTOR
    spend = _snap_to_upper(curves, lo, hi, spend, step)
    if target_ratio is None:
        spend = _fill_remainder(curves, hi, spend, float(lo.sum()) + slack)
    return spend, goal_met


def _pick_units(
    coarse: GridSolution,
    feasible: NDArray[np.int64],
    lo: Array,
    step: float,
    base_spend: float,
    base_value: float,
    target: float,
    ratio_curves: Sequence[Curve] | None,
) -> tuple[int, bool]:
    spend_levels = base_spend + feasible * step
    if ratio_curves is None:
        values = base_value + coarse.best[feasible]
    else:
        values = np.array(
            [
                base_value
                + sum(
                    float(c(np.array([lo[i] + k * step]))[0])
                    for i, (c, k) in enumerate(
                        zip(ratio_curves, coarse.units_for(int(b)), strict=True)
                    )
                )
                for b in feasible
            ]
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(spend_levels > 0, values / spend_levels, np.inf)
    # Spending nothing "meets" any target; it counts only when the minimums force spend.
    ok = np.flatnonzero((ratios >= target) & (spend_levels > 0))
    if ok.size:
        return int(feasible[ok.max()]), True
    return 0, False


def _refine(
    curves: Sequence[Curve], lo: Array, hi: Array, spend: Array, budget: float, step: float
) -> Array:
    """Re-solve on a grid `_REFINE_FACTOR` times finer inside +-2 coarse steps of `spend`."""
    win_lo = np.maximum(lo, spend - 2 * step)
    win_hi = np.minimum(hi, spend + 2 * step)
    fine = step / _REFINE_FACTOR
    slack = budget - float(win_lo.sum())
    units = round(slack / fine)
    if units <= 0:
        return win_lo
    fine = slack / units
    sol = solve_grid(curves, win_lo, win_hi, fine, units)
    if not np.isfinite(sol.best[units]):
        return spend
    refined: Array = win_lo + sol.units_for(units) * fine
    return refined


def _snap_to_upper(
    curves: Sequence[Curve], lo: Array, hi: Array, spend: Array, step: float
) -> Array:
    """Move channels within a grid step of their maximum onto it, if that pays.

    The grid cannot represent every upper bound exactly; the gap is taken from the
    channel that loses least, and kept only when the total outcome rises.
    """
    out = spend.copy()
    for i in (
        int(k) for k in np.flatnonzero(np.isfinite(hi) & (hi - out > 0) & (hi - out < 2 * step))
    ):
        gap = hi[i] - out[i]
        donors = [j for j in range(len(out)) if j != i and out[j] - lo[j] >= gap]
        if not donors:
            continue
        losses = [
            float(curves[j](out[j : j + 1])[0] - curves[j](out[j : j + 1] - gap)[0]) for j in donors
        ]
        j = donors[int(np.argmin(losses))]
        gain = float(curves[i](hi[i : i + 1])[0] - curves[i](out[i : i + 1])[0])
        if gain > min(losses):
            out[i] = hi[i]
            out[j] -= gap
    return out


def _fill_remainder(curves: Sequence[Curve], hi: Array, spend: Array, budget: float) -> Array:
    """Place what the grid could not (upper bounds off the grid leave crumbs) on the
    channels with room, best marginal return first, so max_outcome spends exactly."""
    out = spend.copy()
    rest = budget - float(out.sum())
    if rest <= budget * 1e-9:
        return out
    eps = max(rest, budget * 1e-6)
    gains = [float(c(out[i : i + 1] + eps)[0] - c(out[i : i + 1])[0]) for i, c in enumerate(curves)]
    for i in np.argsort(gains)[::-1]:
        add = min(rest, float(hi[i] - out[i]))
        if add > 0:
            out[i] += add
            rest -= add
        if rest <= budget * 1e-12:
            break
    return out


def _binding(spend: Array, lo: Array, hi: Array, budget: float) -> list[str | None]:
    tol = max(budget, 1.0) * 1e-6
    out: list[str | None] = []
    for x, lower, upper in zip(spend, lo, hi, strict=True):
        if upper - lower <= tol:
            out.append("fixed")
        elif x >= upper - tol and np.isfinite(upper) and upper < lower + budget:
            out.append("max")
        elif x <= lower + tol and lower > 0:
            out.append("min")
        else:
            out.append(None)
    return out


def allocation_path(
    curves: Sequence[Curve],
    lower: Sequence[float],
    upper: Sequence[float],
    budget: float,
    levels: int = 40,
) -> list[Array]:
    """The max-outcome allocation at `levels` evenly spaced total spends, from just above
    the minimums to the most the budget and bounds allow, from one coarse grid solve."""
    lo = np.asarray(lower, dtype=float)
    hi = np.minimum(np.asarray(upper, dtype=float), lo + budget)
    top = min(budget, float(hi.sum()))
    slack = top - float(lo.sum())
    if slack <= budget * 1e-12:
        return [lo.copy()]
    step = slack / levels
    solution = solve_grid(curves, lo, hi, step, levels)
    out = []
    for units in range(1, levels + 1):
        if np.isfinite(solution.best[units]):
            out.append(lo + solution.units_for(units) * step)
    return out
