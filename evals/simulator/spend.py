"""Historical daily spend paths: how advertisers actually spent.

Contract: `draw_spend(rng, levels, n_days, ...)` returns one `SpendPath` per channel,
non-negative, rounded to cents, of length `n_days`. Processes:

- `always_on`: a persistent log random walk around the level, a few budget step
  changes, partial co-seasonality with demand, daily jitter;
- `pulsed`: flighted bursts (7-35 days on, 7-45 off) at varying levels; the last burst
  always covers the end of the history, so every channel has a recent run-rate;
- `low_variation`: near-constant daily budgets (2 % jitter), hard to identify;
- `correlated`: driven mostly by one shared factor (all such channels move together).

A channel in `late` starts `launch_day` days into the history with a two-week ramp;
`no_history` spends nothing. The optional confounder `z` is added to the log spend of
one channel (`confounded`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from evals.simulator.baseline import ar1
from evals.simulator.spec import SpendPattern

__all__ = ["PROCESSES", "SpendPath", "draw_spend"]

Array = NDArray[np.float64]

PROCESSES: tuple[SpendPattern, ...] = ("always_on", "pulsed", "low_variation", "correlated")
_MIXED_WEIGHTS = np.array([0.5, 0.2, 0.15, 0.15])


@dataclass(frozen=True, eq=False)
class SpendPath:
    channel: str
    pattern: SpendPattern
    level: float
    spend: Array = field(repr=False)
    launch_day: int | None = 0  # first day with a row; None: no history at all


def _always_on(rng: np.random.Generator, n: int, season: Array, shared: Array) -> Array:
    walk = ar1(rng, n, 0.985, float(rng.uniform(0.1, 0.3)))
    steps = np.zeros(n)
    for _ in range(int(rng.integers(0, 4))):
        steps[int(rng.integers(1, n)) :] += rng.uniform(-0.35, 0.35)
    kappa = float(rng.uniform(0.0, 0.8))
    return walk + steps + kappa * np.log(season) + 0.2 * shared + rng.normal(0.0, 0.08, n)


def _pulsed(rng: np.random.Generator, n: int) -> Array:
    log_x = np.full(n, -np.inf)
    end = n
    on = True
    while end > 0:
        length = int(rng.integers(7, 36) if on else rng.integers(7, 46))
        start = max(end - length, 0)
        if on:
            log_x[start:end] = np.log(rng.uniform(0.6, 1.5)) + rng.normal(0.0, 0.1, end - start)
        end, on = start, not on
    return log_x


def _process(
    rng: np.random.Generator, pattern: SpendPattern, n: int, season: Array, shared: Array
) -> Array:
    if pattern == "pulsed":
        return _pulsed(rng, n)
    if pattern == "low_variation":
        return rng.normal(0.0, 0.02, n)
    if pattern == "correlated":
        kappa = float(rng.uniform(0.0, 0.5))
        own = ar1(rng, n, 0.98, 0.08)
        return (
            float(rng.uniform(0.8, 1.2)) * shared
            + own
            + kappa * np.log(season)
            + rng.normal(0.0, 0.05, n)
        )
    return _always_on(rng, n, season, shared)


def draw_spend(
    rng: np.random.Generator,
    levels: dict[str, float],
    n_days: int,
    *,
    pattern: SpendPattern,
    season: Array,
    new_channel: tuple[str, str] | None = None,
    confounder: Array | None = None,
    confounded: str | None = None,
) -> dict[str, SpendPath]:
    """Spend per channel (see module doc); `new_channel` is (channel, 'late' | 'no_history')."""
    shared = ar1(rng, n_days, 0.97, 0.35)
    out: dict[str, SpendPath] = {}
    for channel, level in levels.items():
        kind: SpendPattern = pattern
        if pattern == "mixed":
            kind = PROCESSES[int(rng.choice(len(PROCESSES), p=_MIXED_WEIGHTS))]
        log_x = _process(rng, kind, n_days, season, shared)
        if confounder is not None and channel == confounded:
            log_x = log_x + float(rng.uniform(0.2, 0.4)) * confounder
        spend = level * np.exp(log_x)
        launch: int | None = 0
        if new_channel is not None and channel == new_channel[0]:
            if new_channel[1] == "no_history":
                spend[:] = 0.0
                launch = None
            else:
                launch = n_days - int(rng.integers(21, max(22, min(180, n_days // 2)) + 1))
                spend[:launch] = 0.0
                ramp = np.minimum(1.0, 0.3 + 0.7 * np.arange(n_days - launch) / 14.0)
                spend[launch:] *= ramp
                if kind == "pulsed":  # a new channel runs from launch to the end
                    spend[launch:] = level * np.exp(rng.normal(0.0, 0.1, n_days - launch)) * ramp
        out[channel] = SpendPath(channel, kind, level, np.round(spend, 2), launch)
    return out
