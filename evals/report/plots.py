"""The report's plots, as SVG documents (see `evals.report.svg`).

Contract: each function returns a standalone SVG text, deterministic for its input.

- `regret_ecdf(report)`: the cumulative distribution of regret over `max_outcome`
  scenarios for the engine and every baseline (the share of scenarios with regret at or
  below x), x clipped to [min(0, lowest), `REGRET_AXIS_MAX`];
- `interval_positions(report)`: histogram of where the true outcome fell relative to the
  plan's 80 % interval, (truth - p10) / (p90 - p10): 0-1 is inside; a calibrated
  interval puts 10 % below 0 and 10 % above 1;
- `curves(title, curves, max_channels)`: per channel, the engine's flight response curve
  (mean and p10-p90 band) against the true curve, with the historical, planned and oracle
  spend marked (the channels whose planned spend is furthest from the oracle's first);
  `curves` is the `CaseResult.curves` / `PublicPlan.curves` mapping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from evals.report.svg import PALETTE, Chart, grid
from evals.runner import ENGINE, SuiteReport

__all__ = ["REGRET_AXIS_MAX", "curves", "interval_positions", "regret_ecdf"]

REGRET_AXIS_MAX = 0.25
_LABELS = {
    ENGINE: "engine",
    "historical_mix": "historical mix",
    "equal_split": "equal split",
    "greedy_roas": "greedy by reported ROAS",
}


def regret_ecdf(report: SuiteReport) -> str:
    cases = [c for c in report.cases if c.goal == "max_outcome"]
    names = report.candidates
    lowest = min(
        (c.score(n, "regret") for c in cases for n in names if n in c.candidates), default=0.0
    )
    chart = Chart(
        f"Regret against the oracle, {len(cases)} max_outcome scenarios",
        (min(0.0, lowest), REGRET_AXIS_MAX),
        (0.0, 1.0),
        x_label="regret (1 - true outcome / oracle outcome); right edge collects larger values",
        y_label="share of scenarios with regret <= x",
        width=640,
        height=380,
        x_percent=True,
        y_percent=True,
        legend_at="bottom-right",
    )
    for i, name in enumerate(names):
        values = sorted(
            v for c in cases if math.isfinite(v := c.score(name, "regret")) and name in c.candidates
        )
        if not values:
            continue
        n = len(values)
        xs = [values[0], *values, REGRET_AXIS_MAX]
        ys = [0.0, *((k + 1) / n for k in range(n)), 1.0]
        chart.line(
            xs,
            ys,
            PALETTE[i % len(PALETTE)],
            _LABELS.get(name, name),
            width=2.5 if name == ENGINE else 1.6,
            step=True,
        )
    return chart.svg()


def interval_positions(report: SuiteReport) -> str:
    values = [
        v
        for c in report.cases
        if ENGINE in c.candidates and math.isfinite(v := c.score(ENGINE, "interval_position"))
    ]
    edges = [-1.0 + 0.25 * k for k in range(13)]  # -1 .. 2
    clipped = [min(max(v, -0.999), 1.999) for v in values]
    counts, _ = np.histogram(clipped, bins=edges)
    share = [float(c) / max(len(values), 1) for c in counts]
    top = max([*share, 0.05]) * 1.15
    chart = Chart(
        f"Where the true outcome fell in the 80 % interval ({len(values)} plans)",
        (-1.0, 2.0),
        (0.0, top),
        x_label="(true outcome - p10) / (p90 - p10); 0-1 is inside; ends collect the tails",
        y_label="share of plans",
        width=640,
        height=340,
        y_percent=True,
    )
    chart.bars(edges, share, PALETTE[0])
    chart.vline(0.0, PALETTE[1], "p10")
    chart.vline(1.0, PALETTE[1], "p90", dash="")
    return chart.svg()


def curves(title: str, data: Mapping[str, Mapping[str, list[float]]], max_channels: int = 4) -> str:
    """One panel per channel: the `max_channels` whose planned spend is furthest from the
    oracle's (by planned spend when the oracle's is not given)."""

    def gap(c: str) -> float:
        planned = max([*data[c].get("planned", []), 0.0])
        oracle = data[c].get("oracle")
        return abs(planned - oracle[0]) if oracle else planned

    order = sorted(data, key=lambda c: -gap(c))
    charts: list[Chart] = []
    for channel in order[:max_channels]:
        d = data[channel]
        xs = d["spend"]
        if not xs:
            continue
        first = not charts

        def label(text: str, first: bool = first) -> str:
            return text if first else ""  # one legend, in the first panel

        top = max([*d["p90"], *d["true"], *d["mean"], 1e-9]) * 1.05
        chart = Chart(
            channel,
            (0.0, max(xs)),
            (0.0, top),
            x_label="flight spend",
            y_label="incremental outcome",
            width=420,
            height=290,
            legend_at="bottom-right",
        )
        chart.band(xs, d["p10"], d["p90"], PALETTE[0], label("engine p10-p90"))
        chart.line(xs, d["mean"], PALETTE[0], label("engine mean"))
        chart.line(xs, d["true"], "#24292f", label("true"), dash="6 3")
        marks = (
            ("historical", PALETTE[5], "historical spend", "4 3"),
            ("planned", PALETTE[1], "planned spend", ""),
            ("oracle", PALETTE[3], "oracle spend", "2 2"),
        )
        for key, color, text, dash in marks:
            x = d.get(key, [0.0])[0]
            if x > 0:
                chart.vline(x, color, dash=dash)
            if first:
                chart.legend_entry(text, color, dash)
        charts.append(chart)
    return grid(charts, columns=2, title=title)
