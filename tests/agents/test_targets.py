"""Efficiency targets under uncertainty (`agents.nodes.targets`)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.nodes.targets import plan_for_target
from agents.response.curves import ResponseCurve


def _curve(name: str, roi_draws: np.ndarray) -> ResponseCurve:
    """Nearly linear curves (huge half-saturation) whose ROI is the drawn value."""
    n = len(roi_draws)
    k = 1e9
    return ResponseCurve(
        channel=name,
        flight_days=1,
        beta=roi_draws * k,  # hill(x, k, 1) ~ x / k for x << k, so outcome ~ roi * x
        half_sat=np.full(n, k),
        shape=np.ones(n),
        decay=np.zeros(n),
    )


def test_target_met_only_in_the_optimistic_draws_plans_spend_with_that_probability() -> None:
    draws = np.linspace(1.0, 3.0, 101)  # ROI spread evenly over [1, 3], mean 2
    curves = [_curve("a", draws), _curve("b", draws)]
    means = [c.tabulate_mean(100.0) for c in curves]
    decision = plan_for_target(means, curves, [0, 0], [np.inf, np.inf], 100.0, target=2.5)
    assert decision.spend_level is not None
    assert decision.probability == pytest.approx(0.25, abs=0.02)
    assert decision.expected_ratio == pytest.approx(2.0, rel=0.01)
    assert decision.frontier[0][1] == pytest.approx(2.0, rel=0.01)


def test_target_beyond_every_draw_plans_nothing() -> None:
    draws = np.linspace(1.0, 3.0, 101)
    curves = [_curve("a", draws)]
    decision = plan_for_target(
        [curves[0].tabulate_mean(100.0)], curves, [0], [np.inf], 100.0, target=3.5
    )
    assert decision.spend_level is None
    assert decision.probability == 0.0
