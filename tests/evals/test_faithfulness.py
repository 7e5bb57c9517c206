"""Text faithfulness: numbers must trace to plan figures, not to the text's own evidence."""

from __future__ import annotations

import pytest

from agents import plan
from agents.contract import DistributionPlan, Insight
from evals.faithfulness import allowed_figures, check_plan_texts, check_text
from evals.simulator import WorldSpec, simulate_world


@pytest.fixture(scope="module")
def base_plan() -> DistributionPlan:
    world = simulate_world(WorldSpec(n_channels=3, history_days=120, flight_days=45), 21)
    return plan(world.planning_input)


def test_the_engines_texts_are_faithful(base_plan: DistributionPlan) -> None:
    check = check_plan_texts(base_plan)
    assert check.numbers > 0
    assert check.faithful, check.unfaithful
    assert check.share_faithful == 1.0


def test_small_integers_pass_as_rounded_figures_only() -> None:
    assert check_text("worth about 8 conversions", [7.6]) == ([], 1)
    assert check_text("worth about 8 conversions", [6.9]) == (["8"], 0)
    assert check_text("spend 91,000 USD", [91234.0]) == ([], 0)


def test_evidence_alone_does_not_make_a_number_faithful(base_plan: DistributionPlan) -> None:
    bad = base_plan.model_copy(deep=True)
    bad.insights.append(
        Insight(agent="performance", text="ROI is 7.77 here.", evidence={"roi": 7.77})
    )
    check = check_plan_texts(bad)
    assert check.unfaithful == [(f"insight{len(bad.insights) - 1}:performance", "7.77")]
    assert 7.77 not in allowed_figures(bad)


def test_market_notes_are_excluded_and_counted(base_plan: DistributionPlan) -> None:
    noted = base_plan.model_copy(deep=True)
    noted.insights.append(Insight(agent="market", text="Prior ROAS 2.29 (Varos 2025)."))
    check = check_plan_texts(noted)
    assert check.faithful and check.excluded == 1
