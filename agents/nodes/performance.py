"""Performance agent: fits each channel's response from history and the KPI series.

Contract: reads `state["input"]`, writes `state["performance"]`, a JSON-native dict:

- `metrics[metric]`: for the objective (and the goal's metric when it differs), the
  fitted curves as posterior samples (`ResponseCurve.to_json`), each channel's marginal
  ROI at its run-rate and historical ROI, and fit diagnostics (R^2 and MAPE on a
  held-out tail of the KPI, residual autocorrelation);
- `channels[channel]`: history facts the other agents need (days of history, recent daily
  run-rate, highest sustained daily spend, spend variation, platform-reported ROI, the
  model's historical ROI, carry-over half-life, saturation shape) and `flags` naming
  what the data cannot identify;
- `collinear`: pairs of channels whose weekly spend moved together (|r| > 0.9).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langgraph.runtime import Runtime
from numpy.typing import NDArray

from agents.panel import Panel, build_panel
from agents.response.fit import PerformanceFit, fit_response_curves
from agents.response.transforms import geometric_adstock, half_life_days
from agents.state import Deps, InputView, PlanState, input_view

__all__ = ["goal_metric", "performance_agent"]

Array = NDArray[np.float64]
_RUN_RATE_DAYS = 28


def goal_metric(inp: InputView) -> str:
    """The metric a goal's target is expressed in."""
    kind = inp.campaign.goal.kind
    if kind == "target_roas":
        return "revenue"
    if kind == "target_cpa":
        return "conversions"
    return inp.campaign.objective


async def performance_agent(state: PlanState, runtime: Runtime[Deps]) -> dict[str, Any]:
    inp = input_view(state)
    return {
        "performance": analyze_performance(inp, runtime.context),
        "trace": ["performance"],
    }


def analyze_performance(inp: InputView, deps: Deps) -> dict[str, Any]:
    panel = build_panel(inp.doc)
    flight_days = inp.campaign.flight_days
    objective = inp.campaign.objective
    metrics: list[str] = [objective]
    if goal_metric(inp) != objective:
        metrics.append(goal_metric(inp))
    fits = {m: fit_response_curves(panel, m, flight_days, deps.fit) for m in metrics}
    main = fits[objective]
    return {
        "history_days": panel.n_days,
        "history_end": None if panel.start is None else panel.date_at(panel.n_days - 1).isoformat(),
        "kpi_days_outside_history": panel.kpi_days_outside,
        "metrics": {m: _fit_json(f, panel, m) for m, f in fits.items()},
        "channels": {c: _channel_facts(panel, c, main, objective) for c in panel.channels},
        "collinear": _collinear_pairs(panel),
    }


def _fit_json(fit: PerformanceFit, panel: Panel, metric: str) -> dict[str, Any]:
    return {
        "curves": {c: curve.to_json() for c, curve in fit.curves.items()},
        "marginal_at_run_rate": fit.marginal_mean,
        "kpi_used": fit.kpi_used,
        "r2": fit.r2,
        "holdout_mape": fit.holdout_mape,
        "holdout_r2": fit.holdout_r2,
        "ar1": fit.ar1,
        "notes": fit.notes,
        "roi_historical": {
            c: _historical_roi(panel.spend[:, panel.index(c)], fit, c) for c in fit.curves
        },
    }


def _historical_roi(spend: Array, fit: PerformanceFit, channel: str) -> float | None:
    total = float(spend.sum())
    if total <= 0:
        return None
    curve = fit.curves[channel]
    outcome = 0.0
    for decay in np.unique(curve.decay):
        rows = np.flatnonzero(curve.decay == decay)
        ad = geometric_adstock(spend, float(decay))
        ratio = np.power(ad[None, :] / curve.half_sat[rows, None], curve.shape[rows, None])
        outcome += float((curve.beta[rows, None] * ratio / (1 + ratio)).sum())
    return outcome / curve.n_samples / total


def _weekly(col: Array) -> Array:
    n = len(col) // 7
    out: Array = col[len(col) - 7 * n :].reshape(n, 7).sum(axis=1)
    return out


def _channel_facts(
    panel: Panel, channel: str, fit: PerformanceFit, objective: str
) -> dict[str, Any]:
    j = panel.index(channel)
    spend = panel.spend[:, j]
    active_days = panel.active_days(channel)
    recent = spend[-_RUN_RATE_DAYS:]
    sustained = np.convolve(spend, np.ones(7) / 7, mode="valid") if len(spend) >= 7 else spend
    weekly = _weekly(spend[len(spend) - active_days :]) if active_days >= 14 else np.array([])
    spend_cv = (
        float(weekly.std() / weekly.mean()) if weekly.size >= 2 and weekly.mean() > 0 else None
    )
    attributed = panel.reported.get(objective)
    reported = None
    if attributed is not None and np.isfinite(attributed[:, j]).any():
        seen = np.isfinite(attributed[:, j])
        spent = float(spend[seen].sum())
        reported = float(attributed[seen, j].sum()) / spent if spent > 0 else None
    flags: list[str] = []
    curve = fit.curves.get(channel)
    if curve is None:
        flags.append(f"only {active_days} days of history: planned from market priors")
    if spend_cv is not None and spend_cv < 0.15:
        flags.append(
            f"weekly spend varied only {spend_cv:.0%}: its response curve is not identifiable"
            " from the data and leans on priors"
        )
    if reported is None and curve is not None:
        flags.append(f"no platform-reported {objective}: calibrated from the KPI and priors only")
    facts: dict[str, Any] = {
        "history_days": active_days,
        "run_rate_daily": float(recent.mean()) if recent.size else 0.0,
        "observed_max_daily": float(sustained.max()) if sustained.size else 0.0,
        "spend_cv": spend_cv,
        "reported_roi": reported,
        "flags": flags,
    }
    if curve is not None:
        facts["half_life_days"] = float(np.mean([half_life_days(float(d)) for d in curve.decay]))
        facts["saturation_shape"] = float(np.mean(curve.shape))
    return facts


def _collinear_pairs(panel: Panel) -> list[list[Any]]:
    if panel.n_days < 28 or len(panel.channels) < 2:
        return []
    weekly = np.column_stack([_weekly(panel.spend[:, j]) for j in range(len(panel.channels))])
    keep = weekly.std(axis=0) > 0
    out: list[list[Any]] = []
    idx = np.flatnonzero(keep)
    if idx.size < 2:
        return out
    corr: Array = np.atleast_2d(np.corrcoef(weekly[:, idx].T))
    for a in range(len(idx)):
        for b in range(a + 1, len(idx)):
            if abs(corr[a, b]) > 0.9:
                out.append(
                    [panel.channels[idx[a]], panel.channels[idx[b]], round(float(corr[a, b]), 3)]
                )
    return out
