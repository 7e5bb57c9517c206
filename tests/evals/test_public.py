"""Public datasets: daily documents, the PyMC-Marketing truth, the seasonal bootstrap."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import numpy as np
import pytest

from agents.contract import PlanningInput
from evals.public.datasets import DATASETS, default_root, load, resample, to_document
from evals.public.stability import seasonal_block_bootstrap, share_stability
from evals.public.truth import load_truth, score_plan

ROOT = default_root()
# The datasets are data shipped beside the repository, not in it; MEDIAPLAN_DATASETS points
# elsewhere. Without them these tests cannot run, and say so.
pytestmark = pytest.mark.skipif(
    not ROOT.is_dir(), reason=f"public datasets not found at {ROOT} (set MEDIAPLAN_DATASETS)"
)


@pytest.mark.parametrize("name", DATASETS)
def test_daily_documents_keep_the_weekly_totals_and_validate(name: str) -> None:
    data = load(name, ROOT)
    doc = to_document(data, flight_weeks=12)
    model = PlanningInput.model_validate(doc)
    assert model.campaign.flight_days == 84
    assert model.campaign.start_date == data.weeks[-1] + timedelta(days=7)
    assert all(r.revenue is None and r.conversions is None for r in model.history)
    assert len(model.history) == 7 * data.n_weeks * len(data.channels)
    for c in data.channels:
        daily = sum(r.spend for r in model.history if r.channel == c)
        assert daily == pytest.approx(float(data.spend[c].sum()), rel=1e-4, abs=1.0)
    assert model.kpi is not None
    kpi = sum(k.revenue or 0.0 for k in model.kpi)
    assert kpi == pytest.approx(float(data.kpi.sum()), rel=1e-4)
    weekly = float(sum(x.mean() for x in data.spend.values()))
    assert model.campaign.total_budget == pytest.approx(12 * weekly, abs=0.005)


def test_pymc_spend_is_scaled_to_ten_percent_of_the_kpi() -> None:
    data = load("pymc_mmm_example", ROOT)
    spend = float(sum(x.sum() for x in data.spend.values()))
    assert spend == pytest.approx(0.1 * float(data.kpi.sum()))


def test_the_true_dgp_reproduces_the_published_effects_and_roas() -> None:
    with (ROOT / "pymc-marketing" / "mmm_roas_data.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    truth = load_truth("pymc_mmm_roas_data", ROOT)
    for col in ("x1", "x2"):
        x = np.array([float(r[col]) for r in rows])
        effect = np.array([float(r[f"{col}_effect"]) for r in rows])
        response = truth.responses[f"media:{col}"]
        assert np.allclose(response.daily_effect(x) / 100.0, effect, atol=1e-12)
        assert response.daily_effect(x).sum() / x.sum() == pytest.approx(
            truth.true_roas[f"media:{col}"]
        )


def test_score_plan_regret_is_zero_for_the_oracle() -> None:
    data = load("pymc_mmm_example", ROOT)
    truth = load_truth("pymc_mmm_example", ROOT)
    budget = 12 * float(sum(x.mean() for x in data.spend.values()))
    first = score_plan(data, truth, {"media:x1": budget / 2, "media:x2": budget / 2}, 12)
    best = score_plan(data, truth, first.oracle, 12)
    assert best.regret == pytest.approx(0.0, abs=1e-12)
    assert 0.0 < first.historical_regret < 0.2
    assert first.oracle["media:x1"] > first.oracle["media:x2"]  # as in ground_truth.json


def test_seasonal_bootstrap_keeps_weeks_in_place_within_the_year() -> None:
    rng = np.random.default_rng(0)
    idx = seasonal_block_bootstrap(156, rng)
    assert len(idx) == 156
    assert all((src - i) % 52 == 0 for i, src in enumerate(idx))
    assert idx != list(range(156))
    again = seasonal_block_bootstrap(156, np.random.default_rng(0))
    assert again == idx
    assert seasonal_block_bootstrap(40, rng) == list(range(40))  # under two years


def test_resample_keeps_dates_and_moves_figures() -> None:
    data = load("meridian_national_media", ROOT)
    idx = list(range(data.n_weeks))[::-1]
    flipped = resample(data, idx)
    assert flipped.weeks == data.weeks
    assert flipped.weeks[0] == date(2021, 1, 25)
    assert flipped.kpi[0] == data.kpi[-1]
    with pytest.raises(ValueError, match="week indices"):
        resample(data, [0, 1])


def test_share_stability() -> None:
    s = share_stability([{"a": 0.5, "b": 0.5}, {"a": 0.7, "b": 0.3}])
    assert s["channels"]["a"]["mean"] == pytest.approx(0.6)
    assert s["channels"]["a"]["std"] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    assert s["std_max"] == pytest.approx(s["std_mean"])
