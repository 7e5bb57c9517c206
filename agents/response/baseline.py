"""The non-media part of the KPI: a flexible level, weekly and yearly seasonality, holidays.

Contract: `baseline_design(start, n_days, knot_days, knot_sd)` returns a design matrix
whose first column is the intercept, a prior standard deviation per column in units of
the KPI's mean (inf for the intercept) and column names. The level is a piecewise-linear
spline with a knot every `knot_days` whose slope changes are shrunk (`knot_sd`): it
absorbs slow movements of demand (trend, seasonal drift, change points), so media
effects are identified from faster movements in spend, which slow confounders such as
seasonal budgets cannot mimic. Weekly effects enter from 3 weeks of data, yearly
harmonics from 10 months; US retail holidays are single-day or short-window dummies.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

__all__ = ["baseline_design", "holiday_windows"]

Array = NDArray[np.float64]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def holiday_windows(year: int) -> dict[str, list[date]]:
    """Days of the holidays that move retail demand in the US, for one year."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return {
        "bfcm": [thanksgiving + timedelta(days=d) for d in range(1, 5)],
        "thanksgiving": [thanksgiving],
        "christmas": [date(year, 12, d) for d in range(20, 27)],
        "new_year": [date(year, 12, 31), date(year, 1, 1)],
        "valentines": [date(year, 2, 13), date(year, 2, 14)],
        "mothers_day": [_nth_weekday(year, 5, 6, 2) - timedelta(days=d) for d in range(3)],
        "fathers_day": [_nth_weekday(year, 6, 6, 3) - timedelta(days=d) for d in range(3)],
        "memorial_day": [_last_weekday(year, 5, 0)],
        "independence_day": [date(year, 7, 4)],
        "labor_day": [_nth_weekday(year, 9, 0, 1)],
    }


def baseline_design(
    start: date, n_days: int, knot_days: int = 28, knot_sd: float = 0.1
) -> tuple[Array, Array, list[str]]:
    t = np.arange(n_days, dtype=float)
    cols: list[Array] = [np.ones(n_days)]
    names = ["intercept"]
    prior_sd = [np.inf]
    if n_days >= 14:
        cols.append(t / max(n_days - 1, 1) - 0.5)
        names.append("trend")
        prior_sd.append(1.0)
        for knot in range(knot_days, n_days - knot_days // 2, knot_days):
            cols.append(np.maximum(t - knot, 0.0) / knot_days)
            names.append(f"knot_{knot}")
            prior_sd.append(knot_sd)
    if n_days >= 21:
        weekday = (start.weekday() + t.astype(int)) % 7
        for d in range(1, 7):
            cols.append((weekday == d).astype(float))
            names.append(f"weekday_{d}")
            prior_sd.append(0.3)
    if n_days >= 300:
        doy = np.array([(start + timedelta(days=int(i))).timetuple().tm_yday for i in t])
        for k in (1, 2, 3, 4):
            angle = 2 * np.pi * k * doy / 365.25
            cols += [np.sin(angle), np.cos(angle)]
            names += [f"year_sin_{k}", f"year_cos_{k}"]
            prior_sd += [0.3 / k, 0.3 / k]
    end = start + timedelta(days=n_days - 1)
    days: dict[str, Array] = {}
    for year in range(start.year, end.year + 1):
        for name, dates in holiday_windows(year).items():
            col = days.setdefault(name, np.zeros(n_days))
            for day in dates:
                i = (day - start).days
                if 0 <= i < n_days:
                    col[i] = 1.0
    for name, col in days.items():
        if col.any():
            cols.append(col)
            names.append(f"holiday_{name}")
            prior_sd.append(0.5)
    return np.column_stack(cols), np.asarray(prior_sd), names
