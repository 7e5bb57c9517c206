"""Scorers: exact on known plans, and they catch what they are meant to catch."""

from __future__ import annotations

import math

import pytest

from agents import plan
from agents.contract import DistributionPlan
from evals.oracle import oracle_plan
from evals.scoring import (
    Candidate,
    Case,
    Reference,
    beats_mix,
    constraints,
    faithfulness,
    interval_coverage,
    regret,
    score_all,
    spearman,
    target_attainment,
    uplift_capture,
)
from evals.simulator import World, WorldSpec, simulate_world

SPEC = WorldSpec(n_channels=4, history_days=180, bounds="loose", flight_days=60)


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(SPEC, 11)


@pytest.fixture(scope="module")
def case(world: World) -> Case:
    return Case.from_world("t", world)


@pytest.fixture(scope="module")
def ref(case: Case) -> Reference:
    return Reference.for_case(case)


@pytest.fixture(scope="module")
def engine_plan(world: World) -> DistributionPlan:
    return plan(world.planning_input)


def test_the_oracle_scores_perfectly_and_the_mix_scores_zero_capture(
    case: Case, ref: Reference
) -> None:
    best = Candidate("oracle", ref.oracle.allocation)
    assert regret(case, best, ref).value == pytest.approx(0.0, abs=1e-12)
    assert uplift_capture(case, best, ref).value == pytest.approx(1.0)
    assert constraints(case, best, ref).passed
    mix = Candidate("mix", ref.mix)
    assert uplift_capture(case, mix, ref).value == pytest.approx(0.0, abs=1e-12)
    assert beats_mix(case, mix, ref).value == 0.0
    assert regret(case, mix, ref).value == pytest.approx(1 - ref.mix_outcome / ref.oracle.outcome)


def test_constraint_violations_are_caught(case: Case, ref: Reference) -> None:
    channels = list(case.lower)
    over = dict(ref.mix)
    over[channels[0]] = case.upper[channels[0]] + 100.0
    over[channels[1]] -= 100.0
    s = constraints(case, Candidate("x", over), ref)
    assert not s.passed and "above its maximum" in s.detail
    unknown = {**ref.mix, "meta:made_up": 0.0}
    assert "unknown channels" in constraints(case, Candidate("x", unknown), ref).detail
    short = {c: 0.9 * x for c, x in ref.mix.items()}
    assert "unspent" in constraints(case, Candidate("x", short), ref).detail
    more = {c: 1.01 * x for c, x in ref.mix.items()}
    assert "above the budget" in constraints(case, Candidate("x", more), ref).detail


def test_target_attainment_is_scored_under_the_truth(case: Case, ref: Reference) -> None:
    world = simulate_world(WorldSpec(n_channels=3, history_days=120, goal="target_roas"), 4)
    target_case = Case.from_world("t", world)
    target_ref = Reference.for_case(target_case)
    oracle = Candidate("oracle", oracle_plan(world).allocation)
    best = target_attainment(target_case, oracle, target_ref)
    assert best.passed and best.value >= 1.0
    spend_all = target_attainment(target_case, Candidate("mix", target_ref.mix), target_ref)
    assert spend_all.value < best.value
    assert math.isnan(target_attainment(case, Candidate("mix", ref.mix), ref).value)


def test_plan_scorers_need_a_plan(case: Case, ref: Reference) -> None:
    scores = score_all(case, Candidate("mix", ref.mix), ref)
    assert "interval_coverage" not in scores
    assert math.isnan(interval_coverage(case, Candidate("mix", ref.mix), ref).value)


def test_engine_plan_gets_every_score(
    case: Case, ref: Reference, engine_plan: DistributionPlan
) -> None:
    scores = score_all(case, Candidate.from_plan("engine", engine_plan), ref)
    assert scores["constraints"].passed
    assert scores["faithfulness"].passed
    assert scores["interval_coverage"].value in (0.0, 1.0)
    assert 0.0 <= scores["channel_coverage"].value <= 1.0
    assert scores["roi_error"].value >= 0.0
    assert scores["runtime_s"].value > 0.0


def test_interval_coverage_follows_the_interval(
    case: Case, ref: Reference, engine_plan: DistributionPlan
) -> None:
    cand = Candidate.from_plan("engine", engine_plan)
    truth = (1.0 - regret(case, cand, ref).value) * ref.oracle.outcome
    around = engine_plan.model_copy(update={"outcome_interval": (0.5 * truth, 2.0 * truth)})
    above = engine_plan.model_copy(update={"outcome_interval": (2.0 * truth, 3.0 * truth)})
    assert interval_coverage(case, Candidate.from_plan("e", around), ref).value == 1.0
    assert interval_coverage(case, Candidate.from_plan("e", above), ref).value == 0.0


def test_a_seeded_wrong_number_is_unfaithful(
    case: Case, ref: Reference, engine_plan: DistributionPlan
) -> None:
    bad = engine_plan.model_copy(deep=True)
    rec = bad.recommendations[0]
    rec.rationale = rec.rationale + " That adds 987,654 more."
    s = faithfulness(case, Candidate.from_plan("engine", bad), ref)
    assert not s.passed and "987,654" in s.detail
    assert 0.0 < s.value < 1.0


def test_spearman() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert math.isnan(spearman([1.0], [2.0]))
