"""The optimizer against exact oracles on many random instances."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from agents.optimizer import (
    InfeasibleBoundsError,
    brute_force_two,
    optimize_allocation,
    water_fill,
)

Array = np.ndarray


def _concave(
    rng: np.random.Generator, scale: float
) -> tuple[Callable[[Array], Array], Callable[[float], float]]:
    a = rng.uniform(0.5, 5.0) * scale
    k = rng.uniform(0.05, 1.0) * scale
    kind = rng.integers(3)
    if kind == 0:
        return (lambda x: a * (1 - np.exp(-np.asarray(x) / k))), (lambda x: a / k * np.exp(-x / k))
    if kind == 1:
        return (lambda x: a * np.asarray(x) / (k + np.asarray(x))), (lambda x: a * k / (k + x) ** 2)
    b = rng.uniform(0.3, 0.9)
    c = a / k**b
    return (lambda x: c * np.power(np.maximum(np.asarray(x), 0), b)), (
        lambda x: c * b * max(x, 1e-12) ** (b - 1)
    )


def _s_curve(rng: np.random.Generator, scale: float) -> Callable[[Array], Array]:
    a = rng.uniform(0.5, 5.0) * scale
    k = rng.uniform(0.05, 0.8) * scale
    s = rng.uniform(1.5, 4.0)
    return lambda x: (
        a
        * np.power(np.maximum(np.asarray(x), 0) / k, s)
        / (1 + np.power(np.maximum(np.asarray(x), 0) / k, s))
    )


def _value(curves: list[Callable[[Array], Array]], x: Array) -> float:
    return float(sum(c(np.array([xi]))[0] for c, xi in zip(curves, x, strict=True)))


@pytest.mark.parametrize("seed", range(40))
def test_matches_water_filling_on_concave_curves(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 13))
    budget = 1.0
    pairs = [_concave(rng, budget) for _ in range(n)]
    curves = [p[0] for p in pairs]
    lower = np.where(rng.random(n) < 0.3, rng.uniform(0, 0.5 / n, n), 0.0)
    upper = np.where(rng.random(n) < 0.3, lower + rng.uniform(0.05, 0.5, n), np.inf)
    if np.isfinite(upper).all() and upper.sum() < budget:
        upper[0] = np.inf
    oracle = water_fill([p[1] for p in pairs], lower, upper, budget)
    result = optimize_allocation(curves, lower, upper, budget)
    assert result.total_spend == pytest.approx(budget, rel=1e-9)
    assert np.all(result.spend >= lower - 1e-12) and np.all(result.spend <= upper + 1e-12)
    best = _value(curves, oracle)
    assert result.outcome >= best * (1 - 1e-5)


@pytest.mark.parametrize("seed", range(40))
def test_finds_global_optimum_of_s_curve_pairs(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    f, g = _s_curve(rng, 1.0), _s_curve(rng, 1.0)
    x1, x2 = brute_force_two(f, g, 1.0)
    result = optimize_allocation([f, g], [0, 0], [np.inf, np.inf], 1.0)
    best = _value([f, g], np.array([x1, x2]))
    assert result.outcome >= best * (1 - 1e-5)


@pytest.mark.parametrize("seed", range(20))
def test_many_s_curves_beat_fine_grid_oracle(seed: int) -> None:
    """Against an independent fine DP oracle written here (dense square grid, no windows)."""
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(3, 7))
    curves = [_s_curve(rng, 1.0) if rng.random() < 0.6 else _concave(rng, 1.0)[0] for _ in range(n)]
    grid = np.linspace(0, 1, 2001)
    best = np.where(grid == 0, 0.0, -np.inf) + 0.0
    best = np.full(grid.size, -np.inf)
    best[0] = 0.0
    for c in curves:
        vals = c(grid)
        new = np.full(grid.size, -np.inf)
        for b in range(grid.size):
            new[b] = np.max(best[: b + 1][::-1] + vals[: b + 1])
        best = new
    result = optimize_allocation(curves, np.zeros(n), np.full(n, np.inf), 1.0)
    assert result.outcome >= best[-1] * (1 - 1e-6)


def test_identical_s_curves_concentrate_budget() -> None:
    """Equal marginals are not enough for S-curves (research/mmm.md 5.6): one channel wins."""
    hill = lambda x: np.asarray(x) ** 3 / (1 + np.asarray(x) ** 3)  # noqa: E731
    result = optimize_allocation([hill, hill], [0, 0], [np.inf, np.inf], 1.0)
    assert result.outcome == pytest.approx(0.5, rel=1e-4)
    assert sorted(result.spend.round(6).tolist()) == [0.0, 1.0]


def test_spends_whole_budget_even_when_returns_are_flat() -> None:
    flat = lambda x: np.minimum(np.asarray(x), 0.1)  # noqa: E731
    result = optimize_allocation([flat, flat], [0, 0], [np.inf, np.inf], 1.0)
    assert result.total_spend == pytest.approx(1.0)


def test_bounds_stay_with_their_channel() -> None:
    """Bounds are positional and never leak to another channel (PyMC-Marketing #2323)."""
    strong = lambda x: 10 * np.sqrt(np.asarray(x))  # noqa: E731
    weak = lambda x: np.sqrt(np.asarray(x))  # noqa: E731
    result = optimize_allocation([weak, strong], [0.0, 0.0], [np.inf, 0.2], 1.0)
    assert result.spend[1] == pytest.approx(0.2)
    assert result.spend[0] == pytest.approx(0.8)
    assert result.binding == [None, "max"]
    flipped = optimize_allocation([strong, weak], [0.0, 0.0], [0.2, np.inf], 1.0)
    assert flipped.spend.tolist() == pytest.approx(result.spend[::-1].tolist())


def test_fixed_and_min_bounds_hold() -> None:
    c = [lambda x, a=a: a * np.log1p(np.asarray(x)) for a in (1.0, 2.0, 3.0)]
    result = optimize_allocation(c, [0.3, 0.0, 0.1], [0.3, np.inf, np.inf], 1.0)
    assert result.spend[0] == pytest.approx(0.3)
    assert result.spend[2] >= 0.1
    assert result.total_spend == pytest.approx(1.0)
    assert result.binding[0] == "fixed"


def test_infeasible_bounds_raise() -> None:
    c = [lambda x: np.asarray(x)] * 2
    with pytest.raises(InfeasibleBoundsError, match="minimum spends"):
        optimize_allocation(c, [0.7, 0.7], [1, 1], 1.0)
    with pytest.raises(InfeasibleBoundsError, match="maximum spends"):
        optimize_allocation(c, [0, 0], [0.2, 0.3], 1.0)


def test_target_ratio_spends_less_when_returns_fall_below_target() -> None:
    """ROAS target: the largest spend whose optimal plan still returns `target` per unit."""
    c = [lambda x: 4 * np.sqrt(np.asarray(x)), lambda x: 2 * np.sqrt(np.asarray(x))]
    result = optimize_allocation(c, [0, 0], [np.inf, np.inf], 10.0, target_ratio=2.0)
    # Optimal split is proportional to squared weights: R*(B) = sqrt(20 B); R*/B = 2 at B = 5.
    assert result.total_spend == pytest.approx(5.0, rel=2e-3)
    assert result.outcome / result.total_spend >= 2.0 - 1e-9
    assert result.goal_met


def test_unreachable_target_spends_only_the_minimums_and_says_so() -> None:
    c = [lambda x: 0.5 * np.asarray(x), lambda x: 0.4 * np.asarray(x)]
    result = optimize_allocation(c, [0.2, 0.0], [np.inf, np.inf], 1.0, target_ratio=3.0)
    assert not result.goal_met
    assert result.spend.tolist() == pytest.approx([0.2, 0.0])
    free = optimize_allocation(c, [0.0, 0.0], [np.inf, np.inf], 1.0, target_ratio=3.0)
    assert not free.goal_met
    assert free.total_spend == 0.0


def test_spends_exactly_the_budget_when_maximums_sit_off_the_grid() -> None:
    c = [lambda x, a=a: a * np.log1p(np.asarray(x)) for a in (1.0, 1.3, 0.7)]
    upper = [0.3333337, 0.4111119, 0.2555544]  # sums exactly to the budget
    result = optimize_allocation(c, [0, 0, 0], upper, sum(upper))
    assert result.total_spend == pytest.approx(sum(upper), rel=1e-12)
    assert np.all(result.spend <= np.array(upper) + 1e-12)
