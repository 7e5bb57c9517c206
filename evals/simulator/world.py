"""`simulate_world`: one simulated advertiser, as a `PlanningInput` document plus its truth.

Contract: `simulate_world(spec, seed)` is a pure function of (spec, seed) - all
randomness comes from `numpy.random.default_rng(seed)`, split into independent streams
per subsystem - and returns a `World` whose `planning_input` validates as
`agents.contract.PlanningInput` and whose `truth` knows every channel's true flight
curve. The history is simulated by `evals.simulator.history`; this module writes the
campaign: a flight of `spec.flight_days` starting the day after the history, a budget of
the channels' last-28-day run-rate times the flight days times (1 + budget_change),
rounded to three significant figures, bounds around the historical mix (`spec.bounds`:
none; loose 0.5-2x; tight 0.8-1.2x; one channel fixed at its historical-mix share;
absolute: one channel with a min_spend and another with a max_spend), and the goal (for
target goals, the true optimum's ROAS or CPA at 45-85 % of the way from the minimum
spends to the budget, so the best plan under-spends the budget). Every channel is listed
in `campaign.channels`; rows are emitted from a channel's launch day on (zero-spend days
of flighted channels included), rounded to cents. `World.with_bounds` swaps in
hand-picked bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import numpy as np

from agents.contract import Campaign, PlanningInput
from agents.optimizer import optimize_allocation
from evals.simulator.allocation import proportional_allocation
from evals.simulator.history import SimulatedHistory, simulate_history
from evals.simulator.spec import WorldSpec
from evals.simulator.truth import ChannelTruth, HistorySeries, Truth

__all__ = ["RUN_RATE_DAYS", "World", "round_sig", "simulate_world"]

#: The historical run-rate is the mean daily spend over this many final days of history.
RUN_RATE_DAYS = 28


@dataclass(frozen=True, eq=False)
class World:
    """A simulated advertiser: the document the engine sees, and the truth it does not."""

    spec: WorldSpec
    seed: int
    planning_input: dict[str, Any]
    truth: Truth

    def parsed(self) -> PlanningInput:
        """The document as the engine's pydantic model (validates it)."""
        return PlanningInput.model_validate(self.planning_input)

    def campaign(self) -> Campaign:
        """The campaign section alone, validated (cheap: no history rows)."""
        return Campaign.model_validate(self.planning_input["campaign"])

    def with_bounds(self, bounds: Mapping[str, Mapping[str, float]]) -> World:
        """A copy whose campaign channels carry exactly these bounds (min_spend, max_spend,
        fixed_spend per channel name; channels not named lose theirs). The campaign is
        validated, so infeasible bounds raise `pydantic.ValidationError`."""
        campaign = dict(self.planning_input["campaign"])
        names = [s["channel"] for s in campaign["channels"]]
        unknown = sorted(set(bounds) - set(names))
        if unknown:
            raise KeyError(f"channels {unknown} are not in the campaign")
        campaign["channels"] = [{"channel": c, **bounds.get(c, {})} for c in names]
        Campaign.model_validate(campaign)
        document = {**self.planning_input, "campaign": campaign}
        return replace(self, planning_input=document)


def round_sig(x: float, digits: int = 3, how: str = "nearest") -> float:
    """`x` to `digits` significant figures; `how` is nearest, down or up."""
    if x <= 0:
        return 0.0
    unit = 10.0 ** (math.floor(math.log10(x)) - digits + 1)
    scaled = x / unit
    if how == "down":
        units = math.floor(scaled)
    elif how == "up":
        units = math.ceil(scaled)
    else:
        units = round(scaled)
    return round(units * unit, 2)


def _bounds(
    rng: np.random.Generator,
    spec: WorldSpec,
    base: dict[str, float],
    has_history: dict[str, bool],
    budget: float,
) -> dict[str, dict[str, float]]:
    """Per channel {min_spend, max_spend, fixed_spend} for `spec.bounds` (see module doc)."""
    out: dict[str, dict[str, float]] = {c: {} for c in base}
    hist = [c for c in base if has_history[c]]
    if spec.bounds in ("loose", "tight"):
        lo_f, hi_f, new_f = (0.5, 2.0, 0.15) if spec.bounds == "loose" else (0.8, 1.2, 0.05)
        for c, b in base.items():
            if has_history[c]:
                out[c] = {
                    "min_spend": round_sig(lo_f * b, how="down"),
                    "max_spend": round_sig(hi_f * b, how="up"),
                }
            else:
                out[c] = {"max_spend": round_sig(new_f * budget, how="up")}
    elif spec.bounds == "fixed":
        c = hist[int(rng.integers(len(hist)))]
        out[c] = {"fixed_spend": min(round_sig(base[c]), budget)}
    elif spec.bounds == "absolute":
        order = [hist[int(i)] for i in rng.permutation(len(hist))]
        order += [c for c in base if not has_history[c]]
        lo_c, hi_c = order[0], order[1]
        low = min(float(rng.uniform(0.5, 1.3)) * base[lo_c], 0.9 * budget)
        out[lo_c] = {"min_spend": round_sig(low, how="down")}
        high = float(rng.uniform(0.6, 1.5)) * base[hi_c] if has_history[hi_c] else 0.1 * budget
        out[hi_c] = {"max_spend": round_sig(high, how="up")}
    return out


def _target_value(
    rng: np.random.Generator,
    spec: WorldSpec,
    truth: Truth,
    bounds: dict[str, dict[str, float]],
    budget: float,
) -> float:
    """A reachable efficiency target: what the true optimum achieves at 45-85 % of the way
    from the sum of minimum spends to the budget (so a good plan under-spends)."""
    names = list(bounds)
    lower = [bounds[c].get("fixed_spend", bounds[c].get("min_spend", 0.0)) for c in names]
    upper = [bounds[c].get("fixed_spend", bounds[c].get("max_spend", math.inf)) for c in names]
    floor = sum(lower)
    level = min(floor + float(rng.uniform(0.45, 0.85)) * (budget - floor), sum(upper))
    result = optimize_allocation(
        [truth.curve(c) for c in names], lower, upper, level, resolution=400
    )
    ratio = result.outcome / float(result.spend.sum())
    if spec.goal == "target_roas":
        return math.floor(ratio * 100.0) / 100.0
    return math.ceil(100.0 / ratio) / 100.0


def _rows(sim: SimulatedHistory) -> list[dict[str, Any]]:
    cols: dict[str, tuple[int, list[list[float]]]] = {}
    for c, rep in sim.reports.items():
        start = sim.paths[c].launch_day
        assert start is not None
        series = [sim.paths[c].spend, rep.impressions, rep.clicks, rep.conversions, rep.revenue]
        cols[c] = (start, [x.tolist() for x in series])
    rows: list[dict[str, Any]] = []
    for t, day in enumerate(sim.dates):
        iso = day.isoformat()
        for c in sim.channels:
            if c not in cols or t < cols[c][0]:
                continue
            spend, imp, clk, conv, rev = cols[c][1]
            rows.append(
                {
                    "date": iso,
                    "channel": c,
                    "spend": round(spend[t], 2),
                    "impressions": int(imp[t]),
                    "clicks": int(clk[t]),
                    "conversions": round(conv[t], 2),
                    "revenue": round(rev[t], 2),
                }
            )
    return rows


def _kpi_rows(sim: SimulatedHistory) -> list[dict[str, Any]]:
    rev, conv = sim.kpi_revenue.tolist(), sim.kpi_conversions.tolist()
    return [
        {"date": d.isoformat(), "revenue": round(rev[t], 2), "conversions": round(conv[t], 2)}
        for t, d in enumerate(sim.dates)
    ]


def simulate_world(spec: WorldSpec, seed: int) -> World:
    """Simulate one advertiser (see module doc); deterministic for (spec, seed)."""
    streams = np.random.default_rng(seed).spawn(6)
    sim = simulate_history(spec, streams[:5])
    r_campaign = streams[5]
    flight = spec.flight_days
    start = spec.history_end + timedelta(days=1)
    run_rate = {
        c: float(sim.paths[c].spend[-RUN_RATE_DAYS:].sum()) / RUN_RATE_DAYS for c in sim.channels
    }
    has_history = {c: sim.paths[c].launch_day is not None for c in sim.channels}
    budget = round_sig(sum(run_rate.values()) * flight * (1.0 + spec.budget_change))
    base = proportional_allocation(run_rate, {}, {}, budget)
    bounds = _bounds(r_campaign, spec, base, has_history, budget)

    truth = _truth(spec, sim, run_rate)
    goal: dict[str, Any] = {"kind": spec.goal}
    if spec.goal != "max_outcome":
        goal["value"] = _target_value(r_campaign, spec, truth, bounds, budget)

    campaign: dict[str, Any] = {
        "campaign_id": spec.campaign_id or f"sim-{seed}",
        "objective": spec.objective,
        "total_budget": budget,
        "currency": spec.currency,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=flight - 1)).isoformat(),
        "channels": [{"channel": c, **bounds[c]} for c in sim.channels],
        "goal": goal,
    }
    if spec.industry is not None:
        campaign["industry"] = spec.industry
    if spec.region is not None:
        campaign["region"] = spec.region
    document: dict[str, Any] = {"campaign": campaign, "history": _rows(sim)}
    if spec.emit_kpi:
        document["kpi"] = _kpi_rows(sim)
    return World(spec=spec, seed=seed, planning_input=document, truth=truth)


def _truth(spec: WorldSpec, sim: SimulatedHistory, run_rate: dict[str, float]) -> Truth:
    flight = spec.flight_days
    channels: dict[str, ChannelTruth] = {}
    for c in sim.channels:
        response = sim.responses[c]
        path = sim.paths[c]
        daily = run_rate[c] if run_rate[c] > 0 else sim.ref_spend[c]
        total = daily * flight
        rep = sim.reports.get(c)
        reported = 0.0
        if rep is not None:
            reported = float(
                (rep.revenue if spec.objective == "revenue" else rep.conversions).sum()
            )
        channels[c] = ChannelTruth(
            channel=c,
            response=response,
            spend_pattern=None if path.launch_day is None else path.pattern,
            launch_date=None if path.launch_day is None else sim.dates[path.launch_day],
            ref_spend=sim.ref_spend[c],
            run_rate=run_rate[c],
            historical_roi=float(response.flight_outcome(total, flight)[0]) / total,
            marginal_roi=float(response.flight_marginal(total, flight)[0]),
            reporting=sim.reporting.get(c),
            true_incremental=float(sim.effects[c].sum()),
            credited=0.0 if rep is None else float(rep.credited.sum()),
            organic_claimed=0.0 if rep is None else float(rep.organic.sum()),
            reported=reported,
            history_spend=float(path.spend.sum()),
        )
    media = float(np.sum([sim.effects[c].sum() for c in sim.channels]))
    series = HistorySeries(
        dates=sim.dates,
        spend={c: sim.paths[c].spend for c in sim.channels},
        effect=sim.effects,
        baseline=sim.baseline,
        kpi=sim.kpi,
    )
    return Truth(
        objective=spec.objective,
        flight_days=flight,
        aov=sim.aov,
        channels=channels,
        media_share_target=spec.media_share,
        media_share=media / float(sim.kpi.sum()),
        baseline_params=sim.baseline_params,
        noise=sim.noise,
        confounded_channel=sim.confounded,
        series=series,
    )
