"""Plan statistics from posterior samples: outcomes, intervals, confidence.

Contract: pure functions over `ResponseCurve`s and a spend allocation (flight totals keyed
by channel). Samples with the same index are one joint draw across channels, so totals
and comparisons (plan versus historical mix) are summed per draw before any quantile.
Intervals are the 10th and 90th percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agents.response.curves import ResponseCurve

__all__ = [
    "ChannelStats",
    "channel_stats",
    "curve_points",
    "historical_mix",
    "total_samples",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ChannelStats:
    expected: float
    p10: float
    p90: float
    roi: float | None
    marginal: float
    confidence: float


def channel_stats(curve: ResponseCurve, spend: float) -> ChannelStats:
    draws = curve.outcome_samples(spend)[:, 0]
    mean = float(draws.mean())
    p10, p90 = (float(v) for v in np.percentile(draws, [10, 90]))
    marginal = float(curve.marginal_samples(spend).mean())
    roi = mean / spend if spend > 0 else None
    # 1 minus the 80% interval's half-width relative to the expectation.
    confidence = float(np.clip(1 - (p90 - p10) / (2 * mean), 0.0, 1.0)) if mean > 0 else 0.0
    return ChannelStats(mean, p10, p90, roi, marginal, confidence)


def total_samples(curves: dict[str, ResponseCurve], spend: dict[str, float]) -> Array:
    """Total flight outcome per joint draw."""
    n = min(c.n_samples for c in curves.values())
    total = np.zeros(n)
    for ch, x in spend.items():
        total += curves[ch].outcome_samples(x)[:n, 0]
    return total


def historical_mix(
    run_rate: dict[str, float], lower: dict[str, float], fixed: dict[str, float], total: float
) -> dict[str, float]:
    """The plan's total split like recent spend: fixed channels keep their spend, channels
    with no recent spend keep their minimum, the rest share what remains pro rata."""
    out = {ch: fixed.get(ch, 0.0) for ch in run_rate}
    free = [ch for ch in run_rate if ch not in fixed]
    rest = total - sum(out.values())
    weights = {ch: run_rate[ch] for ch in free if run_rate[ch] > 0}
    for ch in free:
        if ch not in weights:
            out[ch] = min(lower.get(ch, 0.0), max(rest, 0.0))
    rest -= sum(out[ch] for ch in free if ch not in weights)
    if not weights:
        share = max(rest, 0.0) / max(len(free), 1)
        for ch in free:
            out[ch] += share
        return out
    wsum = sum(weights.values())
    for ch, w in weights.items():
        out[ch] = max(rest, 0.0) * w / wsum
    return out


def curve_points(curve: ResponseCurve, upper: float, points: int = 25) -> dict[str, list[float]]:
    grid = np.linspace(0.0, upper, points)
    draws = curve.outcome_samples(grid)
    p10, p90 = np.percentile(draws, [10, 90], axis=0)
    return {
        "spend": grid.round(2).tolist(),
        "mean": draws.mean(axis=0).round(2).tolist(),
        "p10": p10.round(2).tolist(),
        "p90": p90.round(2).tolist(),
    }
