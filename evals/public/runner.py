"""Plan the public datasets and score what can be scored on each.

Contract: `run_public(root, processes=2, resamples=10, datasets=DATASETS)` plans each
dataset (of `evals.public.datasets.DATASETS`) once as published (daily document, 12-week
flight, the historical mean weekly budget) and, for the datasets without truth (Robyn, Meridian),
`resamples` more times on seasonal block-bootstrap resamples of their weeks
(`evals.public.stability`, seeded by `BOOTSTRAP_SEED`, dataset and resample index). It
returns a `PublicReport` of `PublicPlan`s; `summarize_public(report)` gives:

- `truth` (PyMC-Marketing): per channel the true and recovered historical ROAS (the
  engine's `diagnostics` ROI, in the file's units: KPI per file spend unit) with their
  |log ratio|, the regret of the engine's plan and of the historical mean split under the
  true curves (`evals.public.truth`), the three allocations' shares and the fit;
- `stability` (Robyn, Meridian): fit quality of the published data (R², held-out MAPE and
  R² from the plan's diagnostics), the planned shares, and across the resamples each
  channel's share mean and standard deviation, the mean and maximum standard deviation,
  and the coefficient of variation of each channel's modelled historical ROI.

A dataset that fails to load or plan is reported with its error, never raised.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evals.public.datasets import DATASETS, load, resample, to_document
from evals.public.stability import seasonal_block_bootstrap, share_stability
from evals.public.truth import load_truth, score_plan

__all__ = [
    "BOOTSTRAP_SEED",
    "FLIGHT_WEEKS",
    "TRUTH_DATASETS",
    "PublicPlan",
    "PublicReport",
    "plan_json",
    "run_public",
    "summarize_public",
]

BOOTSTRAP_SEED = 7
FLIGHT_WEEKS = 12
TRUTH_DATASETS = ("pymc_mmm_example", "pymc_mmm_roas_data")


@dataclass(frozen=True)
class PublicPlan:
    """One plan of one dataset: as published (`resample` None) or a bootstrap resample."""

    dataset: str
    resample: int | None
    spend: dict[str, float] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    roi_historical: dict[str, float | None] = field(default_factory=dict)
    r2: float | None = None
    holdout_mape: float | None = None
    holdout_r2: float | None = None
    runtime_s: float = 0.0
    truth: dict[str, Any] | None = None
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict, repr=False)
    error: str | None = None


@dataclass(frozen=True)
class PublicReport:
    plans: list[PublicPlan]
    wall_s: float
    resamples: int
    root: str


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and math.isfinite(x) else None


def _plan_dataset(job: tuple[str, int | None, str]) -> PublicPlan:
    from agents import plan as engine_plan

    name, index, root = job
    try:
        data = load(name, Path(root))
        if index is not None:
            rng = np.random.default_rng([BOOTSTRAP_SEED, DATASETS.index(name), index])
            data = resample(data, seasonal_block_bootstrap(data.n_weeks, rng))
        started = time.perf_counter()
        plan = engine_plan(to_document(data, flight_weeks=FLIGHT_WEEKS))
        runtime = time.perf_counter() - started
    except Exception as exc:  # reported, never raised
        return PublicPlan(name, index, error=f"{type(exc).__name__}: {exc}")
    spend = {a.channel: float(a.spend) for a in plan.allocations}
    total = sum(spend.values())
    model = plan.diagnostics.get("model", {})
    channels = plan.diagnostics.get("channels", {})
    truth_json: dict[str, Any] | None = None
    curves: dict[str, dict[str, list[float]]] = {}
    if index is None and name in TRUTH_DATASETS:
        truth = load_truth(name, Path(root))
        scored = score_plan(data, truth, spend, FLIGHT_WEEKS)
        truth_json = {
            "spend_scale": data.spend_scale,
            "budget": scored.budget,
            "oracle": scored.oracle,
            "oracle_outcome": scored.oracle_outcome,
            "plan_outcome": scored.plan_outcome,
            "historical": scored.historical,
            "historical_outcome": scored.historical_outcome,
            "regret": scored.regret,
            "historical_regret": scored.historical_regret,
            "true_roas": truth.true_roas,
        }
        for c, pts in plan.response_curves.items():
            x = np.asarray(pts.spend, dtype=float)
            true = truth.outcome(c, x / data.spend_scale, FLIGHT_WEEKS)
            curves[c] = {
                "spend": pts.spend,
                "mean": pts.mean,
                "p10": pts.p10,
                "p90": pts.p90,
                "true": [float(v) for v in true],
                "planned": [spend.get(c, 0.0)],
                "historical": [scored.historical.get(c, 0.0)],
                "oracle": [scored.oracle.get(c, 0.0)],
            }
    return PublicPlan(
        dataset=name,
        resample=index,
        spend=spend,
        shares={c: x / total if total > 0 else 0.0 for c, x in spend.items()},
        roi_historical={c: _num(v.get("roi_historical")) for c, v in channels.items()},
        r2=_num(model.get("r2")),
        holdout_mape=_num(model.get("holdout_mape")),
        holdout_r2=_num(model.get("holdout_r2")),
        runtime_s=runtime,
        truth=truth_json,
        curves=curves,
    )


def run_public(
    root: Path | None = None,
    *,
    processes: int = 2,
    resamples: int = 10,
    datasets: Sequence[str] = DATASETS,
) -> PublicReport:
    """Plan the public datasets (default: all) and their resamples (see module doc)."""
    from evals.public.datasets import default_root
    from evals.runner import single_threaded

    base = str(default_root() if root is None else root)
    jobs: list[tuple[str, int | None, str]] = []
    for name in datasets:
        if name not in DATASETS:
            raise ValueError(f"unknown dataset {name!r}; choose from {DATASETS}")
        jobs.append((name, None, base))
        if name not in TRUTH_DATASETS:
            jobs.extend((name, i, base) for i in range(resamples))
    t0 = time.perf_counter()
    if processes <= 1:
        plans = [_plan_dataset(j) for j in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")
        with single_threaded(), ctx.Pool(processes) as pool:
            plans = pool.map(_plan_dataset, jobs, chunksize=1)
    return PublicReport(plans, time.perf_counter() - t0, resamples, base)


def _log_error(estimate: float | None, truth: float) -> float | None:
    if estimate is None or estimate <= 0 or truth <= 0:
        return None
    return abs(math.log(estimate / truth))


def _truth_summary(p: PublicPlan) -> dict[str, Any]:
    assert p.truth is not None
    t = p.truth
    scale = float(t["spend_scale"])
    channels: dict[str, Any] = {}
    for c, true in t["true_roas"].items():
        model = p.roi_historical.get(c)
        recovered = None if model is None else model * scale
        channels[c] = {
            "true_roas": true,
            "recovered_roas": recovered,
            "log_error": _log_error(recovered, float(true)),
            "engine_share": p.shares.get(c, 0.0),
            "oracle_share": t["oracle"][c] / t["budget"] if t["budget"] > 0 else None,
            "historical_share": t["historical"][c] / t["budget"] if t["budget"] > 0 else None,
        }
    errors = [v["log_error"] for v in channels.values() if v["log_error"] is not None]
    return {
        "channels": channels,
        "roas_log_error_median": float(np.median(errors)) if errors else None,
        "regret": t["regret"],
        "historical_regret": t["historical_regret"],
        "spend_scale": scale,
        "r2": p.r2,
        "holdout_mape": p.holdout_mape,
        "holdout_r2": p.holdout_r2,
        "runtime_s": p.runtime_s,
    }


def _stability_summary(original: PublicPlan, boots: list[PublicPlan]) -> dict[str, Any]:
    ok = [b for b in boots if b.error is None]
    stab = share_stability([b.shares for b in ok])
    cov: dict[str, float | None] = {}
    for c in original.shares:
        values = [v for b in ok if (v := b.roi_historical.get(c)) is not None]
        mean = float(np.mean(values)) if values else 0.0
        cov[c] = float(np.std(values, ddof=1)) / mean if len(values) > 1 and mean > 0 else None
    return {
        "r2": original.r2,
        "holdout_mape": original.holdout_mape,
        "holdout_r2": original.holdout_r2,
        "shares": original.shares,
        "roi_historical": original.roi_historical,
        "bootstrap": stab,
        "roi_cov": cov,
        "resample_errors": [f"resample {b.resample}: {b.error}" for b in boots if b.error],
        "runtime_s": original.runtime_s,
    }


def summarize_public(report: PublicReport) -> dict[str, Any]:
    """Aggregate the public-dataset plans (see module doc)."""
    out: dict[str, Any] = {
        "wall_s": report.wall_s,
        "resamples": report.resamples,
        "truth": {},
        "stability": {},
        "errors": [],
    }
    for name in DATASETS:
        plans = [p for p in report.plans if p.dataset == name]
        original = next((p for p in plans if p.resample is None), None)
        if original is None:
            continue
        if original.error is not None:
            out["errors"].append(f"{name}: {original.error}")
            continue
        if name in TRUTH_DATASETS:
            out["truth"][name] = _truth_summary(original)
        else:
            boots = [p for p in plans if p.resample is not None]
            out["stability"][name] = _stability_summary(original, boots)
    return out


def plan_json(p: PublicPlan) -> dict[str, Any]:
    """A plan as plain JSON data, without its curves."""
    d = asdict(p)
    d.pop("curves")
    return d
