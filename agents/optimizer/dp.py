"""Dynamic programming over a spend grid: the global optimum for any monotone curves.

Contract: `solve_grid` maximizes sum_i f_i(l_i + k_i * step) subject to
sum_i k_i = units and l_i + k_i * step <= u_i, exactly on the grid (concave, S-shaped
or otherwise), and returns the best value for *every* number of units up to `units`,
so callers can search over the total budget (target-efficiency goals) without solving
again. Cost O(n * G * R) in time (R: the largest room of a channel, in units), O(n * G)
in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["GridSolution", "solve_grid"]

Array = NDArray[np.float64]
Curve = Callable[[Array], Array]


@dataclass(frozen=True)
class GridSolution:
    step: float
    best: Array  # best[b]: optimal value using exactly b units (−inf when infeasible)
    _choice: NDArray[np.int64]  # _choice[i, b]: units given to channel i when channels 0..i hold b

    def units_for(self, total_units: int) -> NDArray[np.int64]:
        """Backtrack the optimal units per channel for a given total."""
        n = self._choice.shape[0]
        units = np.zeros(n, dtype=np.int64)
        b = total_units
        for i in range(n - 1, -1, -1):
            k = int(self._choice[i, b])
            units[i] = k
            b -= k
        return units


def solve_grid(
    curves: Sequence[Curve],
    lower: Sequence[float] | Array,
    upper: Sequence[float] | Array,
    step: float,
    units: int,
) -> GridSolution:
    n = len(curves)
    if n == 0:
        raise ValueError("no channels to allocate")
    ks = np.arange(units + 1)
    best = np.full(units + 1, -np.inf)
    best[0] = 0.0
    choice = np.zeros((n, units + 1), dtype=np.int64)
    for i, (f, lo, hi) in enumerate(zip(curves, lower, upper, strict=True)):
        room = int(np.floor((hi - lo) / step + 1e-9)) if np.isfinite(hi) else units
        room = max(0, min(room, units))
        gain = f(np.asarray(lo + ks[: room + 1] * step, dtype=np.float64))
        # total[b, k] = best[b - k] + gain[k]; the band k <= room keeps this O(G * room).
        back = ks[:, None] - ks[None, : room + 1]
        total = np.where(back >= 0, best[np.maximum(back, 0)] + gain[None, :], -np.inf)
        pick = np.argmax(total, axis=1)
        best = total[ks, pick]
        choice[i] = pick
    return GridSolution(step=step, best=best, _choice=choice)
