"""Media transforms: carry-over (adstock) and saturation.

Contract: every function is pure, vectorized over the last axis of time series, and
*normalized* so that a constant spend `s` has steady-state adstock `s` (weights sum to
one). Saturation maps adstocked spend to a fraction of the channel's maximum effect.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "flight_adstock_profile",
    "geometric_adstock",
    "half_life_days",
    "hill",
]

Array = NDArray[np.float64]


def geometric_adstock(spend: Array, decay: float) -> Array:
    """Normalized geometric carry-over: a_t = decay * a_{t-1} + (1 - decay) * x_t.

    Computed as a convolution with the kernel truncated where its weight falls below
    1e-10 (scipy.signal would do it exactly but costs seconds to import).
    """
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"decay must be in [0, 1), got {decay}")
    x = np.asarray(spend, dtype=float)
    if decay == 0.0:
        return x.copy()
    length = min(int(np.ceil(np.log(1e-10) / np.log(decay))) + 1, x.shape[-1])
    kernel = (1.0 - decay) * decay ** np.arange(length)
    if x.ndim == 1:
        out: Array = np.convolve(x, kernel)[: len(x)]
        return out
    return np.apply_along_axis(lambda row: np.convolve(row, kernel)[: len(row)], -1, x)


def half_life_days(decay: float) -> float:
    """Days until a unit of spend has delivered half of its carry-over effect."""
    if decay <= 0.0:
        return 0.0
    return float(np.log(0.5) / np.log(decay))


def hill(x: Array | float, half_sat: float, shape: float) -> Array:
    """Hill saturation x^s / (x^s + k^s) in [0, 1); shape > 1 gives an S-curve."""
    xa = np.maximum(np.asarray(x, dtype=float), 0.0)
    ratio = np.power(xa / half_sat, shape)
    out: Array = ratio / (1.0 + ratio)
    return out


def flight_adstock_profile(decay: float, flight_days: int, tail_tol: float = 1e-3) -> Array:
    """Adstock level, per unit of daily spend, for each day of a flight and its carry-over tail.

    Even daily pacing of `s` over `flight_days` gives adstock `s * profile[t]`; the tail
    runs until the remaining carry-over falls below `tail_tol` of steady state.
    """
    days = np.arange(flight_days)
    ramp: Array = np.asarray(1.0 - decay ** (days + 1), dtype=np.float64)
    if decay <= 0.0:
        return ramp
    tail_len = int(np.ceil(np.log(tail_tol) / np.log(decay)))
    tail = ramp[-1] * decay ** np.arange(1, tail_len + 1)
    profile: Array = np.concatenate([ramp, tail])
    return profile
