"""World specification: every knob of a simulated advertiser, with sensible defaults.

Contract: `WorldSpec` is a frozen, validated description of *what kind* of world to
simulate; `simulate_world(spec, seed)` draws everything else (which channels, their
functional forms and parameters, the spend paths, the noise) from the seed. Invalid
knobs raise `ValueError` at construction. `WorldSpec.sample(seed)` draws a random spec
over the benchmark ranges (2-12 channels, 60-1095 days, 5-45 % media share, ...), for
sweeps. `CHANNEL_PROFILES` holds per-channel-type priors (CPM, CTR, ROAS range,
attribution organic-claim range, size and popularity) that the simulator draws from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar, get_args

import numpy as np

__all__ = [
    "CHANNEL_IDS",
    "CHANNEL_PROFILES",
    "AdstockKind",
    "BoundsMode",
    "ChannelProfile",
    "GoalKind",
    "NewChannel",
    "Objective",
    "SaturationKind",
    "SpendPattern",
    "WorldSpec",
]

Objective = Literal["revenue", "conversions"]
AdstockKind = Literal["geometric", "weibull", "window"]
SaturationKind = Literal["hill", "hill_s", "exponential", "michaelis_menten", "tanh", "power"]
SpendPattern = Literal["mixed", "always_on", "pulsed", "low_variation", "correlated"]
NewChannel = Literal["none", "late", "no_history"]
BoundsMode = Literal["none", "loose", "tight", "fixed", "absolute"]
GoalKind = Literal["max_outcome", "target_roas", "target_cpa"]
NoiseKind = Literal["multiplicative", "additive"]
_T = TypeVar("_T")


@dataclass(frozen=True)
class ChannelProfile:
    """Priors for one channel type.

    `cpm` and `ctr` are (low, high) ranges of the base cost per mille and click rate;
    `roas` the range of the true revenue ROAS at the reference spend; `organic` the
    range of organic claims as a multiple of the channel's true incremental outcome;
    `size` the relative share of a typical budget; `popularity` the weight when drawing
    which channels an advertiser runs; `upper_funnel` whether the effect lingers
    (video, display, social discovery: longer carry-over) rather than landing within a
    few days (search, shopping, performance campaigns).
    """

    cpm: tuple[float, float]
    ctr: tuple[float, float]
    roas: tuple[float, float]
    organic: tuple[float, float]
    size: float
    popularity: float
    upper_funnel: bool = True


CHANNEL_PROFILES: dict[str, ChannelProfile] = {
    "google_ads:search": ChannelProfile(
        (40, 120), (0.03, 0.08), (2.0, 6.0), (0.4, 1.5), 3.0, 10, upper_funnel=False
    ),
    "google_ads:shopping": ChannelProfile(
        (15, 40), (0.008, 0.02), (1.5, 5.0), (0.3, 1.0), 2.0, 6, upper_funnel=False
    ),
    "google_ads:pmax": ChannelProfile(
        (8, 25), (0.005, 0.015), (1.5, 5.0), (0.3, 1.0), 2.0, 7, upper_funnel=False
    ),
    "google_ads:youtube": ChannelProfile((6, 15), (0.002, 0.006), (0.5, 2.5), (0.05, 0.3), 1.2, 5),
    "google_ads:display": ChannelProfile((2, 6), (0.001, 0.004), (0.5, 2.0), (0.05, 0.4), 0.8, 4),
    "google_ads:demand_gen": ChannelProfile((5, 12), (0.004, 0.01), (0.8, 3.0), (0.1, 0.4), 0.8, 3),
    "meta:facebook_feed": ChannelProfile((8, 18), (0.008, 0.015), (1.0, 4.0), (0.1, 0.6), 2.0, 8),
    "meta:instagram_feed": ChannelProfile((6, 14), (0.005, 0.012), (1.0, 3.5), (0.1, 0.5), 1.5, 6),
    "meta:instagram_reels": ChannelProfile(
        (4, 10), (0.003, 0.009), (0.8, 3.5), (0.05, 0.4), 1.2, 5
    ),
    "meta:instagram_stories": ChannelProfile(
        (4, 9), (0.003, 0.008), (0.6, 2.5), (0.05, 0.4), 0.8, 4
    ),
    "meta:advantage_plus": ChannelProfile(
        (8, 20), (0.008, 0.018), (1.5, 5.0), (0.2, 0.8), 2.5, 6, upper_funnel=False
    ),
    "meta:audience_network": ChannelProfile(
        (1.5, 5), (0.002, 0.006), (0.5, 1.5), (0.05, 0.3), 0.5, 2
    ),
}

CHANNEL_IDS: tuple[str, ...] = tuple(CHANNEL_PROFILES)

_ALL_ADSTOCK: tuple[AdstockKind, ...] = get_args(AdstockKind)
_ALL_SATURATION: tuple[SaturationKind, ...] = get_args(SaturationKind)


@dataclass(frozen=True)
class WorldSpec:
    """The knobs of one simulated advertiser (see the module docstring for the contract).

    Channels: `channels` names them explicitly, else `n_channels` (2-12) are drawn from
    `CHANNEL_IDS`. History: `history_days` (60-1095) ending on `history_end`;
    `daily_spend` is the typical total daily spend (None: log-uniform 1,500-60,000).
    `media_share` is the target share of the KPI driven by media (0-1, benchmarks use
    0.05-0.45); `mroi_dispersion` the standard deviation of log true marginal ROI across
    channels at historical spend (how much re-allocating can gain); `noise` the marginal
    standard deviation of the AR(1) KPI noise (relative to the KPI level), `noise_ar` its
    autocorrelation. `spend_pattern` picks the spend process of every channel (`mixed`
    draws one per channel); `new_channel` adds a channel launched late in the history or
    with no history at all (it counts among `n_channels`); `confounder` adds an
    unobserved driver of both the baseline and one channel's spend; `emit_kpi` whether
    the document carries the KPI series. The campaign runs `flight_days` from the day
    after `history_end` with a budget of the historical run-rate times
    `1 + budget_change`, `bounds` around the historical mix, and `goal` (`target_roas`
    needs objective revenue, `target_cpa` conversions). Per channel the carry-over and
    saturation forms are drawn from `adstock_forms` and `saturation_forms`.
    """

    n_channels: int = 5
    channels: tuple[str, ...] | None = None
    history_days: int = 365
    history_end: date = date(2026, 12, 31)
    daily_spend: float | None = None
    objective: Objective = "revenue"
    media_share: float = 0.2
    mroi_dispersion: float = 0.35
    noise: float = 0.05
    noise_kind: NoiseKind = "multiplicative"
    noise_ar: float = 0.5
    spend_pattern: SpendPattern = "mixed"
    new_channel: NewChannel = "none"
    confounder: bool = False
    trend_change_point: bool = True
    emit_kpi: bool = True
    flight_days: int = 90
    budget_change: float = 0.0
    bounds: BoundsMode = "none"
    goal: GoalKind = "max_outcome"
    adstock_forms: tuple[AdstockKind, ...] = field(default=_ALL_ADSTOCK)
    saturation_forms: tuple[SaturationKind, ...] = field(default=_ALL_SATURATION)
    campaign_id: str | None = None
    currency: str = "USD"
    industry: str | None = "retail"
    region: str | None = "US"

    def __post_init__(self) -> None:
        if self.channels is not None:
            unknown = [c for c in self.channels if c not in CHANNEL_PROFILES]
            if unknown:
                raise ValueError(f"unknown channels {unknown}; choose from {list(CHANNEL_IDS)}")
            if len(set(self.channels)) != len(self.channels):
                raise ValueError("channels contains duplicates")
            object.__setattr__(self, "n_channels", len(self.channels))
        if not 2 <= self.n_channels <= len(CHANNEL_IDS):
            raise ValueError(
                f"n_channels must be in [2, {len(CHANNEL_IDS)}], got {self.n_channels}"
            )
        if not 60 <= self.history_days <= 1095:
            raise ValueError(f"history_days must be in [60, 1095], got {self.history_days}")
        if self.daily_spend is not None and not self.daily_spend > 0:
            raise ValueError(f"daily_spend must be positive, got {self.daily_spend}")
        if not 0.0 < self.media_share < 1.0:
            raise ValueError(f"media_share must be in (0, 1), got {self.media_share}")
        if not 0.0 <= self.mroi_dispersion <= 2.0:
            raise ValueError(f"mroi_dispersion must be in [0, 2], got {self.mroi_dispersion}")
        if not 0.0 <= self.noise <= 1.0:
            raise ValueError(f"noise must be in [0, 1], got {self.noise}")
        if not 0.0 <= self.noise_ar < 1.0:
            raise ValueError(f"noise_ar must be in [0, 1), got {self.noise_ar}")
        if not 1 <= self.flight_days <= 366:
            raise ValueError(f"flight_days must be in [1, 366], got {self.flight_days}")
        if not -0.9 <= self.budget_change <= 3.0:
            raise ValueError(f"budget_change must be in [-0.9, 3], got {self.budget_change}")
        if self.goal == "target_roas" and self.objective != "revenue":
            raise ValueError("goal target_roas needs objective 'revenue'")
        if self.goal == "target_cpa" and self.objective != "conversions":
            raise ValueError("goal target_cpa needs objective 'conversions'")
        if not self.adstock_forms or not set(self.adstock_forms) <= set(_ALL_ADSTOCK):
            raise ValueError(f"adstock_forms must be a non-empty subset of {_ALL_ADSTOCK}")
        if not self.saturation_forms or not set(self.saturation_forms) <= set(_ALL_SATURATION):
            raise ValueError(f"saturation_forms must be a non-empty subset of {_ALL_SATURATION}")

    @classmethod
    def sample(cls, seed: int) -> WorldSpec:
        """A random spec over the benchmark ranges, deterministic for `seed`."""
        rng = np.random.default_rng(seed)
        objective: Objective = "revenue" if rng.random() < 0.6 else "conversions"
        goal: GoalKind = "max_outcome"
        if rng.random() < 0.25:
            goal = "target_roas" if objective == "revenue" else "target_cpa"
        return cls(
            n_channels=int(rng.integers(2, 13)),
            history_days=int(rng.integers(60, 1096)),
            objective=objective,
            media_share=float(rng.uniform(0.05, 0.45)),
            mroi_dispersion=float(rng.uniform(0.1, 0.6)),
            noise=float(rng.uniform(0.02, 0.12)),
            noise_kind="multiplicative" if rng.random() < 0.7 else "additive",
            noise_ar=float(rng.uniform(0.0, 0.8)),
            spend_pattern=_pick(rng, get_args(SpendPattern), [0.4, 0.2, 0.15, 0.1, 0.15]),
            new_channel=_pick(rng, get_args(NewChannel), [0.6, 0.25, 0.15]),
            confounder=bool(rng.random() < 0.3),
            trend_change_point=bool(rng.random() < 0.5),
            emit_kpi=bool(rng.random() < 0.85),
            flight_days=int(rng.integers(30, 121)),
            budget_change=float(rng.choice([-0.3, 0.0, 0.3])),
            bounds=_pick(rng, get_args(BoundsMode), [0.35, 0.2, 0.15, 0.15, 0.15]),
            goal=goal,
        )


def _pick(rng: np.random.Generator, options: tuple[_T, ...], weights: list[float]) -> _T:
    p = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=p / p.sum()))]
