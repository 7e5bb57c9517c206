"""The ground truth of a simulated world: true response curves and what platforms got wrong.

Contract: `Truth.true_flight_outcome(channel, total_spend, flight_days)` is the expected
incremental outcome (objective units: revenue, or conversions) of spending
`total_spend` evenly over `flight_days` (default: the campaign's), counting the
carry-over tail after the flight and nothing spent before it; it accepts a float (returns
a float) or a numpy array (returns an array). `true_flight_marginal` is its derivative.
Per channel, `ChannelTruth` holds the response, the historical run-rate (mean daily
spend over the last 28 days of history, 0 without history), the true ROI and marginal
ROI over the campaign flight at that run-rate (at the reference spend for channels
without history), and the history totals of true and platform-attributed outcomes.
Everything is keyed by channel name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from evals.simulator.reporting import ReportingParams
from evals.simulator.response import ChannelResponse
from evals.simulator.spec import Objective, SpendPattern

__all__ = ["ChannelTruth", "HistorySeries", "Truth"]

Array = NDArray[np.float64]
Curve = Callable[[Array], Array]


@dataclass(frozen=True, eq=False)
class HistorySeries:
    """The simulated daily series behind the emitted document (true and reported)."""

    dates: list[date] = field(repr=False)
    spend: dict[str, Array] = field(repr=False)
    effect: dict[str, Array] = field(repr=False)  # true incremental, objective units
    baseline: Array = field(repr=False)  # expected, objective units
    kpi: Array = field(repr=False)  # measured, objective units (what `kpi` rows carry)


@dataclass(frozen=True, eq=False)
class ChannelTruth:
    channel: str
    response: ChannelResponse
    spend_pattern: SpendPattern | None
    launch_date: date | None  # first day with history rows; None: no history
    ref_spend: float  # daily spend the saturation was calibrated at
    run_rate: float  # mean daily spend over the last 28 days of history
    historical_roi: float  # flight outcome / spend at the run-rate (ref_spend without history)
    marginal_roi: float  # d outcome / d spend there
    reporting: ReportingParams | None
    true_incremental: float  # sum of the true daily effect over the history
    credited: float  # expected part of it within the attribution window (before bias)
    organic_claimed: float  # expected organic outcomes claimed (before bias)
    reported: float  # what the platform reported, objective units
    history_spend: float  # total spend over the history

    @property
    def realized_roi(self) -> float | None:
        """True incremental outcome per unit of spend over the history (None: no spend)."""
        return self.true_incremental / self.history_spend if self.history_spend > 0 else None

    def to_dict(self) -> dict[str, Any]:
        r = self.response
        return {
            "adstock": r.adstock.to_dict(),
            "saturation": r.saturation.to_dict(),
            "beta": round(r.beta, 4),
            "spend_pattern": self.spend_pattern,
            "launch_date": None if self.launch_date is None else self.launch_date.isoformat(),
            "ref_daily_spend": round(self.ref_spend, 2),
            "run_rate_daily": round(self.run_rate, 2),
            "true_roi_at_run_rate": round(self.historical_roi, 4),
            "true_marginal_roi_at_run_rate": round(self.marginal_roi, 4),
            "reporting": None if self.reporting is None else self.reporting.to_dict(),
            "history_true_incremental": round(self.true_incremental, 2),
            "history_credited_in_window": round(self.credited, 2),
            "history_organic_claimed": round(self.organic_claimed, 2),
            "history_reported": round(self.reported, 2),
            "history_spend": round(self.history_spend, 2),
            "history_true_roi": None if self.realized_roi is None else round(self.realized_roi, 4),
        }


@dataclass(frozen=True, eq=False)
class Truth:
    objective: Objective
    flight_days: int
    aov: float  # average order value: revenue per conversion
    channels: dict[str, ChannelTruth]
    media_share_target: float
    media_share: float  # realized: sum of true media effect / sum of the KPI
    baseline_params: dict[str, object]
    noise: dict[str, object]
    confounded_channel: str | None
    series: HistorySeries = field(repr=False)

    def _channel(self, channel: str) -> ChannelTruth:
        try:
            return self.channels[channel]
        except KeyError:
            raise KeyError(f"unknown channel {channel!r}; known: {sorted(self.channels)}") from None

    @overload
    def true_flight_outcome(
        self, channel: str, total_spend: float, flight_days: int | None = None
    ) -> float: ...
    @overload
    def true_flight_outcome(
        self, channel: str, total_spend: Array, flight_days: int | None = None
    ) -> Array: ...
    def true_flight_outcome(
        self, channel: str, total_spend: float | Array, flight_days: int | None = None
    ) -> float | Array:
        days = self.flight_days if flight_days is None else flight_days
        out = self._channel(channel).response.flight_outcome(total_spend, days)
        return out if isinstance(total_spend, np.ndarray) else float(out[0])

    @overload
    def true_flight_marginal(
        self, channel: str, total_spend: float, flight_days: int | None = None
    ) -> float: ...
    @overload
    def true_flight_marginal(
        self, channel: str, total_spend: Array, flight_days: int | None = None
    ) -> Array: ...
    def true_flight_marginal(
        self, channel: str, total_spend: float | Array, flight_days: int | None = None
    ) -> float | Array:
        days = self.flight_days if flight_days is None else flight_days
        out = self._channel(channel).response.flight_marginal(total_spend, days)
        return out if isinstance(total_spend, np.ndarray) else float(out[0])

    def curve(self, channel: str, flight_days: int | None = None) -> Curve:
        """The channel's true flight curve as a vectorized callable (for optimizers)."""
        response = self._channel(channel).response
        days = self.flight_days if flight_days is None else flight_days

        def f(spend: Array) -> Array:
            return response.flight_outcome(spend, days)

        return f

    def to_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "flight_days": self.flight_days,
            "average_order_value": round(self.aov, 2),
            "media_share_target": round(self.media_share_target, 4),
            "media_share_realized": round(self.media_share, 4),
            "baseline": self.baseline_params,
            "noise": self.noise,
            "confounded_channel": self.confounded_channel,
            "channels": {c: t.to_dict() for c, t in self.channels.items()},
        }
