"""The grid of carry-over and saturation candidates for one channel.

Contract: `channel_candidates(spend, attributed, grid)` transforms a channel's daily
spend by every (decay, half-saturation, shape) combination of the grid and returns the
transformed series, the attribution-implied scale of each (the daily effect at full
saturation that makes the channel's modelled historical outcome equal the platform's
attributed total), and how well each shape explains the platform's daily reports
(a profile log-likelihood, lower is better, relative to the best shape). Half-
saturation points are multiples of the channel's mean daily spend on active days, so
the grid adapts to each channel's scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray

from agents.response.transforms import geometric_adstock

__all__ = ["CandidateGrid", "ChannelCandidates", "channel_candidates"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class CandidateGrid:
    decays: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 0.85)
    half_sats: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
    shapes: tuple[float, ...] = (1.0, 2.0)

    def combos(self) -> list[tuple[float, float, float]]:
        return list(product(self.decays, self.half_sats, self.shapes))


@dataclass(frozen=True)
class ChannelCandidates:
    channel: str
    spend_scale: float  # mean daily spend on active days
    decay: Array  # (C,)
    half_sat: Array  # (C,), absolute daily spend units
    shape: Array  # (C,)
    columns: Array  # (C, days): saturation level in [0, 1)
    scale: Array  # (C,): attribution-implied max daily effect
    attribution_score: Array  # (C,): profile -log-likelihood of the daily reports, best = 0
    has_attribution: bool

    @property
    def size(self) -> int:
        return len(self.decay)


def channel_candidates(
    channel: str,
    spend: Array,
    attributed: Array,
    grid: CandidateGrid,
    fallback_roi: float,
) -> ChannelCandidates:
    active = spend > 0
    spend_scale = float(spend[active].mean()) if active.any() else 1.0
    x = spend / spend_scale
    combos = grid.combos()
    decay = np.array([c[0] for c in combos])
    half_sat = np.array([c[1] for c in combos])
    shape = np.array([c[2] for c in combos])
    adstock = {d: geometric_adstock(x, d) for d in grid.decays}
    columns = np.empty((len(combos), len(x)))
    for j, (d, k, a) in enumerate(combos):
        r = np.power(adstock[d] / k, a)
        columns[j] = r / (1.0 + r)

    seen = np.isfinite(attributed)
    has_attr = bool(seen.sum() >= 14 and np.nansum(attributed) > 0)
    if has_attr:
        target_total = float(attributed[seen].sum())
        denom = columns[:, seen].sum(axis=1)
        scale = target_total / np.maximum(denom, 1e-12)
        score = _attribution_scores(columns[:, seen], attributed[seen], decay, half_sat, shape)
    else:
        target_total = fallback_roi * float(spend.sum())
        scale = target_total / np.maximum(columns.sum(axis=1), 1e-12)
        score = np.zeros(len(combos))
    return ChannelCandidates(
        channel=channel,
        spend_scale=spend_scale,
        decay=decay,
        half_sat=half_sat * spend_scale,
        shape=shape,
        columns=columns,
        scale=scale,
        attribution_score=score,
        has_attribution=has_attr,
    )


def _attribution_scores(
    cols: Array, y: Array, decay: Array, half_sat: Array, shape: Array
) -> Array:
    """Profile -log-likelihood of `y ~ a + b * col` per candidate, minimized over decay.

    Platforms credit only a short window of the carry-over, so the decay that fits their
    reports says little about the true decay; only the saturation shape is scored here.
    """
    n = len(y)
    yc = y - y.mean()
    cc = cols - cols.mean(axis=1, keepdims=True)
    sxx = (cc * cc).sum(axis=1)
    sxy = cc @ yc
    slope = np.where(sxx > 1e-12, sxy / np.maximum(sxx, 1e-12), 0.0)
    slope = np.maximum(slope, 0.0)
    rss = (yc @ yc) - 2 * slope * sxy + slope**2 * sxx
    nll = 0.5 * n * np.log(np.maximum(rss, 1e-12) / n)
    out = np.empty_like(nll)
    for k in np.unique(half_sat):
        for a in np.unique(shape):
            sel = (half_sat == k) & (shape == a)
            out[sel] = nll[sel].min()
    out -= out.min()
    return np.asarray(out, dtype=np.float64)
