"""Platform reporting: what Google Ads and Meta say happened (attribution is not truth).

Contract: `report_channel` turns a channel's true daily spend and effect into the rows
a platform would export:

- `impressions` = spend / CPM * 1000, with CPM rising with daily spend (an auction
  effect, `cpm_elasticity`) and daily noise;
- `clicks` ~ Poisson(CTR * impressions * daily CTR noise);
- attributed outcome (expected, objective units) = `bias` * (credited + organic):
  `credited` is the part of the true effect of a day's spend that arrives within the
  platform's attribution window of `window_days` (reported on the exposure day, so the
  last days of the history are not yet complete); `organic` claims baseline outcomes in
  proportion to clicks (and to baseline seasonality) - conversions that would have
  happened anyway - sized to `organic_ratio` times the channel's true incremental
  outcome;
- reported `conversions` ~ overdispersed Poisson (gamma-Poisson) of the attributed
  conversions (attributed revenue / AOV for revenue objectives), and `revenue` =
  conversions * AOV * per-order noise.

`draw_platforms` draws one (bias 0.7-1.6, window 7 days, or 1 day with probability 0.3)
per platform; channels
jitter the bias by +-10 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evals.simulator.response import ChannelResponse
from evals.simulator.spec import CHANNEL_PROFILES, Objective

__all__ = ["ChannelReport", "ReportingParams", "draw_platforms", "draw_reporting", "report_channel"]

Array = NDArray[np.float64]

_OVERDISPERSION = 25.0  # gamma shape of the daily conversion rate


@dataclass(frozen=True)
class ReportingParams:
    """How one channel's platform measures and attributes (all true, never emitted)."""

    cpm: float
    ctr: float
    cpm_elasticity: float
    window_days: int
    bias: float
    organic_ratio: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            k: v if isinstance(v, int) else round(float(v), 4) for k, v in self.__dict__.items()
        }


@dataclass(frozen=True, eq=False)
class ChannelReport:
    impressions: Array = field(repr=False)
    clicks: Array = field(repr=False)
    conversions: Array = field(repr=False)
    revenue: Array = field(repr=False)
    credited: Array = field(repr=False)  # expected, objective units, before bias
    organic: Array = field(repr=False)  # expected, objective units, before bias

    @property
    def attributed(self) -> Array:
        """Expected reported outcome without count noise, in objective units, before bias."""
        out: Array = self.credited + self.organic
        return out


def draw_platforms(rng: np.random.Generator, channels: list[str]) -> dict[str, tuple[float, int]]:
    """Per platform: (bias multiplier, attribution window in days)."""
    out: dict[str, tuple[float, int]] = {}
    for platform in sorted({c.split(":", 1)[0] for c in channels}):
        out[platform] = (float(rng.uniform(0.7, 1.6)), 1 if rng.random() < 0.3 else 7)
    return out


def draw_reporting(
    rng: np.random.Generator, channel: str, platform: tuple[float, int]
) -> ReportingParams:
    prof = CHANNEL_PROFILES[channel]
    return ReportingParams(
        cpm=float(rng.uniform(*prof.cpm)),
        ctr=float(rng.uniform(*prof.ctr)),
        cpm_elasticity=float(rng.uniform(0.05, 0.25)),
        window_days=platform[1],
        bias=platform[0] * float(rng.uniform(0.9, 1.1)),
        organic_ratio=float(rng.uniform(*prof.organic)),
    )


def _credited(
    response: ChannelResponse, spend: Array, effect: Array, adstock: Array, window: int
) -> Array:
    """Per spend day, the part of its effect that lands within `window` days."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.where(adstock > 0, effect / adstock, 0.0)
    w = response.adstock.weights
    acc = np.zeros_like(spend)
    n = spend.size
    for lag in range(min(window, w.size, n)):
        acc[: n - lag] += w[lag] * per_unit[lag:]
    out: Array = spend * acc
    return out


def report_channel(
    rng: np.random.Generator,
    response: ChannelResponse,
    params: ReportingParams,
    spend: Array,
    effect: Array,
    adstock: Array,
    season: Array,
    *,
    ref_spend: float,
    objective: Objective,
    aov: float,
) -> ChannelReport:
    """Platform rows for one channel (see module doc); arrays aligned with `spend`."""
    n = spend.size
    active = spend > 0
    rel = np.where(active, spend / ref_spend, 1.0)
    cpm = params.cpm * rel**params.cpm_elasticity * np.exp(rng.normal(0.0, 0.1, n))
    impressions = np.where(active, np.round(1000.0 * spend / cpm), 0.0)
    exp_clicks = params.ctr * impressions * np.exp(rng.normal(0.0, 0.1, n))
    clicks = rng.poisson(exp_clicks).astype(float)

    credited = _credited(response, spend, effect, adstock, params.window_days)
    claim_base = exp_clicks * season
    denom = float(claim_base.sum())
    organic = (
        params.organic_ratio * float(effect.sum()) * claim_base / denom
        if denom > 0
        else np.zeros(n)
    )
    expected = params.bias * (credited + organic)
    exp_conv = expected / aov if objective == "revenue" else expected
    rate = exp_conv * rng.gamma(_OVERDISPERSION, 1.0 / _OVERDISPERSION, n)
    conversions = rng.poisson(rate).astype(float)
    order_sd = 0.5 / np.sqrt(np.maximum(conversions, 1.0))
    revenue = conversions * aov * np.exp(rng.normal(-0.5 * order_sd**2, order_sd))
    return ChannelReport(
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        revenue=np.round(revenue, 2),
        credited=credited,
        organic=organic,
    )
