"""Scorers: pure functions `(case, candidate, reference) -> Score`, always under the TRUE response.

Contract. A `Case` is one simulated world with its campaign (goal, budget, bounds); a
`Candidate` is a plan to score: a flight allocation per channel name plus, for the
engine, the full `DistributionPlan` (baselines have none); a `Reference` holds what is
computed once per case: the oracle plan and the historical mix with their true outcomes.
Each scorer returns a `Score` whose `value` is NaN when it does not apply (a plan-only
scorer on a baseline, a target scorer under `max_outcome`, too few channels to rank).
`passed` is set for pass/fail scorers only. Outcome scorers value a plan's spend on the
campaign's channels (negative spend as zero); spend anywhere else fails `constraints`.

Allocation scorers (engine and baselines):

- `regret`: 1 - R(x) / R(oracle); negative when a plan out-earns the oracle by breaking a
  target (target goals are reported apart for that reason);
- `uplift_capture`: (R(x) - R(mix)) / (R(oracle) - R(mix)), NaN when the oracle gains
  nothing over the historical mix;
- `beats_mix`: 1 when R(x) exceeds the historical mix at the same total spend, else 0;
- `constraints`: share of the hard checks met (no unknown channel, finite non-negative
  spend, every bound within `tolerance(budget)`, total within the budget, the whole budget
  spent under `max_outcome` within 0.5 % as the contract says, plan totals consistent);
  `passed` when all are;
- `target_attainment`: the plan's true ROAS over the target ROAS, or the target CPA over
  the plan's true CPA (>= 1 meets it); `passed` at >= 1 - `TARGET_TOLERANCE`; a plan that
  spends nothing meets it vacuously (infinite attainment; its regret is 100 %);
- `share_distance`: total-variation distance between the plan's and the oracle's shares.

Plan scorers (engine only):

- `interval_coverage`: 1 when p10 <= R(x) <= p90 of the plan's `outcome_interval`;
  `interval_position` is (R(x) - p10) / (p90 - p10); `outcome_error` is
  expected_outcome / R(x) - 1; `channel_coverage` the share of funded channels whose
  interval holds their true outcome;
- `roi_error`: median over funded channels of |log(expected ROI / true ROI)| at the
  planned spend; `historical_roi_error` the same for the model's historical ROI
  (`diagnostics`) against the true history ROI, and `reported_roi_error` for the
  platform-reported ROI (what a planner without a model believes); `mroi_error` for the
  modelled marginal ROI at the historical run-rate against the true one;
- `rank_spearman` / `mroi_rank_spearman`: Spearman correlation between modelled and true
  historical ROI / marginal ROI at the run-rate over channels with history (>= 3);
- `faithfulness`: share of the numbers in insights and recommendations that match plan
  figures (`evals.faithfulness`), `passed` when all do;
- `runtime_s`: the plan's own `analysis.runtime_s`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata

from agents.contract import DistributionPlan
from evals.faithfulness import check_plan_texts
from evals.oracle import (
    OraclePlan,
    historical_mix_allocation,
    oracle_plan,
    planned_bounds,
    true_outcome,
    true_ratio,
)
from evals.simulator import World, proportional_allocation

__all__ = [
    "ALLOCATION_SCORERS",
    "PLAN_SCORERS",
    "TARGET_TOLERANCE",
    "Candidate",
    "Case",
    "Reference",
    "Score",
    "Scorer",
    "mix_at",
    "score_all",
    "spearman",
    "tolerance",
]

TARGET_TOLERANCE = 0.01
NAN = math.nan


@dataclass(frozen=True)
class Score:
    name: str
    value: float  # NaN: not applicable
    passed: bool | None = None
    detail: str = ""


@dataclass(frozen=True)
class Case:
    """One simulated world and its campaign."""

    id: str
    world: World
    goal: str
    target: float | None
    budget: float
    flight_days: int
    lower: dict[str, float]
    upper: dict[str, float]

    @classmethod
    def from_world(cls, case_id: str, world: World) -> Case:
        campaign = world.campaign()
        lower, upper = planned_bounds(world)
        return cls(
            id=case_id,
            world=world,
            goal=campaign.goal.kind,
            target=campaign.goal.value,
            budget=campaign.total_budget,
            flight_days=campaign.flight_days,
            lower=lower,
            upper=upper,
        )


@dataclass(frozen=True)
class Candidate:
    """A plan to score: flight spend per channel, and the engine's plan when there is one."""

    name: str
    allocation: dict[str, float]
    plan: DistributionPlan | None = None

    @classmethod
    def from_plan(cls, name: str, plan: DistributionPlan) -> Candidate:
        return cls(name, {a.channel: float(a.spend) for a in plan.allocations}, plan)

    @property
    def total(self) -> float:
        return float(sum(self.allocation.values()))


@dataclass(frozen=True)
class Reference:
    """What every scorer compares with: the oracle and the historical mix, under the truth."""

    oracle: OraclePlan
    mix: dict[str, float] = field(repr=False)
    mix_outcome: float

    @classmethod
    def for_case(cls, case: Case) -> Reference:
        mix = historical_mix_allocation(case.world)
        return cls(oracle_plan(case.world), mix, true_outcome(case.world, mix))

    @property
    def oracle_uplift(self) -> float:
        """R(oracle) / R(mix) - 1: how much re-allocating can gain at all."""
        return self.oracle.outcome / self.mix_outcome - 1.0 if self.mix_outcome > 0 else NAN


Scorer = Callable[[Case, Candidate, Reference], Score]


def tolerance(budget: float) -> float:
    """Slack allowed on bounds and budget: one currency unit or a millionth of the budget."""
    return max(1.0, 1e-6 * budget)


def mix_at(case: Case, total: float) -> dict[str, float]:
    """The historical mix rescaled to spend `total` (within bounds)."""
    weights = {c: case.world.truth.channels[c].run_rate for c in case.lower}
    total = min(max(total, sum(case.lower.values())), case.budget)
    return proportional_allocation(weights, case.lower, case.upper, total)


def _outcome(case: Case, cand: Candidate) -> float:
    known = {c: x for c, x in cand.allocation.items() if c in case.lower}
    return true_outcome(case.world, {c: max(x, 0.0) for c, x in known.items()})


def regret(case: Case, cand: Candidate, ref: Reference) -> Score:
    return Score("regret", 1.0 - _outcome(case, cand) / ref.oracle.outcome)


def uplift_capture(case: Case, cand: Candidate, ref: Reference) -> Score:
    gain = ref.oracle.outcome - ref.mix_outcome
    if gain <= 1e-9 * max(abs(ref.oracle.outcome), 1.0):
        return Score("uplift_capture", NAN, detail="the oracle gains nothing over the mix")
    return Score("uplift_capture", (_outcome(case, cand) - ref.mix_outcome) / gain)


def beats_mix(case: Case, cand: Candidate, ref: Reference) -> Score:
    mix = ref.mix if case.goal == "max_outcome" else mix_at(case, cand.total)
    base = true_outcome(case.world, mix)
    return Score("beats_mix", 1.0 if _outcome(case, cand) > base else 0.0)


def constraints(case: Case, cand: Candidate, ref: Reference) -> Score:
    tol = tolerance(case.budget)
    problems: list[str] = []
    checks = 0

    def check(ok: bool, problem: str) -> None:
        nonlocal checks
        checks += 1
        if not ok:
            problems.append(problem)

    unknown = sorted(set(cand.allocation) - set(case.lower))
    check(not unknown, f"unknown channels {unknown}")
    for c, x in cand.allocation.items():
        check(math.isfinite(x) and x >= 0, f"{c}: spend {x}")
    for c in case.lower:
        x = cand.allocation.get(c, 0.0)
        check(x >= case.lower[c] - tol, f"{c}: {x:,.2f} below its minimum {case.lower[c]:,.2f}")
        check(x <= case.upper[c] + tol, f"{c}: {x:,.2f} above its maximum {case.upper[c]:,.2f}")
    total = cand.total
    check(total <= case.budget + tol, f"total {total:,.2f} above the budget {case.budget:,.2f}")
    if case.goal == "max_outcome":
        room = sum(case.upper.values())
        floor = min(case.budget, room) * 0.995
        check(total >= floor - tol, f"total {total:,.2f} leaves over 0.5 % of the budget unspent")
    if cand.plan is not None:
        p = cand.plan
        check(
            abs(p.total_spend - total) <= tol,
            f"total_spend {p.total_spend:,.2f} differs from the allocations' sum {total:,.2f}",
        )
        check(
            abs(p.total_budget - case.budget) <= tol,
            f"total_budget {p.total_budget:,.2f} is not the campaign's {case.budget:,.2f}",
        )
    return Score(
        "constraints", 1.0 - len(problems) / checks, passed=not problems, detail="; ".join(problems)
    )


def target_attainment(case: Case, cand: Candidate, ref: Reference) -> Score:
    if case.goal == "max_outcome" or case.target is None:
        return Score("target_attainment", NAN)
    known = {c: x for c, x in cand.allocation.items() if c in case.lower}
    ratio = true_ratio(case.world, known, case.goal)
    value = ratio / case.target if case.goal == "target_roas" else ratio * case.target
    return Score("target_attainment", value, passed=value >= 1.0 - TARGET_TOLERANCE)


def share_distance(case: Case, cand: Candidate, ref: Reference) -> Score:
    total, best = cand.total, ref.oracle.total_spend
    if total <= 0 or best <= 0:
        return Score("share_distance", NAN)
    tv = 0.5 * sum(
        abs(cand.allocation.get(c, 0.0) / total - ref.oracle.allocation.get(c, 0.0) / best)
        for c in case.lower
    )
    return Score("share_distance", tv)


# --- plan scorers -------------------------------------------------------------------------


def interval_coverage(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("interval_coverage", NAN)
    lo, hi = cand.plan.outcome_interval
    truth = _outcome(case, cand)
    return Score("interval_coverage", 1.0 if lo <= truth <= hi else 0.0)


def interval_position(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("interval_position", NAN)
    lo, hi = cand.plan.outcome_interval
    if hi <= lo:
        return Score("interval_position", NAN, detail="empty interval")
    return Score("interval_position", (_outcome(case, cand) - lo) / (hi - lo))


def outcome_error(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("outcome_error", NAN)
    truth = _outcome(case, cand)
    if truth <= 0:
        return Score("outcome_error", NAN)
    return Score("outcome_error", cand.plan.expected_outcome / truth - 1.0)


def channel_coverage(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("channel_coverage", NAN)
    hits: list[bool] = []
    for a in cand.plan.allocations:
        if a.spend > 0 and a.channel in case.lower:
            y = case.world.truth.true_flight_outcome(a.channel, float(a.spend))
            hits.append(a.outcome_interval[0] <= y <= a.outcome_interval[1])
    return Score("channel_coverage", float(np.mean(hits)) if hits else NAN)


def _log_error(estimate: float | None, truth: float) -> float | None:
    if estimate is None or estimate <= 0 or truth <= 0:
        return None
    return abs(math.log(estimate / truth))


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else NAN


def roi_error(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("roi_error", NAN)
    errors: list[float] = []
    for a in cand.plan.allocations:
        if a.spend > 0 and a.channel in case.lower:
            true_roi = case.world.truth.true_flight_outcome(a.channel, float(a.spend)) / a.spend
            e = _log_error(a.expected_outcome / a.spend, true_roi)
            if e is not None:
                errors.append(e)
    return Score("roi_error", _median(errors))


def _diagnostic(plan: DistributionPlan, channel: str, key: str) -> float | None:
    value = plan.diagnostics.get("channels", {}).get(channel, {}).get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _history_channels(case: Case) -> list[str]:
    truth = case.world.truth.channels
    return [c for c in case.lower if truth[c].history_spend > 0 and truth[c].run_rate > 0]


def _historical_error(name: str, key: str) -> Scorer:
    def scorer(case: Case, cand: Candidate, ref: Reference) -> Score:
        if cand.plan is None:
            return Score(name, NAN)
        errors: list[float] = []
        for c in _history_channels(case):
            realized = case.world.truth.channels[c].realized_roi
            if realized is None:
                continue
            e = _log_error(_diagnostic(cand.plan, c, key), realized)
            if e is not None:
                errors.append(e)
        return Score(name, _median(errors))

    scorer.__name__ = name
    return scorer


historical_roi_error = _historical_error("historical_roi_error", "roi_historical")
reported_roi_error = _historical_error("reported_roi_error", "reported_roi")


def mroi_error(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("mroi_error", NAN)
    errors: list[float] = []
    for c in _history_channels(case):
        e = _log_error(
            _diagnostic(cand.plan, c, "marginal_roi_at_run_rate"),
            case.world.truth.channels[c].marginal_roi,
        )
        if e is not None:
            errors.append(e)
    return Score("mroi_error", _median(errors))


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either side is constant."""
    if len(a) != len(b) or len(a) < 2:
        return NAN
    ra = np.asarray(rankdata(a), dtype=float)
    rb = np.asarray(rankdata(b), dtype=float)
    ra -= ra.mean()
    rb -= rb.mean()
    denom = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / denom if denom > 0 else NAN


def _rank_scorer(name: str, key: str, truth_of: Callable[[Case, str], float | None]) -> Scorer:
    def scorer(case: Case, cand: Candidate, ref: Reference) -> Score:
        if cand.plan is None:
            return Score(name, NAN)
        model: list[float] = []
        true: list[float] = []
        for c in _history_channels(case):
            m, t = _diagnostic(cand.plan, c, key), truth_of(case, c)
            if m is not None and t is not None:
                model.append(m)
                true.append(t)
        if len(model) < 3:
            return Score(name, NAN, detail="fewer than 3 channels with history")
        return Score(name, spearman(model, true))

    scorer.__name__ = name
    return scorer


rank_spearman = _rank_scorer(
    "rank_spearman", "roi_historical", lambda case, c: case.world.truth.channels[c].realized_roi
)
mroi_rank_spearman = _rank_scorer(
    "mroi_rank_spearman",
    "marginal_roi_at_run_rate",
    lambda case, c: case.world.truth.channels[c].marginal_roi,
)


def faithfulness(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("faithfulness", NAN)
    check = check_plan_texts(cand.plan)
    detail = "; ".join(f"{item}: {number}" for item, number in check.unfaithful)
    return Score("faithfulness", check.share_faithful, passed=check.faithful, detail=detail)


def runtime_s(case: Case, cand: Candidate, ref: Reference) -> Score:
    if cand.plan is None:
        return Score("runtime_s", NAN)
    return Score("runtime_s", float(cand.plan.analysis.runtime_s))


ALLOCATION_SCORERS: tuple[Scorer, ...] = (
    regret,
    uplift_capture,
    beats_mix,
    constraints,
    target_attainment,
    share_distance,
)
PLAN_SCORERS: tuple[Scorer, ...] = (
    interval_coverage,
    interval_position,
    outcome_error,
    channel_coverage,
    roi_error,
    historical_roi_error,
    reported_roi_error,
    mroi_error,
    rank_spearman,
    mroi_rank_spearman,
    faithfulness,
    runtime_s,
)


def score_all(
    case: Case,
    cand: Candidate,
    ref: Reference,
    scorers: tuple[Scorer, ...] | None = None,
) -> Mapping[str, Score]:
    """Every scorer's `Score` for `cand`, keyed by score name (plan scorers for plans only)."""
    chosen = scorers or (ALLOCATION_SCORERS + (PLAN_SCORERS if cand.plan is not None else ()))
    out: dict[str, Score] = {}
    for scorer in chosen:
        s = scorer(case, cand, ref)
        out[s.name] = s
    return out
