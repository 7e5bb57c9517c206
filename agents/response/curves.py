"""Flight response curves with uncertainty.

A `ResponseCurve` is a channel's incremental outcome over a flight as a function of the
flight's total spend, paced evenly per day, counting the carry-over tail. It is carried
as posterior samples of four parameters (max daily effect `beta`, Hill `half_sat` and
`shape` on daily adstocked spend, geometric `decay`), so it serializes to plain JSON and
every statistic (mean, interval, marginal) comes from the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator

from agents.response.transforms import flight_adstock_profile

__all__ = ["MeanCurve", "ResponseCurve"]

Array = NDArray[np.float64]

# Adstock levels are rounded to this grid before summing: it bounds the work per
# evaluation at ~49 levels instead of flight_days + tail, at a relative error < 1e-3.
_LEVELS = 48


def _profile_levels(decay: float, flight_days: int) -> tuple[Array, Array]:
    profile = flight_adstock_profile(decay, flight_days)
    rounded = np.round(profile * _LEVELS) / _LEVELS
    levels, counts = np.unique(rounded[rounded > 0], return_counts=True)
    return levels, counts.astype(float)


@dataclass(frozen=True)
class ResponseCurve:
    channel: str
    flight_days: int
    beta: Array
    half_sat: Array
    shape: Array
    decay: Array

    def __post_init__(self) -> None:
        sizes = {len(self.beta), len(self.half_sat), len(self.shape), len(self.decay)}
        if len(sizes) != 1 or 0 in sizes:
            raise ValueError(
                f"{self.channel}: parameter samples must be non-empty and equal in length"
            )

    @property
    def n_samples(self) -> int:
        return len(self.beta)

    def outcome_samples(self, spend: Array | float) -> Array:
        """Flight outcome for each sample (rows) at each total spend (columns)."""
        x = np.atleast_1d(np.asarray(spend, dtype=float)) / self.flight_days
        out = np.empty((self.n_samples, len(x)))
        for decay in np.unique(self.decay):
            levels, counts = _profile_levels(float(decay), self.flight_days)
            rows = np.flatnonzero(self.decay == decay)
            adstock = x[None, :, None] * levels[None, None, :]
            k = self.half_sat[rows][:, None, None]
            a = self.shape[rows][:, None, None]
            sat = _hill_batch(adstock, k, a)
            out[rows] = self.beta[rows][:, None] * (sat @ counts)
        return out

    def mean_outcome(self, spend: Array | float) -> Array:
        out: Array = self.outcome_samples(spend).mean(axis=0)
        return out

    def marginal_samples(self, spend: float, rel_step: float = 1e-3) -> Array:
        """d outcome / d spend per sample, by a central difference."""
        h = max(abs(spend) * rel_step, 1e-6 * self.flight_days)
        lo = max(spend - h, 0.0)
        vals = self.outcome_samples(np.array([lo, spend + h]))
        out: Array = (vals[:, 1] - vals[:, 0]) / (spend + h - lo)
        return out

    def tabulate_mean(self, upper: float, points: int = 96) -> MeanCurve:
        """The posterior-mean curve on [0, upper], dense near zero where S-curves bend."""
        upper = max(upper, 1e-9)
        grid = np.unique(np.concatenate([[0.0], np.geomspace(upper * 1e-4, upper, points - 1)]))
        return MeanCurve(grid, self.mean_outcome(grid))

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "flight_days": self.flight_days,
            "beta": self.beta.tolist(),
            "half_sat": self.half_sat.tolist(),
            "shape": self.shape.tolist(),
            "decay": self.decay.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResponseCurve:
        return cls(
            channel=str(data["channel"]),
            flight_days=int(data["flight_days"]),
            beta=np.asarray(data["beta"], dtype=float),
            half_sat=np.asarray(data["half_sat"], dtype=float),
            shape=np.asarray(data["shape"], dtype=float),
            decay=np.asarray(data["decay"], dtype=float),
        )


def _hill_batch(x: Array, half_sat: Array, shape: Array) -> Array:
    ratio = np.power(np.maximum(x, 0.0) / half_sat, shape)
    out: Array = ratio / (1.0 + ratio)
    return out


@dataclass(frozen=True)
class MeanCurve:
    """A tabulated, monotone-interpolated curve: the optimizer's view of a channel."""

    grid: Array
    values: Array

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_interp", PchipInterpolator(self.grid, self.values, extrapolate=True)
        )

    def __call__(self, spend: Array | float) -> Array:
        x = np.clip(np.asarray(spend, dtype=float), 0.0, None)
        out: Array = self._interp(x)  # type: ignore[attr-defined]
        return out
