"""Baseline planners scored beside the engine: what a planner without a model would do.

Contract: every baseline maps a `World` to a flight allocation (spend per planned channel
name) that respects the campaign's bounds and spends the whole budget (as far as the
maximums allow); none of them looks at the truth except the observable historical
run-rate.

- `historical_mix`: last-28-day spend shares times the budget (`evals.oracle`);
- `equal_split`: the budget split equally (`evals.oracle`);
- `greedy_roas`: channels ranked by their platform-reported ROAS (reported revenue, or
  conversions, per unit of spend) over the last `ROAS_WINDOW_DAYS` days of history;
  starting from every channel's minimum (or fixed) spend, each channel in that order is
  raised to `GREEDY_CAP` times its historical-mix spend (never above its maximum) until
  the budget is spent; budget still left then goes to the channels in the same order up
  to their maximums. Channels without history rank last (they get their minimum unless
  the budget cannot be placed elsewhere).

`reported_roas(world)` gives the ranking figures (None for a channel without spend in
the window).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

from evals.oracle import equal_split_allocation, historical_mix_allocation, planned_bounds
from evals.simulator import World

__all__ = [
    "BASELINES",
    "GREEDY_CAP",
    "ROAS_WINDOW_DAYS",
    "baseline_allocations",
    "greedy_roas_allocation",
    "reported_roas",
]

ROAS_WINDOW_DAYS = 90
GREEDY_CAP = 2.0


def reported_roas(world: World, window_days: int = ROAS_WINDOW_DAYS) -> dict[str, float | None]:
    """Platform-reported outcome per unit of spend over the last `window_days` of history."""
    doc = world.planning_input
    field = "revenue" if doc["campaign"]["objective"] == "revenue" else "conversions"
    start = date.fromisoformat(doc["campaign"]["start_date"])
    first = (start - timedelta(days=window_days)).isoformat()
    spend: dict[str, float] = {}
    outcome: dict[str, float] = {}
    for row in doc["history"]:
        if row["date"] < first:
            continue
        c = row["channel"]
        spend[c] = spend.get(c, 0.0) + float(row["spend"])
        outcome[c] = outcome.get(c, 0.0) + float(row.get(field) or 0.0)
    lower, _ = planned_bounds(world)
    return {c: outcome[c] / spend[c] if spend.get(c, 0.0) > 0 else None for c in lower}


def greedy_roas_allocation(world: World, cap: float = GREEDY_CAP) -> dict[str, float]:
    """Fill channels in order of reported ROAS (see module doc)."""
    lower, upper = planned_bounds(world)
    campaign = world.campaign()
    budget = campaign.total_budget
    flight = campaign.flight_days
    roas = reported_roas(world)

    def rank(channel: str) -> float:
        value = roas[channel]
        return math.inf if value is None else -value

    order = sorted(lower, key=rank)
    x = dict(lower)
    left = budget - sum(x.values())
    for c in order:
        historical = world.truth.channels[c].run_rate * flight
        ceiling = min(upper[c], max(lower[c], cap * historical))
        add = max(0.0, min(ceiling - x[c], left))
        x[c] += add
        left -= add
    for c in order:
        add = max(0.0, min(upper[c] - x[c], left))
        x[c] += add
        left -= add
    return x


BASELINES: dict[str, Callable[[World], dict[str, float]]] = {
    "historical_mix": historical_mix_allocation,
    "equal_split": equal_split_allocation,
    "greedy_roas": greedy_roas_allocation,
}


def baseline_allocations(world: World) -> dict[str, dict[str, float]]:
    """Every baseline's allocation for `world`, keyed by baseline name."""
    return {name: rule(world) for name, rule in BASELINES.items()}
