"""The grid of carry-over and saturation candidates for one channel.

Contract: `channel_candidates(channel, spend, attributed, grid, reference_spend)`
transforms a channel's daily spend by every (decay, half-saturation, shape) combination
of the grid. Each transformed series is scaled so that its slope at the channel's
reference daily spend (its recent run-rate) is 1: a regression coefficient on it *is*
the channel's marginal ROI at the run-rate, the quantity budget decisions turn on.
Also returned per candidate: the marginal ROI the platform's reports imply (their total
spread over the same curve) and how well the shape explains the platform's daily reports
(a profile -log-likelihood relative to the best shape). Half-saturation points are
multiples of the channel's mean daily spend on active days.
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
    """Carry-over decays times saturation (half-saturation, shape) pairs.

    Half-saturation is in multiples of mean active daily spend. S-curves (shape > 1) are
    offered only with their inflection below typical spend: an S-curve whose convex part
    spans the observed range extrapolates upward without limit, and the data cannot
    tell it from a straight line.
    """

    decays: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 0.85)
    saturations: tuple[tuple[float, float], ...] = (
        (0.5, 1.0),
        (1.0, 1.0),
        (2.0, 1.0),
        (4.0, 1.0),
        (8.0, 1.0),
        (0.5, 2.0),
        (1.0, 2.0),
    )

    def combos(self) -> list[tuple[float, float, float]]:
        return [(d, k, a) for d, (k, a) in product(self.decays, self.saturations)]


@dataclass(frozen=True)
class ChannelCandidates:
    channel: str
    spend_scale: float  # mean daily spend on active days
    decay: Array  # (C,)
    half_sat: Array  # (C,), absolute daily spend units
    shape: Array  # (C,)
    reference_spend: float  # daily spend at which `columns` have unit slope
    columns: Array  # (C, days): unit-marginal response series
    scale: Array  # (C,): max daily effect per unit of marginal ROI at the reference spend
    attributed_marginal: Array  # (C,): marginal ROI implied by the platform's reported total
    attributed_total: float  # NaN without reports
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
    reference_spend: float,
) -> ChannelCandidates:
    active = spend > 0
    spend_scale = float(spend[active].mean()) if active.any() else 1.0
    ref = reference_spend if reference_spend > 0 else spend_scale
    x = spend / spend_scale
    combos = grid.combos()
    decay = np.array([c[0] for c in combos])
    half_sat = np.array([c[1] for c in combos])
    shape = np.array([c[2] for c in combos])
    adstock = {d: geometric_adstock(x, d) for d in grid.decays}
    sat = np.empty((len(combos), len(x)))
    for j, (d, k, a) in enumerate(combos):
        r = np.power(adstock[d] / k, a)
        sat[j] = r / (1.0 + r)
    # Slope of hill(s; K, a) at the reference spend, in absolute spend units.
    r_ref = np.power(ref / (half_sat * spend_scale), shape)
    slope = shape * r_ref / (ref * (1.0 + r_ref) ** 2)
    scale = 1.0 / np.maximum(slope, 1e-300)
    columns = sat * scale[:, None]

    seen = np.isfinite(attributed)
    has_attr = bool(seen.sum() >= 14 and np.nansum(attributed) > 0)
    if has_attr:
        total = float(attributed[seen].sum())
        attributed_marginal = total / np.maximum(columns[:, seen].sum(axis=1), 1e-300)
        score = _attribution_scores(sat[:, seen], attributed[seen], decay, half_sat, shape)
    else:
        total = float("nan")
        attributed_marginal = np.full(len(combos), np.nan)
        score = np.zeros(len(combos))
    return ChannelCandidates(
        channel=channel,
        spend_scale=spend_scale,
        decay=decay,
        half_sat=half_sat * spend_scale,
        shape=shape,
        reference_spend=ref,
        columns=columns,
        scale=scale,
        attributed_marginal=attributed_marginal,
        attributed_total=total,
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
    for k, a in {(float(k), float(a)) for k, a in zip(half_sat, shape, strict=True)}:
        sel = (half_sat == k) & (shape == a)
        out[sel] = nll[sel].min()
    out -= out.min()
    return np.asarray(out, dtype=np.float64)
