"""The known truth of the PyMC-Marketing datasets, and scoring a plan against it.

Contract: `load_truth(name, root)` reads `pymc-marketing/ground_truth.json` and returns
the `DatasetTruth` of `pymc_mmm_example` or `pymc_mmm_roas_data`: per channel the true
weekly response of the published data-generating process,
`amplitude * beta * logistic(adstock(x; alpha, l_max), lam)` with a normalized geometric
adstock of `l_max` weeks and `logistic(x) = tanh(lam * x / 2)`, in the file's own spend
units per week; and the published true ROAS (contribution over spend across the history,
KPI units per file spend unit). The response reuses `evals.simulator.response`
(`Adstock`, `Saturation("tanh", 2 / lam)`), so `flight_outcome(X, W)` is the outcome of
spending X evenly over W weeks, carry-over tail included.

`score_plan(data, truth, allocation, flight_weeks)` scores a flight allocation (document
money per channel, as planned by the engine from the daily document) under these weekly
curves: the oracle (`agents.optimizer.optimize_allocation` on the true curves, same
budget), the true outcome and regret of the allocation and of the historical mean split
(each channel's mean weekly spend over the history: the reference of `ground_truth.json`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from agents.optimizer import optimize_allocation
from evals.public.datasets import WeeklyData, default_root
from evals.simulator.response import Adstock, ChannelResponse, Saturation

__all__ = ["DatasetTruth", "PlanTruthScore", "load_truth", "score_plan"]

Array = NDArray[np.float64]

_FILES = {"pymc_mmm_example": "mmm_example.csv", "pymc_mmm_roas_data": "mmm_roas_data.csv"}


@dataclass(frozen=True, eq=False)
class DatasetTruth:
    """True weekly response per channel id, in the file's spend units."""

    name: str
    responses: dict[str, ChannelResponse] = field(repr=False)
    true_roas: dict[str, float]  # KPI per file spend unit, over the history

    def outcome(self, channel: str, file_spend: float | Array, weeks: int) -> Array:
        """True outcome of spending `file_spend` (file units) evenly over `weeks` weeks."""
        return self.responses[channel].flight_outcome(file_spend, weeks)


def load_truth(name: str, root: Path | None = None) -> DatasetTruth:
    """The truth of a PyMC-Marketing dataset (see module doc)."""
    if name not in _FILES:
        raise ValueError(f"no ground truth for {name!r}; known: {sorted(_FILES)}")
    base = default_root() if root is None else root
    doc = json.loads((base / "pymc-marketing" / "ground_truth.json").read_text("utf-8"))
    spec = doc[_FILES[name]]
    amplitude = float(spec["amplitude"])
    responses: dict[str, ChannelResponse] = {}
    roas: dict[str, float] = {}
    for column, params in spec["channels"].items():
        channel = f"media:{column}"
        alpha, l_max = float(params["alpha"]), int(params["l_max"])
        weights = alpha ** np.arange(l_max, dtype=float)
        adstock = Adstock("geometric", {"decay": alpha}, weights / weights.sum())
        saturation = Saturation("tanh", 2.0 / float(params["lam"]))
        responses[channel] = ChannelResponse(
            channel, adstock, saturation, amplitude * float(params["beta"])
        )
        roas[channel] = float(spec["derived"]["true_roas"][column])
    return DatasetTruth(name=name, responses=responses, true_roas=roas)


@dataclass(frozen=True)
class PlanTruthScore:
    """A plan scored under a dataset's true curves (money in document units)."""

    budget: float
    oracle: dict[str, float]
    oracle_outcome: float
    plan_outcome: float
    historical: dict[str, float]
    historical_outcome: float

    @property
    def regret(self) -> float:
        return 1.0 - self.plan_outcome / self.oracle_outcome

    @property
    def historical_regret(self) -> float:
        return 1.0 - self.historical_outcome / self.oracle_outcome


def score_plan(
    data: WeeklyData,
    truth: DatasetTruth,
    allocation: Mapping[str, float],
    flight_weeks: int,
    *,
    resolution: int = 2000,
) -> PlanTruthScore:
    """Score `allocation` (document money per channel) under the true curves."""
    channels = data.channels
    scale = data.spend_scale
    budget = float(sum(allocation.values()))

    def outcome(alloc: Mapping[str, float]) -> float:
        return float(
            sum(
                truth.outcome(c, float(alloc.get(c, 0.0)) / scale, flight_weeks)[0]
                for c in channels
            )
        )

    def curve(channel: str) -> Callable[[Array], Array]:
        def f(x: Array) -> Array:
            return truth.outcome(channel, np.asarray(x, dtype=float) / scale, flight_weeks)

        return f

    result = optimize_allocation(
        [curve(c) for c in channels],
        [0.0] * len(channels),
        [math.inf] * len(channels),
        budget,
        resolution=resolution,
    )
    oracle = {c: float(x) for c, x in zip(channels, result.spend, strict=True)}
    mean = {c: float(data.spend[c].mean()) for c in channels}
    total = sum(mean.values())
    historical = {c: budget * m / total for c, m in mean.items()}
    return PlanTruthScore(
        budget=budget,
        oracle=oracle,
        oracle_outcome=outcome(oracle),
        plan_outcome=outcome(allocation),
        historical=historical,
        historical_outcome=outcome(historical),
    )
