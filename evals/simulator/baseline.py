"""Baseline (non-media) demand and KPI noise.

Contract: `draw_baseline(rng, dates, ...)` returns a positive multiplicative *shape*
(level 1 at the start of the history) made of a linear trend (optionally with a change
point in slope), weekly and yearly seasonality, a few US retail holiday spikes and an
optional unobserved confounder `z` (a persistent AR(1) that also drives one channel's
spend, as in PyMC-Marketing's `mmm_roas_data`); the world scales it to hit the media
share. `season` is the yearly-and-holiday part only (mean one), which advertisers
follow when they set budgets. `ar1` draws stationary AR(1) noise with a given marginal
standard deviation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

__all__ = ["HOLIDAYS", "Baseline", "ar1", "draw_baseline"]

Array = NDArray[np.float64]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 for last) given weekday (Mon=0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _span(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


#: name -> (dates of the event in a year, (low, high) relative lift of the baseline)
HOLIDAYS: dict[str, tuple[Callable[[int], list[date]], tuple[float, float]]] = {
    "black_friday_cyber_monday": (
        lambda y: _span(_nth_weekday(y, 11, 3, 4) + timedelta(days=1), 4),
        (0.4, 1.2),
    ),
    "christmas_shopping": (lambda y: _span(date(y, 12, 10), 13), (0.15, 0.5)),
    "after_christmas_sales": (lambda y: _span(date(y, 12, 26), 6), (0.05, 0.25)),
    "prime_day": (lambda y: _span(_nth_weekday(y, 7, 1, 2), 2), (0.15, 0.5)),
    "mothers_day": (lambda y: _span(_nth_weekday(y, 5, 6, 2) - timedelta(days=6), 6), (0.1, 0.3)),
    "valentines": (lambda y: _span(date(y, 2, 7), 7), (0.05, 0.3)),
    "memorial_day": (lambda y: _span(_nth_weekday(y, 5, 0, -1) - timedelta(days=2), 3), (0.1, 0.3)),
    "back_to_school": (lambda y: _span(date(y, 8, 1), 15), (0.05, 0.2)),
    "new_year_dip": (lambda y: [date(y, 1, 1)], (-0.3, -0.1)),
}


@dataclass(frozen=True, eq=False)
class Baseline:
    shape: Array = field(repr=False)
    season: Array = field(repr=False)
    confounder: Array = field(repr=False)
    params: dict[str, object]


def ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> Array:
    """Stationary AR(1) with autocorrelation `rho` and marginal standard deviation `sd`."""
    eps = rng.normal(0.0, sd, n)
    out = np.empty(n)
    if n == 0:
        return out
    out[0] = eps[0]
    innov = np.sqrt(1.0 - rho**2)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + innov * eps[t]
    return out


def draw_baseline(
    rng: np.random.Generator, dates: list[date], *, change_point: bool, confounder: bool
) -> Baseline:
    n = len(dates)
    t = np.arange(n, dtype=float)
    slope = float(rng.uniform(-0.1, 0.3))
    trend = 1.0 + slope * t / 365.0
    cp_day: int | None = None
    slope_after = slope
    if change_point:
        cp_day = int(rng.integers(int(0.3 * n), int(0.7 * n) + 1))
        slope_after = slope + float(rng.uniform(-0.3, 0.3))
        trend = np.where(t < cp_day, trend, trend[cp_day] + slope_after * (t - cp_day) / 365.0)
    trend = np.maximum(trend, 0.3)

    weekly_amp = float(rng.uniform(0.03, 0.15))
    dow = rng.normal(0.0, 1.0, 7)
    dow = weekly_amp * (dow - dow.mean()) / np.abs(dow - dow.mean()).max()
    weekday = np.array([d.weekday() for d in dates])
    weekly = 1.0 + dow[weekday]

    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    peak1 = float(rng.uniform(300, 365))
    peak2 = float(rng.uniform(0, 365))
    amp1 = float(rng.uniform(0.05, 0.25))
    amp2 = float(rng.uniform(0.0, 0.08))
    yearly = (
        1.0
        + amp1 * np.cos(2 * np.pi * (doy - peak1) / 365.25)
        + amp2 * np.cos(4 * np.pi * (doy - peak2) / 365.25)
    )

    names = list(HOLIDAYS)
    chosen = sorted(rng.choice(len(names), size=int(rng.integers(3, 6)), replace=False))
    holiday = np.ones(n)
    index = {d: i for i, d in enumerate(dates)}
    lifts: dict[str, float] = {}
    for k in chosen:
        name = names[int(k)]
        days_of, (lo, hi) = HOLIDAYS[name]
        lift = float(rng.uniform(lo, hi))
        lifts[name] = round(lift, 4)
        for year in range(dates[0].year, dates[-1].year + 1):
            for d in days_of(year):
                if d in index:
                    holiday[index[d]] *= 1.0 + lift

    z = np.zeros(n)
    conf_strength = 0.0
    if confounder:
        z = ar1(rng, n, 0.97, 1.0)
        conf_strength = float(rng.uniform(0.04, 0.1))
    season = yearly * holiday
    shape = trend * weekly * season * np.maximum(1.0 + conf_strength * z, 0.2)
    params: dict[str, object] = {
        "trend_per_year": round(slope, 4),
        "change_point": None if cp_day is None else dates[cp_day].isoformat(),
        "trend_per_year_after": round(slope_after, 4),
        "weekly_amplitude": round(weekly_amp, 4),
        "yearly_amplitude": round(amp1, 4),
        "yearly_peak_day_of_year": round(peak1, 1),
        "holidays": lifts,
        "confounder_strength": round(conf_strength, 4),
    }
    return Baseline(shape=shape, season=season / season.mean(), confounder=z, params=params)
