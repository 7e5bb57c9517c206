"""Benchmark inputs: simulated advertisers of a given size, as PlanningInput documents.

Contract: `planning_input(n_channels, history_days, seed)` is deterministic. The
simulator offers 12 distinct channel ids; larger inputs merge two simulated advertisers,
renaming the second one's placements, so every channel is distinct and the KPI is the
sum of both.
"""

from __future__ import annotations

import copy
from typing import Any

from evals.simulator import CHANNEL_IDS, WorldSpec, simulate_world

__all__ = ["planning_input"]


def _world(channels: tuple[str, ...], days: int, seed: int) -> dict[str, Any]:
    spec = WorldSpec(channels=channels, history_days=days, flight_days=90, daily_spend=20_000.0)
    return simulate_world(spec, seed).planning_input


def planning_input(n_channels: int, history_days: int, seed: int = 1) -> dict[str, Any]:
    first = tuple(CHANNEL_IDS[: min(n_channels, len(CHANNEL_IDS))])
    doc = _world(first, history_days, seed)
    rest = n_channels - len(first)
    if rest <= 0:
        return doc
    extra = _world(tuple(CHANNEL_IDS[:rest]), history_days, seed + 1)
    merged = copy.deepcopy(doc)
    for row in extra["history"]:
        renamed = dict(row, channel=row["channel"] + "_b")
        merged["history"].append(renamed)
    kpi = {k["date"]: k for k in merged.get("kpi") or []}
    for k in extra.get("kpi") or []:
        mine = kpi.get(k["date"])
        if mine is not None:
            for metric in ("revenue", "conversions"):
                if mine.get(metric) is not None and k.get(metric) is not None:
                    mine[metric] = round(mine[metric] + k[metric], 2)
    merged["campaign"]["total_budget"] += extra["campaign"]["total_budget"]
    merged["campaign"].pop("channels", None)
    return merged
