"""Suite-level metrics: aggregate the per-case scores and compare them with the targets.

Contract: `summarize(report)` returns a JSON-ready dict (NaN written as None):

- `candidates[name]`: per planner (engine and baselines) `constraint_satisfaction` (share
  of cases whose plan met every hard check; an engine error counts as a failure);
  `max_outcome`: regret median / 90th percentile / mean, the share of cases where the
  plan beats the historical mix, the median uplift capture and the share with positive
  uplift over the mix among cases where the oracle gains more than `UPLIFT_MIN` (3 %),
  the median share distance to the oracle; `target` (target_roas / target_cpa cases,
  reported apart because a plan that ignores the target can out-earn the oracle): the
  share meeting the target under the truth, regret median (all, and among plans meeting
  the target), median attainment, median spend over the oracle's spend.
- `engine`: interval coverage (share of cases whose true outcome lies in the plan's
  p10-p90 interval, and the shares below and above it), median relative interval width
  and outcome error, channel-level coverage, ROI / marginal-ROI / historical-ROI
  recovery errors (median |log ratio|) beside the platforms' own error, channel-ranking
  Spearman, whether the plan's `goal_met` claim under target goals matches the truth,
  confidence validity (Spearman of each confidence score with -regret over
  `max_outcome` cases, Brier score and reliability bins of `overall` as the probability
  of beating the historical mix), text faithfulness, runtime, and how often the LLM
  narrative was used.
- `targets`: the issue's targets for the engine, each with its measured value and
  whether it is met; `by_tag`: engine and historical-mix regret per level of every suite
  dimension (`max_outcome` cases); `worst`: the ten `max_outcome` cases with the highest
  engine regret.

Percentiles use numpy's linear interpolation. `gate_metrics(summary)` flattens the
figures the CI gate checks (see `evals.gate`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from evals.runner import ENGINE, CaseResult, SuiteReport
from evals.scoring import spearman

__all__ = ["TARGETS", "UPLIFT_MIN", "gate_metrics", "percentile", "summarize"]

UPLIFT_MIN = 0.03

#: (id, description, summary path, comparison, threshold or (low, high))
TARGETS: tuple[tuple[str, str, str, str, float | tuple[float, float]], ...] = (
    (
        "median_regret",
        "median regret (max_outcome) <= 2 %",
        "candidates.engine.max_outcome.regret_median",
        "<=",
        0.02,
    ),
    (
        "p90_regret",
        "90th percentile regret (max_outcome) <= 5 %",
        "candidates.engine.max_outcome.regret_p90",
        "<=",
        0.05,
    ),
    (
        "interval_coverage",
        "80 % intervals cover the truth in 75-85 % of scenarios",
        "engine.interval.coverage",
        "in",
        (0.75, 0.85),
    ),
    (
        "uplift_positive",
        "uplift over the historical mix > 0 in >= 90 % of scenarios where the oracle's > 3 %",
        "candidates.engine.max_outcome.uplift_positive_share",
        ">=",
        0.90,
    ),
    (
        "constraint_satisfaction",
        "constraint satisfaction 100 %",
        "candidates.engine.constraint_satisfaction",
        ">=",
        1.0,
    ),
)


def _finite(values: Iterable[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def percentile(values: Iterable[float | None], q: float) -> float:
    """The q-th percentile of the finite values (NaN when there are none)."""
    xs = _finite(values)
    return float(np.percentile(xs, q)) if xs else math.nan


def _median(values: Iterable[float | None]) -> float:
    return percentile(values, 50.0)


def _mean(values: Iterable[float | None]) -> float:
    xs = _finite(values)
    return float(np.mean(xs)) if xs else math.nan


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else math.nan


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _max_outcome(cases: list[CaseResult], name: str) -> dict[str, Any]:
    rows = [c for c in cases if name in c.candidates]
    regret = [c.score(name, "regret") for c in rows]
    gainful = [c for c in rows if c.oracle_uplift > UPLIFT_MIN]
    return {
        "n": len(rows),
        "regret_median": _median(regret),
        "regret_p90": percentile(regret, 90.0),
        "regret_mean": _mean(regret),
        "beats_mix_share": _share([c.score(name, "beats_mix") > 0.5 for c in rows]),
        "uplift_capture_median": _median(c.score(name, "uplift_capture") for c in gainful),
        "uplift_positive_share": _share([c.score(name, "uplift_capture") > 0 for c in gainful]),
        "n_oracle_uplift_over_3pct": len(gainful),
        "share_distance_median": _median(c.score(name, "share_distance") for c in rows),
    }


def _target(cases: list[CaseResult], name: str) -> dict[str, Any]:
    rows = [c for c in cases if name in c.candidates]
    met = [c for c in rows if c.candidates[name].passed.get("target_attainment", False)]
    return {
        "n": len(rows),
        "target_met_share": len(met) / len(rows) if rows else math.nan,
        "regret_median": _median(c.score(name, "regret") for c in rows),
        "regret_median_when_met": _median(c.score(name, "regret") for c in met),
        "attainment_median": _median(c.score(name, "target_attainment") for c in rows),
        "spend_vs_oracle_median": _median(
            c.candidates[name].total_spend / c.oracle_spend for c in rows if c.oracle_spend > 0
        ),
    }


def _candidate(cases: list[CaseResult], name: str) -> dict[str, Any]:
    ok = [
        name in c.candidates and c.candidates[name].passed.get("constraints", False) for c in cases
    ]
    return {
        "constraint_satisfaction": _share(ok),
        "max_outcome": _max_outcome([c for c in cases if c.goal == "max_outcome"], name),
        "target": _target([c for c in cases if c.goal != "max_outcome"], name),
    }


def _reliability(conf: list[float], hit: list[bool]) -> list[dict[str, Any]]:
    edges = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]
    bins = []
    for lo, hi in itertools.pairwise(edges):
        idx = [i for i, p in enumerate(conf) if lo <= p < hi]
        bins.append(
            {
                "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "n": len(idx),
                "mean_confidence": _mean(conf[i] for i in idx),
                "beat_rate": _share([hit[i] for i in idx]),
            }
        )
    return bins


def _engine(cases: list[CaseResult]) -> dict[str, Any]:
    planned = [c for c in cases if ENGINE in c.candidates and c.engine is not None]
    e = [c.candidates[ENGINE] for c in planned]
    facts = [c.engine for c in planned if c.engine is not None]
    position = _finite(x.score("interval_position") for x in e)
    widths = [
        (f.outcome_interval[1] - f.outcome_interval[0]) / f.expected_outcome
        for f in facts
        if f.expected_outcome > 0
    ]
    mo = [c for c in planned if c.goal == "max_outcome"]
    neg_regret = [-c.score(ENGINE, "regret") for c in mo]
    confidence: dict[str, Any] = {}
    for key in ("overall", "data_quality", "model_fit"):
        values = [float(getattr(c.engine, f"confidence_{key}")) for c in mo if c.engine]
        confidence[f"spearman_{key}_vs_neg_regret"] = spearman(values, neg_regret)
    # `overall` is P(plan within 2 % of the optimum); `beats_historical_mix` is P(beats mix).
    near = [float(c.engine.confidence_overall) for c in mo if c.engine is not None]
    near_hit = [c.score(ENGINE, "regret") <= 0.02 for c in mo if c.engine is not None]
    confidence["brier_near_optimal"] = (
        float(np.mean([(p - float(h)) ** 2 for p, h in zip(near, near_hit, strict=True)]))
        if near
        else math.nan
    )
    confidence["mean_near_optimal"] = _mean(near)
    confidence["near_optimal_rate"] = _share(near_hit)
    confidence["reliability_near_optimal"] = _reliability(near, near_hit)
    conf = [c.engine.confidence_beats_mix for c in planned if c.engine is not None]
    hit = [c.score(ENGINE, "beats_mix") > 0.5 for c in planned]
    confidence["brier_overall"] = (
        float(np.mean([(p - float(h)) ** 2 for p, h in zip(conf, hit, strict=True)]))
        if conf
        else math.nan
    )
    confidence["mean_overall"] = _mean(conf)
    confidence["beat_rate"] = _share(hit)
    confidence["reliability"] = _reliability(conf, hit)
    numbers = sum(f.text_numbers for f in facts)
    unfaithful = sum(f.text_unfaithful for f in facts)
    runtimes = [x.score("runtime_s") for x in e]
    targets = [c for c in planned if c.goal != "max_outcome" and c.engine is not None]
    claims = [bool(c.engine.goal_met) for c in targets if c.engine is not None]
    truly = [c.candidates[ENGINE].passed.get("target_attainment", False) for c in targets]
    return {
        "n": len(planned),
        "interval": {
            "coverage": _share([v > 0.5 for v in _finite(x.score("interval_coverage") for x in e)]),
            "below": _share([p < 0.0 for p in position]),
            "above": _share([p > 1.0 for p in position]),
            "width_median": _median(widths),
            "outcome_error_median": _median(x.score("outcome_error") for x in e),
            "outcome_abs_error_median": _median(abs(x.score("outcome_error")) for x in e),
            "channel_coverage_mean": _mean(x.score("channel_coverage") for x in e),
        },
        "recovery": {
            "roi_error_median": _median(x.score("roi_error") for x in e),
            "historical_roi_error_median": _median(x.score("historical_roi_error") for x in e),
            "reported_roi_error_median": _median(x.score("reported_roi_error") for x in e),
            "mroi_error_median": _median(x.score("mroi_error") for x in e),
            "rank_spearman_median": _median(x.score("rank_spearman") for x in e),
            "mroi_rank_spearman_median": _median(x.score("mroi_rank_spearman") for x in e),
        },
        "confidence": confidence,
        "faithfulness": {
            "plans_all_faithful": _share([x.passed.get("faithfulness", False) for x in e]),
            "numbers": numbers,
            "unfaithful": unfaithful,
            "numbers_faithful": 1.0 - unfaithful / numbers if numbers else math.nan,
            "relaxed_small_integers": sum(f.relaxed_small_integers for f in facts),
            "market_notes_excluded": sum(f.market_notes_excluded for f in facts),
            "examples": [
                f"{c.id}: {x.details['faithfulness']}"
                for c, x in zip(planned, e, strict=True)
                if x.details.get("faithfulness")
            ][:10],
        },
        "runtime_s": {
            "median": _median(runtimes),
            "p90": percentile(runtimes, 90.0),
            "max": max(_finite(runtimes), default=math.nan),
        },
        "goal_met_claims": {
            "n": len(targets),
            "claimed_met": _share(claims),
            "claim_correct": _share([a == b for a, b in zip(claims, truly, strict=True)]),
            "claimed_met_but_missed": sum(a and not b for a, b in zip(claims, truly, strict=True)),
        },
        "llm_used_share": _share([f.mode == "llm" for f in facts]),
        "model_r2_median": _median(f.r2 for f in facts),
        "holdout_mape_median": _median(f.holdout_mape for f in facts),
    }


def _by_tag(cases: list[CaseResult]) -> dict[str, Any]:
    mo = [c for c in cases if c.goal == "max_outcome"]
    tags = sorted({t for c in mo for t in c.tags})
    out: dict[str, Any] = {}
    for tag in tags:
        rows = [c for c in mo if tag in c.tags]
        out[tag] = {
            "n": len(rows),
            "engine_regret_median": _median(c.score(ENGINE, "regret") for c in rows),
            "engine_regret_p90": percentile((c.score(ENGINE, "regret") for c in rows), 90.0),
            "mix_regret_median": _median(c.score("historical_mix", "regret") for c in rows),
            "engine_beats_mix_share": _share([c.score(ENGINE, "beats_mix") > 0.5 for c in rows]),
            "interval_coverage": _share(
                [c.score(ENGINE, "interval_coverage") > 0.5 for c in rows if ENGINE in c.candidates]
            ),
        }
    return out


def _worst(cases: list[CaseResult], n: int = 10) -> list[dict[str, Any]]:
    mo = [c for c in cases if c.goal == "max_outcome" and ENGINE in c.candidates]
    mo.sort(key=lambda c: -c.score(ENGINE, "regret"))
    return [
        {
            "id": c.id,
            "seed": c.seed,
            "engine_regret": c.score(ENGINE, "regret"),
            "mix_regret": c.score("historical_mix", "regret"),
            "oracle_uplift": c.oracle_uplift,
            "tags": list(c.tags),
        }
        for c in mo[:n]
    ]


def _lookup(summary: dict[str, Any], path: str) -> float:
    node: Any = summary
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return math.nan
        node = node[key]
    return float(node) if isinstance(node, int | float) else math.nan


def _targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for tid, text, path, op, threshold in TARGETS:
        value = _lookup(summary, path)
        if isinstance(threshold, tuple):
            met = threshold[0] <= value <= threshold[1]
        elif op == "<=":
            met = value <= threshold
        else:
            met = value >= threshold
        out.append(
            {
                "id": tid,
                "target": text,
                "value": value,
                "threshold": list(threshold) if isinstance(threshold, tuple) else threshold,
                "met": bool(met) and math.isfinite(value),
            }
        )
    return out


def summarize(report: SuiteReport) -> dict[str, Any]:
    """Aggregate a suite's results (see module doc)."""
    cases = report.cases
    summary: dict[str, Any] = {
        "suite": report.suite,
        "n": len(cases),
        "n_max_outcome": sum(c.goal == "max_outcome" for c in cases),
        "n_target": sum(c.goal != "max_outcome" for c in cases),
        "engine_errors": sum(c.error is not None for c in cases),
        "errors": [f"{c.id}: {c.error}" for c in cases if c.error is not None],
        "wall_s": report.wall_s,
        "processes": report.processes,
        "llm_model": report.llm_model,
        "started_at": report.started_at,
        "candidates": {name: _candidate(cases, name) for name in report.candidates},
        "engine": _engine(cases),
    }
    summary["targets"] = _targets(summary)
    summary["by_tag"] = _by_tag(cases)
    summary["worst"] = _worst(cases)
    cleaned: dict[str, Any] = _clean(summary)
    return cleaned


def gate_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """The figures the CI gate checks, flat (NaN when missing)."""
    paths = {
        "constraint_satisfaction": "candidates.engine.constraint_satisfaction",
        "engine_errors": "engine_errors",
        "median_regret": "candidates.engine.max_outcome.regret_median",
        "p90_regret": "candidates.engine.max_outcome.regret_p90",
        "beats_mix_share": "candidates.engine.max_outcome.beats_mix_share",
        "target_met_share": "candidates.engine.target.target_met_share",
        "interval_coverage": "engine.interval.coverage",
        "faithful_plans": "engine.faithfulness.plans_all_faithful",
        "wall_s": "wall_s",
    }
    return {name: _lookup(summary, path) for name, path in paths.items()}
