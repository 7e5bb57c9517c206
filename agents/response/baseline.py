"""The non-media part of the KPI: level, trend, weekly and yearly seasonality.

Contract: `baseline_design(n_days, first_weekday)` returns a design matrix whose first
column is the intercept, plus a prior standard deviation per column, in units of the KPI's mean
(inf for the intercept), so the regression shrinks trend and seasonal terms that the
data cannot support. Terms are
added only when the history can identify them: weekly effects from 3 weeks, a trend
change point from 8 months, yearly seasonality from 10 months.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["baseline_design"]

Array = NDArray[np.float64]


def baseline_design(n_days: int, first_weekday: int) -> tuple[Array, Array, list[str]]:
    t = np.arange(n_days, dtype=float)
    cols: list[Array] = [np.ones(n_days)]
    names = ["intercept"]
    prior_sd = [np.inf]
    if n_days >= 14:
        cols.append(t / max(n_days - 1, 1) - 0.5)
        names.append("trend")
        prior_sd.append(0.5)
    if n_days >= 240:
        for q in (1 / 3, 2 / 3):
            knot = q * n_days
            cols.append(np.maximum(t - knot, 0.0) / n_days)
            names.append(f"trend_change_{q:.2f}")
            prior_sd.append(0.5)
    if n_days >= 21:
        weekday = (first_weekday + t.astype(int)) % 7
        for d in range(1, 7):
            cols.append((weekday == d).astype(float))
            names.append(f"weekday_{d}")
            prior_sd.append(0.3)
    if n_days >= 300:
        for k in (1, 2, 3):
            angle = 2 * np.pi * k * t / 365.25
            cols += [np.sin(angle), np.cos(angle)]
            names += [f"year_sin_{k}", f"year_cos_{k}"]
            prior_sd += [0.3 / k, 0.3 / k]
    return np.column_stack(cols), np.asarray(prior_sd), names
