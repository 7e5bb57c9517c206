"""Seasonal block bootstrap of weekly data, for plan stability on datasets without truth.

Contract: `seasonal_block_bootstrap(n_weeks, rng, block=13, period=52)` returns, for each
output week, the source week to copy. The output is built from consecutive blocks of
`block` weeks; the block at output position p is copied from position p + k * period for
a random whole number of years k (k = 0 included) that keeps it inside the data. Every
week therefore keeps its position in the year (52 weeks = 364 days, one day of drift a
year), so yearly seasonality and holidays stay aligned with the dates the engine sees,
while the media and noise of different years are mixed. It needs at least two years to
vary anything; with one year it returns the identity. Deterministic for the generator's
state.

`share_stability(shares)` summarizes plans of the resamples: per channel the mean and
standard deviation of the planned budget share, and their mean and maximum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["seasonal_block_bootstrap", "share_stability"]


def seasonal_block_bootstrap(
    n_weeks: int, rng: np.random.Generator, block: int = 13, period: int = 52
) -> list[int]:
    """Source week of every output week (see module doc)."""
    if n_weeks <= 0 or block <= 0 or period <= 0:
        raise ValueError("n_weeks, block and period must be positive")
    out: list[int] = []
    p = 0
    while p < n_weeks:
        length = min(block, n_weeks - p)
        shifts = [
            k
            for k in range(-(n_weeks // period) - 1, n_weeks // period + 2)
            if p + k * period >= 0 and p + k * period + length <= n_weeks
        ]
        k = shifts[int(rng.integers(len(shifts)))]
        start = p + k * period
        out.extend(range(start, start + length))
        p += length
    return out


def share_stability(shares: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    """Mean and standard deviation of each channel's share across plans."""
    channels = sorted({c for s in shares for c in s})
    table = np.array([[float(s.get(c, 0.0)) for c in channels] for s in shares], dtype=float)
    if table.size == 0:
        return {"channels": {}, "std_mean": float("nan"), "std_max": float("nan"), "n": 0}
    std = table.std(axis=0, ddof=1) if len(shares) > 1 else np.zeros(len(channels))
    return {
        "channels": {
            c: {"mean": float(table[:, j].mean()), "std": float(std[j])}
            for j, c in enumerate(channels)
        },
        "std_mean": float(std.mean()),
        "std_max": float(std.max()),
        "n": len(shares),
    }
