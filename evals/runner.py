"""Run scenario suites: plan every world with the engine and the baselines, score them all.

Contract: `run_case(scenario, llm=None)` simulates the scenario's world, computes its
oracle and historical mix once, plans it with `agents.plan` (narrated by the LLM of
`llm` settings when given) and with every baseline of `evals.baselines`, and scores each
with `evals.scoring`; an engine exception is recorded in `CaseResult.error` (and counted
as a failure by the summaries), never raised. `run_suite(name_or_scenarios, processes=2,
llm=None)` runs the cases in `processes` worker processes (spawned, single-threaded
numeric libraries; 1 runs in this process) and returns a `SuiteReport` with the results
in suite order and the wall time. Everything in a result is plain data (JSON-ready via
`to_json`); nothing depends on the order in which workers finish.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.baselines import baseline_allocations
from evals.oracle import true_outcome
from evals.scenarios import Scenario, suite
from evals.scoring import Candidate, Case, Reference, Score, score_all

if TYPE_CHECKING:
    from agents.contract import DistributionPlan
    from agents.llm import LLMSettings

__all__ = [
    "ENGINE",
    "CandidateResult",
    "CaseResult",
    "SuiteReport",
    "run_case",
    "run_suite",
    "single_threaded",
]

ENGINE = "engine"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class CandidateResult:
    """One plan's scores in one case."""

    name: str
    total_spend: float
    true_outcome: float
    allocation: dict[str, float]
    scores: dict[str, float]
    passed: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)

    def score(self, name: str) -> float:
        return self.scores.get(name, math.nan)


@dataclass(frozen=True)
class EngineFacts:
    """What the engine claimed, beside its scores."""

    expected_outcome: float
    outcome_interval: tuple[float, float]
    uplift_vs_baseline: float | None
    confidence_overall: float
    confidence_beats_mix: float
    confidence_data_quality: float
    confidence_model_fit: float
    mode: str
    goal_met: bool | None
    r2: float | None
    holdout_mape: float | None
    warnings: int
    text_numbers: int
    text_unfaithful: int
    market_notes_excluded: int
    relaxed_small_integers: int


@dataclass(frozen=True)
class CaseResult:
    """One scenario: the world's reference figures and every candidate's scores."""

    id: str
    seed: int
    tags: tuple[str, ...]
    goal: str
    target: float | None
    budget: float
    n_channels: int
    history_days: int
    oracle_outcome: float
    oracle_spend: float
    mix_outcome: float
    oracle_uplift: float
    oracle_allocation: dict[str, float]
    candidates: dict[str, CandidateResult]
    engine: EngineFacts | None = None
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict, repr=False)
    error: str | None = None
    wall_s: float = 0.0

    def score(self, candidate: str, name: str) -> float:
        c = self.candidates.get(candidate)
        return math.nan if c is None else c.score(name)

    def to_json(self, *, curves: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not curves:
            out.pop("curves")
        cleaned: dict[str, Any] = _clean(out)
        return cleaned


@dataclass(frozen=True)
class SuiteReport:
    """A suite's results in suite order, with how they were produced."""

    suite: str
    cases: list[CaseResult]
    wall_s: float
    processes: int
    llm_model: str | None = None
    started_at: str = ""

    @property
    def candidates(self) -> list[str]:
        names: list[str] = []
        for case in self.cases:
            names.extend(n for n in case.candidates if n not in names)
        return names


def _clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities to None, tuples to lists, floats rounded to 6 digits."""
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _candidate_result(case: Case, cand: Candidate, ref: Reference) -> CandidateResult:
    scores: dict[str, Score] = dict(score_all(case, cand, ref))
    return CandidateResult(
        name=cand.name,
        total_spend=cand.total,
        true_outcome=true_outcome(
            case.world, {c: x for c, x in cand.allocation.items() if c in case.lower}
        ),
        allocation=dict(cand.allocation),
        scores={k: s.value for k, s in scores.items()},
        passed={k: s.passed for k, s in scores.items() if s.passed is not None},
        details={k: s.detail for k, s in scores.items() if s.detail},
    )


def _engine_facts(plan: DistributionPlan) -> EngineFacts:
    from evals.faithfulness import check_plan_texts

    model = plan.diagnostics.get("model", {})
    text = check_plan_texts(plan)

    def num(x: Any) -> float | None:
        return float(x) if isinstance(x, int | float) and math.isfinite(x) else None

    goal_met = plan.diagnostics.get("goal_met")
    return EngineFacts(
        expected_outcome=plan.expected_outcome,
        outcome_interval=plan.outcome_interval,
        uplift_vs_baseline=plan.uplift_vs_baseline,
        confidence_overall=plan.confidence_scores.overall,
        confidence_beats_mix=float(
            getattr(plan.confidence_scores, "beats_historical_mix", plan.confidence_scores.overall)
        ),
        confidence_data_quality=plan.confidence_scores.data_quality,
        confidence_model_fit=plan.confidence_scores.model_fit,
        mode=plan.analysis.mode,
        goal_met=goal_met if isinstance(goal_met, bool) else None,
        r2=num(model.get("r2")),
        holdout_mape=num(model.get("holdout_mape")),
        warnings=len(plan.warnings),
        text_numbers=text.numbers,
        text_unfaithful=len(text.unfaithful),
        market_notes_excluded=text.excluded,
        relaxed_small_integers=text.relaxed,
    )


def _curves(
    case: Case, plan: DistributionPlan, ref: Reference
) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {}
    for channel, pts in plan.response_curves.items():
        if channel not in case.lower:
            continue
        spend = np.asarray(pts.spend, dtype=float)
        true = case.world.truth.true_flight_outcome(channel, spend)
        planned = {a.channel: a for a in plan.allocations}.get(channel)
        out[channel] = {
            "spend": pts.spend,
            "mean": pts.mean,
            "p10": pts.p10,
            "p90": pts.p90,
            "true": [float(v) for v in true],
            "planned": [0.0 if planned is None else float(planned.spend)],
            "historical": [0.0 if planned is None else float(planned.historical_spend or 0.0)],
            "oracle": [float(ref.oracle.allocation.get(channel, 0.0))],
        }
    return out


def run_case(scenario: Scenario, llm: LLMSettings | None = None) -> CaseResult:
    """Plan and score one scenario (see module doc)."""
    from agents import plan as engine_plan

    started = time.perf_counter()
    world = scenario.world()
    case = Case.from_world(scenario.id, world)
    ref = Reference.for_case(case)
    candidates: dict[str, CandidateResult] = {}
    facts: EngineFacts | None = None
    curves: dict[str, dict[str, list[float]]] = {}
    error: str | None = None
    try:
        narrator = None
        if llm is not None:
            from agents.llm import make_narrator

            narrator = make_narrator(llm)
        plan = engine_plan(world.planning_input, narrator)
    except Exception as exc:  # recorded and counted as a failure, never raised
        error = f"{type(exc).__name__}: {exc}"
    else:
        candidates[ENGINE] = _candidate_result(case, Candidate.from_plan(ENGINE, plan), ref)
        facts = _engine_facts(plan)
        curves = _curves(case, plan, ref)
    for name, allocation in baseline_allocations(world).items():
        candidates[name] = _candidate_result(case, Candidate(name, allocation), ref)
    return CaseResult(
        id=scenario.id,
        seed=scenario.seed,
        tags=scenario.tags,
        goal=case.goal,
        target=case.target,
        budget=case.budget,
        n_channels=len(case.lower),
        history_days=scenario.spec.history_days,
        oracle_outcome=ref.oracle.outcome,
        oracle_spend=ref.oracle.total_spend,
        mix_outcome=ref.mix_outcome,
        oracle_uplift=ref.oracle_uplift,
        oracle_allocation=dict(ref.oracle.allocation),
        candidates=candidates,
        engine=facts,
        curves=curves,
        error=error,
        wall_s=time.perf_counter() - started,
    )


@contextmanager
def single_threaded() -> Iterator[None]:
    """Environment for worker processes: one thread per numeric library (restored after)."""
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    for k in _THREAD_VARS:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_indexed(args: tuple[int, Scenario, LLMSettings | None]) -> tuple[int, CaseResult]:
    i, scenario, llm = args
    return i, run_case(scenario, llm)


def run_suite(
    scenarios: str | Sequence[Scenario],
    *,
    processes: int = 2,
    llm: LLMSettings | None = None,
    progress: Callable[[CaseResult], None] | None = None,
    name: str | None = None,
) -> SuiteReport:
    """Run a named suite (or these scenarios) and score everything (see module doc)."""
    chosen = suite(scenarios) if isinstance(scenarios, str) else list(scenarios)
    label = name or (scenarios if isinstance(scenarios, str) else "custom")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    results: list[CaseResult | None] = [None] * len(chosen)
    jobs = [(i, s, llm) for i, s in enumerate(chosen)]
    if processes <= 1 or len(chosen) <= 1:
        for job in jobs:
            i, result = _run_indexed(job)
            results[i] = result
            if progress is not None:
                progress(result)
    else:
        ctx = multiprocessing.get_context("spawn")
        with single_threaded(), ctx.Pool(min(processes, len(chosen))) as pool:
            for i, result in pool.imap_unordered(_run_indexed, jobs, chunksize=1):
                results[i] = result
                if progress is not None:
                    progress(result)
    done = [r for r in results if r is not None]
    return SuiteReport(
        suite=label,
        cases=done,
        wall_s=time.perf_counter() - t0,
        processes=max(1, processes),
        llm_model=None if llm is None else llm.model,
        started_at=started_at,
    )
