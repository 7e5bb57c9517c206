"""The report on the terminal: a few `rich` tables.

Contract: `print_summary(console, summary, public, gate)` prints the targets, the
planners side by side (`max_outcome` and target goals), the engine's uncertainty,
recovery, confidence and text figures, the public datasets (when given) and the gate
(when given). It only reads its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.gate import GateResult
from evals.report.markdown import fmt, pct

__all__ = ["print_summary"]

_LABELS = {
    "engine": "engine",
    "historical_mix": "hist. mix",
    "equal_split": "equal",
    "greedy_roas": "greedy ROAS",
}


def _targets(summary: Mapping[str, Any]) -> Table:
    t = Table(title="Targets (issue)", title_justify="left")
    t.add_column("Target")
    t.add_column("Measured", justify="right")
    t.add_column("Status")
    for row in summary.get("targets", []):
        t.add_row(
            row["target"],
            pct(row["value"]),
            "[green]met[/green]" if row["met"] else "[red]missed[/red]",
        )
    return t


def _planners(summary: Mapping[str, Any]) -> Table:
    t = Table(
        title=f"Planners: {summary['n_max_outcome']} max_outcome, {summary['n_target']} target "
        "scenarios",
        title_justify="left",
    )
    for col in (
        "Planner",
        "Median regret",
        "p90 regret",
        "Beats mix",
        "Uplift>0 (oracle>3%)",
        "Constraints",
        "Target met",
    ):
        t.add_column(col, justify="left" if col == "Planner" else "right")
    for name, c in summary["candidates"].items():
        m = c["max_outcome"]
        t.add_row(
            _LABELS.get(name, name),
            pct(m["regret_median"]),
            pct(m["regret_p90"]),
            pct(m["beats_mix_share"], 0),
            pct(m["uplift_positive_share"], 0),
            pct(c["constraint_satisfaction"], 0),
            pct(c["target"]["target_met_share"], 0),
        )
    return t


def _engine(summary: Mapping[str, Any]) -> Table:
    e = summary["engine"]
    t = Table(title="Engine", title_justify="left")
    t.add_column("Measure")
    t.add_column("Value", justify="right")
    rows = [
        ("80 % interval coverage", pct(e["interval"]["coverage"])),
        (
            "truth below p10 / above p90",
            f"{pct(e['interval']['below'])} / {pct(e['interval']['above'])}",
        ),
        ("ROI abs. log error at plan (median)", fmt(e["recovery"]["roi_error_median"])),
        ("historical ROI error: model / platform", (
            f"{fmt(e['recovery']['historical_roi_error_median'])} / "
            f"{fmt(e['recovery']['reported_roi_error_median'])}"
        )),
        ("marginal ROI abs. log error (median)", fmt(e["recovery"]["mroi_error_median"])),
        ("ranking Spearman ROI / mROI (median)", (
            f"{fmt(e['recovery']['rank_spearman_median'])} / "
            f"{fmt(e['recovery']['mroi_rank_spearman_median'])}"
        )),
        ("Spearman(confidence, -regret)", fmt(e["confidence"]["spearman_overall_vs_neg_regret"])),
        ("Brier of P(beats mix)", fmt(e["confidence"]["brier_overall"], 3)),
        ("texts fully faithful", pct(e["faithfulness"]["plans_all_faithful"])),
        ("runtime median / p90 (s)", (
            f"{fmt(e['runtime_s']['median'])} / {fmt(e['runtime_s']['p90'])}"
        )),
        ("engine errors", str(summary["engine_errors"])),
        ("suite wall time (s)", fmt(summary["wall_s"], 0)),
    ]  # fmt: skip
    for k, v in rows:
        t.add_row(k, v)
    return t


def _public(public: Mapping[str, Any]) -> list[Table]:
    out = []
    truth = public.get("truth", {})
    if truth:
        t = Table(title="PyMC-Marketing (known truth)", title_justify="left")
        for col in ("Dataset", "ROAS true→recovered", "Engine regret", "Hist. split regret"):
            t.add_column(col)
        for name, v in truth.items():
            roas = ", ".join(
                f"{c} {fmt(x['true_roas'], 0)}→{fmt(x['recovered_roas'], 0)}"
                for c, x in v["channels"].items()
            )
            t.add_row(name, roas, pct(v["regret"]), pct(v["historical_regret"]))
        out.append(t)
    stab = public.get("stability", {})
    if stab:
        t = Table(title="Robyn / Meridian (no truth)", title_justify="left")
        for col in ("Dataset", "R²", "Held-out MAPE", "Share std mean / max"):
            t.add_column(col)
        for name, v in stab.items():
            b = v["bootstrap"]
            t.add_row(
                name,
                fmt(v["r2"]),
                pct(v["holdout_mape"]),
                f"{pct(b.get('std_mean'))} / {pct(b.get('std_max'))}",
            )
        out.append(t)
    return out


def print_summary(
    console: Console,
    summary: Mapping[str, Any],
    public: Mapping[str, Any] | None = None,
    gate: GateResult | None = None,
) -> None:
    """Print the report's tables (see module doc)."""
    console.print(_targets(summary))
    console.print(_planners(summary))
    console.print(_engine(summary))
    if public is not None:
        for table in _public(public):
            console.print(table)
    if gate is not None:
        if gate.passed:
            console.print(f"[green]gate passed[/green] ({len(gate.checks)} checks)")
        else:
            console.print("[red]gate FAILED[/red]:\n" + gate.describe())
