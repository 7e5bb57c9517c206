"""`report.md`: the suite summary as Markdown tables, with the plots linked.

Contract: `render_markdown(meta, summary, public, gate, plots)` returns the Markdown text
of a report; `meta` says how it was produced (command, date, machine, commit, wall time),
`summary` is `evals.metrics.summarize`, `public` is `evals.public.summarize_public` (or
None), `gate` an `evals.gate.GateResult` (or None) and `plots` maps a caption to an image
path relative to the Markdown file. Figures are formatted for reading (percentages with
one decimal, ROAS with two); missing figures print as "–". `COMMENTARY_START` /
`COMMENTARY_END` delimit a hand-written section that `merge_commentary` carries over
from an existing file when the report is regenerated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from evals.gate import GateResult

__all__ = ["COMMENTARY_END", "COMMENTARY_START", "merge_commentary", "render_markdown"]

COMMENTARY_START = "<!-- commentary:start -->"
COMMENTARY_END = "<!-- commentary:end -->"
_PLACEHOLDER = (
    "_No commentary yet: write it between the commentary markers; regenerating the report "
    "keeps it._"
)
_LABELS = {
    "engine": "**engine**",
    "historical_mix": "historical mix",
    "equal_split": "equal split",
    "greedy_roas": "greedy by reported ROAS",
}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


def pct(v: Any, digits: int = 1) -> str:
    x = _num(v)
    return "–" if x is None else f"{100 * x:.{digits}f} %"


def fmt(v: Any, digits: int = 2) -> str:
    x = _num(v)
    return "–" if x is None else f"{x:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(r) + " |" for r in rows)
    return [*out, ""]


def _get(d: Mapping[str, Any], path: str) -> Any:
    node: Any = d
    for key in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _targets(summary: Mapping[str, Any]) -> list[str]:
    rows = []
    for t in summary.get("targets", []):
        value = pct(t["value"]) if t["id"] != "constraint_satisfaction" else pct(t["value"], 0)
        rows.append([t["target"], value, "met" if t["met"] else "**missed**"])
    return _table(["Target (issue)", "Measured", "Status"], rows)


def _planners(summary: Mapping[str, Any]) -> list[str]:
    rows = []
    for name, c in summary["candidates"].items():
        m = c["max_outcome"]
        rows.append(
            [
                _LABELS.get(name, name),
                pct(m["regret_median"]),
                pct(m["regret_p90"]),
                pct(m["regret_mean"]),
                pct(m["beats_mix_share"], 0),
                pct(m["uplift_capture_median"], 0),
                pct(m["uplift_positive_share"], 0),
                fmt(m["share_distance_median"]),
                pct(c["constraint_satisfaction"], 0),
            ]
        )
    n = summary["n_max_outcome"]
    gainful = _get(summary, "candidates.engine.max_outcome.n_oracle_uplift_over_3pct")
    return [
        f"## Engine against the baselines (`max_outcome`, {n} scenarios)",
        "",
        *_table(
            [
                "Planner",
                "Median regret",
                "p90 regret",
                "Mean regret",
                "Beats the historical mix",
                f"Uplift captured, median ({gainful} scenarios with oracle uplift > 3 %)",
                "Uplift > 0 (same scenarios)",
                "Share distance to the oracle (TV)",
                "Constraints met (all goals)",
            ],
            rows,
        ),
    ]


def _target_goals(summary: Mapping[str, Any]) -> list[str]:
    n = summary["n_target"]
    if not n:
        return []
    rows = []
    for name, c in summary["candidates"].items():
        t = c["target"]
        rows.append(
            [
                _LABELS.get(name, name),
                pct(t["target_met_share"], 0),
                fmt(t["attainment_median"]),
                pct(t["regret_median"]),
                pct(t["regret_median_when_met"]),
                fmt(t["spend_vs_oracle_median"]),
            ]
        )
    return [
        f"## Target goals (`target_roas` / `target_cpa`, {n} scenarios)",
        "",
        "The oracle spends only as much as keeps the true ROAS (or CPA) on target, so a plan "
        "that spends everything can out-earn it (negative regret) while missing the target. "
        "What counts here is whether the target is met under the truth (attainment >= 0.99: "
        "true ROAS / target, or target CPA / true CPA), then regret among those plans.",
        "",
        *_goal_claims(summary),
        *_table(
            [
                "Planner",
                "Target met (truth)",
                "Median attainment",
                "Median regret",
                "Median regret when met",
                "Spend / oracle spend (median)",
            ],
            rows,
        ),
    ]


def _goal_claims(summary: Mapping[str, Any]) -> list[str]:
    g = _get(summary, "engine.goal_met_claims") or {}
    if not g.get("n"):
        return []
    return [
        f"The engine says `diagnostics.goal_met` = true in {pct(g['claimed_met'], 0)} of these "
        f"plans; the claim agrees with the truth in {pct(g['claim_correct'], 0)}, and "
        f"{g['claimed_met_but_missed']} plans claim the target while missing it.",
        "",
    ]


def _engine(summary: Mapping[str, Any]) -> list[str]:
    e = summary["engine"]
    i, r, c, f, rt = (
        e["interval"],
        e["recovery"],
        e["confidence"],
        e["faithfulness"],
        e["runtime_s"],
    )

    def pair(a: str, b: str, sep: str = " / ") -> str:
        return f"{a}{sep}{b}"

    rows = [
        ["80 % interval covers the true outcome", pct(i["coverage"]), "75-85 %"],
        ["... truth below p10 / above p90", pair(pct(i["below"]), pct(i["above"])), "10 % / 10 %"],
        ["Interval width / expected outcome (median)", pct(i["width_median"]), ""],
        [
            "Expected / true outcome - 1 (median; median of absolute)",
            pair(pct(i["outcome_error_median"]), pct(i["outcome_abs_error_median"]), "; "),
            "0",
        ],
        [
            "Channel intervals covering the channel's true outcome (mean)",
            pct(i["channel_coverage_mean"]),
            "80 %",
        ],
        [
            "ROI at the planned spend, median abs. log error",
            fmt(r["roi_error_median"]),
            "<= 0.2 (mmm.md §6.4)",
        ],
        [
            "Historical ROI (model), median abs. log error",
            fmt(r["historical_roi_error_median"]),
            "",
        ],
        [
            "... platform-reported ROI, same measure",
            fmt(r["reported_roi_error_median"]),
            "(what a planner without a model sees)",
        ],
        ["Marginal ROI at the run-rate, median abs. log error", fmt(r["mroi_error_median"]), ""],
        ["Channel ranking by ROI, Spearman (median)", fmt(r["rank_spearman_median"]), "1"],
        [
            "Channel ranking by marginal ROI, Spearman (median)",
            fmt(r["mroi_rank_spearman_median"]),
            "1",
        ],
        [
            "Spearman(confidence overall = P(within 2 % of optimum), -regret)",
            fmt(c["spearman_overall_vs_neg_regret"]),
            "> 0",
        ],
        [
            "Brier of P(within 2 % of optimum); mean stated vs realized",
            f"{fmt(c['brier_near_optimal'], 3)}; "
            + pair(pct(c["mean_near_optimal"]), pct(c["near_optimal_rate"]), " vs "),
            "< 0.25; equal",
        ],
        [
            "Spearman(model_fit, -regret) / (data_quality, -regret)",
            pair(
                fmt(c["spearman_model_fit_vs_neg_regret"]),
                fmt(c["spearman_data_quality_vs_neg_regret"]),
            ),
            "> 0",
        ],
        [
            "Brier score of P(plan beats the historical mix)",
            fmt(c["brier_overall"], 3),
            "< 0.25 (a coin)",
        ],
        [
            "Mean stated P(beats mix) vs realized rate",
            pair(pct(c["mean_overall"]), pct(c["beat_rate"]), " vs "),
            "equal",
        ],
        ["Plans whose texts are fully faithful", pct(f["plans_all_faithful"]), "100 %"],
        [
            "Numbers in texts matching plan figures",
            f"{pct(f['numbers_faithful'])} of {f['numbers']:,}",
            "100 %",
        ],
        [
            "Plan runtime median / p90 / max",
            f"{fmt(rt['median'])} / {fmt(rt['p90'])} / {fmt(rt['max'])} s",
            "",
        ],
        [
            "Model R² / held-out MAPE (median)",
            pair(fmt(e["model_r2_median"]), pct(e["holdout_mape_median"])),
            "",
        ],
    ]
    if summary.get("llm_model"):
        rows.append(["LLM narrative used (not rejected)", pct(e["llm_used_share"]), ""])
    reliability = [
        [b["bin"], str(b["n"]), pct(b["mean_confidence"]), pct(b["beat_rate"])]
        for b in c["reliability"]
    ]
    notes = [
        f"Faithfulness leaves out {f['market_notes_excluded']} market notes: they cite "
        "benchmark figures (prior ROAS or CPA, source year, seasonal factor, log-sd) that are "
        "neither plan figures nor in their `evidence`. "
        f"{f['relaxed_small_integers']} small integers were accepted as rounded plan figures "
        "(for example 'about 8 conversions' for 7.6).",
    ]
    if f["examples"]:
        notes.append("Unfaithful numbers: " + "; ".join(f["examples"]))
    return [
        f"## Engine: uncertainty, recovery, confidence, texts ({e['n']} plans)",
        "",
        *_table(["Measure", "Measured", "Ideal"], rows),
        "Reliability of `confidence_scores.overall` (stated probability that the plan beats "
        "the historical mix):",
        "",
        *_table(["Stated", "Plans", "Mean stated", "Realized"], reliability),
        *notes,
        "",
    ]


def _by_tag(summary: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            f"`{tag}`",
            str(v["n"]),
            pct(v["engine_regret_median"]),
            pct(v["engine_regret_p90"]),
            pct(v["mix_regret_median"]),
            pct(v["engine_beats_mix_share"], 0),
            pct(v["interval_coverage"], 0),
        ]
        for tag, v in summary["by_tag"].items()
    ]
    return [
        "## By dimension (`max_outcome` scenarios)",
        "",
        *_table(
            [
                "Level",
                "N",
                "Engine median regret",
                "Engine p90",
                "Mix median regret",
                "Engine beats mix",
                "Interval coverage",
            ],
            rows,
        ),
    ]


def _worst(summary: Mapping[str, Any]) -> list[str]:
    rows = [
        [
            w["id"],
            str(w["seed"]),
            pct(w["engine_regret"]),
            pct(w["mix_regret"]),
            pct(w["oracle_uplift"]),
            " ".join(t for t in w["tags"] if not t.startswith("goal:")),
        ]
        for w in summary["worst"]
    ]
    return [
        "## Highest engine regret (`max_outcome`)",
        "",
        *_table(
            ["Scenario", "Seed", "Engine regret", "Mix regret", "Oracle uplift", "Levels"], rows
        ),
    ]


def _public(public: Mapping[str, Any]) -> list[str]:
    out = [
        "## Public datasets",
        "",
        "Weekly data spread evenly over days; no platform-reported outcomes; a 12-week flight "
        "with the mean weekly budget of the history; every channel unbounded, `max_outcome`.",
        "",
    ]
    truth = public.get("truth", {})
    if truth:
        rows = []
        for name, t in truth.items():
            for c, v in t["channels"].items():
                rows.append(
                    [
                        name,
                        c,
                        fmt(v["true_roas"], 1),
                        fmt(v["recovered_roas"], 1),
                        fmt(v["log_error"]),
                        pct(v["engine_share"], 0),
                        pct(v["oracle_share"], 0),
                        pct(v["historical_share"], 0),
                    ]
                )
        plan_rows = [
            [
                name,
                pct(t["regret"]),
                pct(t["historical_regret"]),
                fmt(t["roas_log_error_median"]),
                fmt(t["r2"]),
                pct(t["holdout_mape"]),
                fmt(t["spend_scale"], 1),
            ]
            for name, t in truth.items()
        ]
        out += [
            "### PyMC-Marketing (known truth)",
            "",
            "ROAS in the file's units (KPI per unit of the file's spend) over the history; "
            "recovered = the engine's modelled historical ROI times the money scale.",
            "",
            *_table(
                [
                    "Dataset",
                    "Channel",
                    "True ROAS",
                    "Recovered",
                    "abs. log error",
                    "Engine share",
                    "Oracle share",
                    "Historical share",
                ],
                rows,
            ),
            *_table(
                [
                    "Dataset",
                    "Engine regret",
                    "Historical split regret",
                    "Median ROAS abs. log error",
                    "R²",
                    "Held-out MAPE",
                    "Money scale",
                ],
                plan_rows,
            ),
        ]
    stab = public.get("stability", {})
    if stab:
        rows = []
        for name, s in stab.items():
            boot = s["bootstrap"]
            per = ", ".join(
                f"{c} {100 * v['mean']:.0f}±{100 * v['std']:.0f}"
                for c, v in boot["channels"].items()
            )
            rows.append(
                [
                    name,
                    fmt(s["r2"]),
                    pct(s["holdout_mape"]),
                    fmt(s["holdout_r2"]),
                    f"{100 * boot['std_mean']:.1f} / {100 * boot['std_max']:.1f} pp"
                    if _num(boot.get("std_mean")) is not None
                    else "–",
                    per,
                ]
            )
        out += [
            "### Robyn and Meridian (no truth): fit and plan stability",
            "",
            f"Stability: {public.get('resamples')} seasonal block-bootstrap resamples of the "
            "weeks (13-week blocks taken from the same weeks of another year), each planned "
            "afresh; the spread is the standard deviation of each channel's budget share.",
            "",
            *_table(
                [
                    "Dataset",
                    "R²",
                    "Held-out MAPE",
                    "Held-out R²",
                    "Share std, mean / max",
                    "Share % mean±std per channel",
                ],
                rows,
            ),
        ]
    if public.get("errors"):
        out += ["Errors: " + "; ".join(public["errors"]), ""]
    return out


def _gate(gate: GateResult) -> list[str]:
    rows = [
        [
            c.threshold.metric,
            f"{c.threshold.op} {c.threshold.value:g}",
            fmt(c.measured, 4),
            "pass" if c.ok else "**FAIL**",
            c.threshold.source,
        ]
        for c in gate.checks
    ]
    return [
        f"## CI gate ({'passed' if gate.passed else 'FAILED'})",
        "",
        *_table(["Metric", "Threshold", "Measured", "Result", "Source"], rows),
    ]


def render_markdown(
    meta: Mapping[str, Any],
    summary: Mapping[str, Any],
    public: Mapping[str, Any] | None,
    gate: GateResult | None,
    plots: Mapping[str, str],
) -> str:
    """The Markdown report (see module doc)."""
    llm = summary.get("llm_model") or "none (deterministic texts)"
    lines = [
        f"# mediaplan evals: `{summary['suite']}` suite",
        "",
        f"- Command: `{meta.get('command', '')}`",
        f"- Date: {meta.get('date', '')}",
        f"- Machine: {meta.get('machine', '')}",
        f"- Commit: {meta.get('commit') or 'unknown'}",
        f"- Scenarios: {summary['n']} ({summary['n_max_outcome']} `max_outcome`, "
        f"{summary['n_target']} target goals); engine errors: {summary['engine_errors']}",
        f"- Wall time: {fmt(meta.get('wall_s'), 0)} s in total, suite "
        f"{fmt(summary['wall_s'], 0)} s ({summary['processes']} processes); LLM: {llm}",
        "",
        COMMENTARY_START,
        _PLACEHOLDER,
        COMMENTARY_END,
        "",
        "## Targets",
        "",
        *_targets(summary),
        *_planners(summary),
        *_target_goals(summary),
        *_engine(summary),
        *_by_tag(summary),
        *_worst(summary),
    ]
    if summary.get("errors"):
        lines += ["Engine errors: " + "; ".join(summary["errors"]), ""]
    if public is not None:
        lines += _public(public)
    if gate is not None:
        lines += _gate(gate)
    if plots:
        lines += ["## Plots", ""]
        for caption, path in plots.items():
            lines += [f"### {caption}", "", f"![{caption}]({path})", ""]
    return "\n".join(lines).rstrip() + "\n"


_BLOCK = re.compile(re.escape(COMMENTARY_START) + r".*?" + re.escape(COMMENTARY_END), re.S)


def merge_commentary(new: str, old: str | None) -> str:
    """`new` with the commentary block of `old` (when `old` has one) in place of its own."""
    if not old:
        return new
    found = _BLOCK.search(old)
    if found is None:
        return new
    return _BLOCK.sub(lambda _: found.group(0), new, count=1)
