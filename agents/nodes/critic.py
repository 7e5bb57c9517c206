"""Critic: verifies the allocation and bounds extrapolation, sending it back when needed.

Contract: reads `input`, `performance` and `budget`; writes `critique` (constraint
violations, channels planned beyond what history supports, caps applied) and `caps`
(flight-spend caps per channel). A channel planned above `extrapolation_cap` times its
highest sustained daily spend, or a channel with no history above a test budget, gets a
cap and the budget agent runs again, for at most `max_rounds` rounds in all. Caps never
make the budget unspendable under `max_outcome`: when they would, they are relaxed by a
common factor, and the plan says so. Under `max_outcome`, a channel with history cut
below `1 - max_cut` of its share of the historical mix gets a floor the same way (a cut
is as much an extrapolation as a raise); floors shrink together if they would not fit
the budget. `route_after_critic` is the graph's (async) router.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from langgraph.runtime import Runtime

from agents.nodes.budget import channel_bounds
from agents.state import Deps, InputView, PlanState, input_view

__all__ = ["critic", "route_after_critic"]

_TOL = 1e-6


async def critic(state: PlanState, runtime: Runtime[Deps]) -> dict[str, Any]:
    inp = input_view(state)
    deps = runtime.context
    budget = state["budget"]
    perf = state["performance"]
    bounds = channel_bounds(inp)
    spend: dict[str, float] = budget["spend"]
    c = inp.campaign
    violations = _violations(inp, spend, bounds)
    caps = dict(state.get("caps", {}))
    new_caps: dict[str, float] = {}
    for ch, x in spend.items():
        lower = bounds[ch][0]
        facts = perf["channels"].get(ch)
        if budget["sources"][ch] == "history" and facts:
            cap = deps.extrapolation_cap * facts["observed_max_daily"] * c.flight_days
        else:
            cap = deps.new_channel_cap_share * c.total_budget
        cap = max(cap, lower)
        if x > cap * (1 + _TOL) and ch not in caps:
            new_caps[ch] = cap
    floors = dict(state.get("floors", {}))
    new_floors: dict[str, float] = {}
    if c.goal.kind == "max_outcome":  # under a target, spending less is the point
        new_floors = _new_floors(
            spend, floors, caps, bounds, perf, budget["sources"], c.total_budget, deps
        )
    floors.update(new_floors)
    warnings: list[str] = []
    if new_caps:
        caps.update(new_caps)
        if c.goal.kind == "max_outcome":
            caps, relaxed = _relax_to_budget(caps, bounds, c.total_budget)
            if relaxed > 1.0 + _TOL:
                warnings.append(
                    f"the budget exceeds what history supports: extrapolation caps were raised "
                    f"{relaxed:.2f}x so the whole budget could be allocated"
                )
    rnd = state.get("round", 1)
    again = bool(new_caps or new_floors) and rnd < deps.max_rounds
    critique = {
        "round": rnd,
        "violations": violations,
        "capped": sorted(new_caps),
        "floored": sorted(new_floors),
        "again": again,
    }
    return {
        "critique": critique,
        "caps": caps,
        "floors": floors,
        "warnings": warnings + [f"constraint check failed: {v}" for v in violations],
        "trace": ["critic"],
    }


def _new_floors(
    spend: dict[str, float],
    floors: dict[str, float],
    caps: dict[str, float],
    bounds: dict[str, tuple[float, float]],
    perf: dict[str, Any],
    sources: dict[str, str],
    budget: float,
    deps: Deps,
) -> dict[str, float]:
    """Floors for channels cut further below their share of the historical mix than the
    evidence supports (`Deps.max_cut`): cutting a channel the advertiser funds is as much
    an extrapolation as scaling it up, and the commonest large regret in the evals."""
    run_rate = {
        ch: perf["channels"].get(ch, {}).get("run_rate_daily", 0.0)
        for ch in spend
        if sources.get(ch) == "history"
    }
    total_rate = sum(run_rate.values())
    if deps.max_cut >= 1.0 or total_rate <= 0:
        return {}
    out: dict[str, float] = {}
    for ch, rate in run_rate.items():
        lo, hi = bounds[ch]
        floor = min((1.0 - deps.max_cut) * budget * rate / total_rate, hi, caps.get(ch, math.inf))
        if floor > lo and spend[ch] < floor * (1 - 1e-3) and ch not in floors:
            out[ch] = floor
    # Floors may never make the budget infeasible: shrink the new ones together.
    fixed = sum(max(bounds[ch][0], floors.get(ch, 0.0)) for ch in spend if ch not in out)
    wanted = sum(out.values())
    if fixed + wanted > budget and wanted > 0:
        scale = max(budget - fixed, 0.0) / wanted
        out = {ch: max(v * scale, bounds[ch][0]) for ch, v in out.items()}
    return out


async def route_after_critic(state: PlanState) -> Literal["budget", "synthesizer"]:
    return "budget" if state["critique"]["again"] else "synthesizer"


def _violations(
    inp: InputView, spend: dict[str, float], bounds: dict[str, tuple[float, float]]
) -> list[str]:
    c = inp.campaign
    tol = max(c.total_budget * _TOL, 0.01)
    out = []
    for ch, x in spend.items():
        lo, hi = bounds[ch]
        if x < lo - tol:
            out.append(f"{ch} gets {x:,.2f}, below its minimum {lo:,.2f}")
        if x > hi + tol:
            out.append(f"{ch} gets {x:,.2f}, above its maximum {hi:,.2f}")
    total = sum(spend.values())
    if total > c.total_budget + tol:
        out.append(f"total spend {total:,.2f} exceeds the budget {c.total_budget:,.2f}")
    every_max_binds = all(spend[ch] >= bounds[ch][1] - tol for ch in spend)
    if c.goal.kind == "max_outcome" and total < c.total_budget * 0.995 and not every_max_binds:
        out.append(f"total spend {total:,.2f} leaves budget {c.total_budget:,.2f} unspent")
    return out


def _relax_to_budget(
    caps: dict[str, float], bounds: dict[str, tuple[float, float]], budget: float
) -> tuple[dict[str, float], float]:
    def room(f: float) -> float:
        return sum(
            max(lo, min(hi, f * caps[ch])) if ch in caps else min(hi, budget)
            for ch, (lo, hi) in bounds.items()
        )

    if room(1.0) >= budget:
        return caps, 1.0
    lo_f, hi_f = 1.0, 2.0
    while room(hi_f) < budget and hi_f < 1e9:
        hi_f *= 2
    for _ in range(100):
        mid = (lo_f + hi_f) / 2
        if room(mid) >= budget:
            hi_f = mid
        else:
            lo_f = mid
    return {ch: v * hi_f for ch, v in caps.items()}, hi_f
