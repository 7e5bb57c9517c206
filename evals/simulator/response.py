"""True media response of one channel: carry-over kernel, saturation and scale.

Contract: a channel's expected incremental outcome on day t is
`beta * saturation(adstock_t)`, with `adstock_t = sum_l w_l * spend_{t-l}` and kernel
weights `w` summing to one (so a constant spend `s` has steady-state adstock `s` and
steady-state daily effect `beta * saturation(s)`). The effect is additive to the
baseline and does not depend on the date. Several functional forms are offered on
purpose, so that evals do not assume the engine's own model family:

- carry-over: geometric (decay 0-0.9), delayed Weibull-shaped (a peak lag of 1-7
  days), or a short uniform window (2-10 days); upper-funnel channels linger longer;
- saturation: Hill (shape <= 1 concave, `hill`; > 1 S-shaped, `hill_s`), exponential
  `1 - exp(-x/k)`, Michaelis-Menten `x / (x + k)`, `tanh(x/k)` and power `(x/k)^b`.

`ChannelResponse.flight_outcome(X, D)` is the expected incremental outcome of a total
spend `X` paced evenly over `D` days with nothing spent before or after, counting the
carry-over tail after the flight; it is vectorized over `X`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evals.simulator.spec import AdstockKind, SaturationKind

__all__ = ["Adstock", "ChannelResponse", "Saturation", "draw_adstock", "draw_saturation"]

Array = NDArray[np.float64]

_TAIL_TOL = 1e-4  # kernels are cut where the remaining carry-over falls below this
_MAX_LAG = 120


@dataclass(frozen=True, eq=False)
class Adstock:
    """A normalized carry-over kernel: `weights[l]` is the share of a day's effect at lag l."""

    kind: AdstockKind
    params: dict[str, float]
    weights: Array = field(repr=False)

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not math.isclose(w.sum(), 1.0):
            raise ValueError("adstock weights must be non-negative and sum to one")

    @property
    def mean_lag(self) -> float:
        """Mean delay of the effect, in days."""
        return float(np.dot(np.arange(self.weights.size), self.weights))

    @property
    def peak_lag(self) -> int:
        return int(np.argmax(self.weights))

    def share_within(self, days: int) -> float:
        """Share of a day's effect arriving within `days` days (lags 0..days-1)."""
        return float(self.weights[: max(days, 0)].sum())

    def apply(self, spend: Array, burn_in: float = 0.0) -> Array:
        """Adstocked series of daily `spend`, assuming `burn_in` was spent daily before it."""
        x = np.asarray(spend, dtype=float)
        lag = self.weights.size - 1
        padded = np.concatenate([np.full(lag, burn_in), x])
        out: Array = np.convolve(padded, self.weights)[lag : lag + x.size]
        return out

    def flight_profile(self, flight_days: int) -> Array:
        """Adstock per unit of daily spend on each day of an even flight and its tail."""
        out: Array = np.convolve(np.ones(flight_days), self.weights)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            **{k: round(v, 4) for k, v in self.params.items()},
            "mean_lag_days": round(self.mean_lag, 3),
            "peak_lag_days": self.peak_lag,
        }


@dataclass(frozen=True, eq=False)
class Saturation:
    """Saturation of adstocked daily spend; `scale` is k, `shape` the Hill or power exponent."""

    kind: SaturationKind
    scale: float
    shape: float = 1.0

    def __call__(self, x: Array | float) -> Array:
        z = np.maximum(np.asarray(x, dtype=float), 0.0) / self.scale
        if self.kind in ("hill", "hill_s"):
            r = np.power(z, self.shape)
            out: Array = r / (1.0 + r)
        elif self.kind == "exponential":
            out = -np.expm1(-z)
        elif self.kind == "michaelis_menten":
            out = z / (1.0 + z)
        elif self.kind == "tanh":
            out = np.tanh(z)
        else:
            out = np.power(z, self.shape)
        return out

    def derivative(self, x: Array | float) -> Array:
        """d saturation / dx (infinite at 0 for concave Hill and power curves)."""
        z = np.maximum(np.asarray(x, dtype=float), 0.0) / self.scale
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind in ("hill", "hill_s"):
                r = np.power(z, self.shape)
                dz = np.where(z > 0, self.shape * r / (np.maximum(z, 1e-300) * (1.0 + r) ** 2), 0.0)
                if self.shape < 1:
                    dz = np.where(z > 0, dz, np.inf)
                elif self.shape == 1:
                    dz = np.where(z > 0, dz, 1.0)
            elif self.kind == "exponential":
                dz = np.exp(-z)
            elif self.kind == "michaelis_menten":
                dz = 1.0 / (1.0 + z) ** 2
            elif self.kind == "tanh":
                dz = 1.0 - np.tanh(z) ** 2
            else:
                dz = np.where(
                    z > 0, self.shape * np.power(np.maximum(z, 1e-300), self.shape - 1), np.inf
                )
        out: Array = dz / self.scale
        return out

    def elasticity(self, x: float) -> float:
        """x f'(x) / f(x): marginal over average return at x > 0."""
        return float(x * self.derivative(x) / self(x))

    @property
    def concave(self) -> bool:
        return self.kind != "hill_s" and not (self.kind == "power" and self.shape > 1)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "scale": round(self.scale, 4)}
        if self.kind in ("hill", "hill_s", "power"):
            out["shape"] = round(self.shape, 4)
        return out


@dataclass(frozen=True, eq=False)
class ChannelResponse:
    """`beta * saturation(adstock)` per day (see the module docstring)."""

    channel: str
    adstock: Adstock
    saturation: Saturation
    beta: float

    def daily_effect(self, spend: Array, burn_in: float = 0.0) -> Array:
        """Expected incremental outcome per day for a daily spend series."""
        out: Array = self.beta * self.saturation(self.adstock.apply(spend, burn_in))
        return out

    def steady_state(self, daily_spend: Array | float) -> Array:
        """Daily effect of a constant daily spend, once carry-over has built up."""
        out: Array = self.beta * self.saturation(daily_spend)
        return out

    def flight_outcome(self, total_spend: Array | float, flight_days: int) -> Array:
        """Outcome of `total_spend` paced evenly over `flight_days`, tail included."""
        x = np.atleast_1d(np.asarray(total_spend, dtype=float)) / flight_days
        profile = self.adstock.flight_profile(flight_days)
        out: Array = self.beta * self.saturation(x[:, None] * profile[None, :]).sum(axis=1)
        return out

    def flight_marginal(self, total_spend: Array | float, flight_days: int) -> Array:
        """d flight_outcome / d total_spend."""
        x = np.atleast_1d(np.asarray(total_spend, dtype=float)) / flight_days
        profile = self.adstock.flight_profile(flight_days)
        slope = self.saturation.derivative(x[:, None] * profile[None, :]) * profile[None, :]
        out: Array = self.beta * slope.sum(axis=1) / flight_days
        return out


def draw_adstock(rng: np.random.Generator, kind: AdstockKind, upper_funnel: bool = True) -> Adstock:
    """A random kernel of the given kind.

    Lower-funnel channels (`upper_funnel=False`) get short carry-over: geometric decay
    0-0.6, Weibull peak lag 1-3 days, uniform window 2-5 days; upper-funnel channels
    longer: decay 0.2-0.9, peak lag 2-7 days, window 3-10 days.
    """
    if kind == "geometric":
        decay = float(rng.uniform(0.2, 0.9) if upper_funnel else rng.uniform(0.0, 0.6))
        length = 1 if decay < 1e-6 else math.ceil(math.log(_TAIL_TOL) / math.log(decay)) + 1
        w = decay ** np.arange(min(length, _MAX_LAG), dtype=float)
        return Adstock(kind, {"decay": decay}, w / w.sum())
    if kind == "weibull":
        shape = float(rng.uniform(1.5, 4.0))
        peak = float(rng.uniform(2.0, 7.0) if upper_funnel else rng.uniform(1.0, 3.0))
        scale = peak / ((shape - 1.0) / shape) ** (1.0 / shape)
        end = scale * (-math.log(_TAIL_TOL)) ** (1.0 / shape)
        edges = np.arange(min(math.ceil(end) + 1, _MAX_LAG) + 1, dtype=float)
        cdf = 1.0 - np.exp(-((edges / scale) ** shape))
        w = np.diff(cdf)
        return Adstock(kind, {"shape": shape, "scale": scale, "peak_lag": peak}, w / w.sum())
    window = int(rng.integers(3, 11) if upper_funnel else rng.integers(2, 6))
    return Adstock(kind, {"window": float(window)}, np.full(window, 1.0 / window))


def draw_saturation(
    rng: np.random.Generator,
    kind: SaturationKind,
    ref_spend: float,
    elasticity: float | None = None,
) -> Saturation:
    """A random saturation of the given kind, scaled relative to `ref_spend`.

    Without `elasticity`, `ref_spend` sits 25-85 % of the way up a bounded curve (power
    curves, unbounded, get scale `ref_spend` and exponent 0.3-0.8). With it, the position
    (or the power exponent) is solved so the elasticity x f'(x) / f(x) at `ref_spend` -
    marginal over average return - matches, as far as the form allows (positions are kept
    within 15-92 % of the way up, power exponents within 0.2-0.9).
    """
    shape = 1.0
    if kind == "hill":
        shape = float(rng.uniform(0.5, 1.0))
    elif kind == "hill_s":
        shape = float(rng.uniform(1.5, 3.0))
    elif kind == "power":
        b = (
            float(rng.uniform(0.3, 0.8))
            if elasticity is None
            else float(np.clip(elasticity, 0.2, 0.9))
        )
        return Saturation(kind, ref_spend, b)
    if elasticity is None:
        return _at_position(kind, ref_spend, shape, float(rng.uniform(0.25, 0.85)))
    lo, hi = 0.15, 0.92  # elasticity falls as the position u rises
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _at_position(kind, ref_spend, shape, mid).elasticity(ref_spend) > elasticity:
            lo = mid
        else:
            hi = mid
    return _at_position(kind, ref_spend, shape, 0.5 * (lo + hi))


def _at_position(kind: SaturationKind, ref: float, shape: float, u: float) -> Saturation:
    """The curve of this kind with saturation(ref) = u (bounded kinds only)."""
    if kind in ("hill", "hill_s"):
        return Saturation(kind, ref * ((1.0 - u) / u) ** (1.0 / shape), shape)
    if kind == "exponential":
        return Saturation(kind, -ref / math.log(1.0 - u))
    if kind == "michaelis_menten":
        return Saturation(kind, ref * (1.0 - u) / u)
    if kind == "tanh":
        return Saturation(kind, ref / math.atanh(u))
    raise ValueError(f"{kind} is not a bounded saturation")
