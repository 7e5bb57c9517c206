"""The bundled example world, "Northwind": `python -m evals.simulator.examples --out PATH`.

Contract: writes a `PlanningInput` document (`PATH`, history rows one per line, figures
rounded to cents) and, beside it, `<stem>.truth.json`: the spec and seed, the true
parameters of every channel, the oracle plan, the historical-mix and equal-split plans
with their true outcomes and regret, and a few points of every true flight curve.
Deterministic: the same command always writes the same bytes.

Northwind is a US retailer on seven Google Ads and Meta channels with two years of daily
history ending 2026-12-31 and a KPI series, planning Q1 2027 (90 days) with a budget 10 %
above its run-rate, a minimum on Instagram Reels and a cap on YouTube.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from evals.oracle import (
    equal_split_allocation,
    historical_mix_allocation,
    oracle_plan,
    regret,
    true_outcome,
)
from evals.simulator.spec import WorldSpec
from evals.simulator.world import World, simulate_world

__all__ = [
    "NORTHWIND_BOUNDS",
    "NORTHWIND_SEED",
    "NORTHWIND_SPEC",
    "document_json",
    "main",
    "northwind",
    "truth_report",
]

NORTHWIND_SEED = 2
NORTHWIND_SPEC = WorldSpec(
    channels=(
        "google_ads:search",
        "google_ads:shopping",
        "google_ads:pmax",
        "google_ads:youtube",
        "meta:facebook_feed",
        "meta:instagram_reels",
        "meta:advantage_plus",
    ),
    history_days=730,
    daily_spend=3000.0,
    objective="revenue",
    media_share=0.22,
    noise=0.05,
    budget_change=0.10,
    flight_days=90,
    campaign_id="q1-2027-northwind",
    industry="retail",
    region="US",
)
NORTHWIND_BOUNDS: dict[str, dict[str, float]] = {
    "meta:instagram_reels": {"min_spend": 20000.0},
    "google_ads:youtube": {"max_spend": 25000.0},
}


def northwind() -> World:
    """The Northwind world, bounds included."""
    return simulate_world(NORTHWIND_SPEC, NORTHWIND_SEED).with_bounds(NORTHWIND_BOUNDS)


def document_json(document: dict[str, Any]) -> str:
    """JSON with the campaign indented and one history or KPI row per line."""
    parts = []
    for key, value in document.items():
        if isinstance(value, list) and key in ("history", "kpi"):
            rows = ",\n".join("    " + json.dumps(row) for row in value)
            parts.append(f'  "{key}": [\n{rows}\n  ]')
        else:
            body = json.dumps(value, indent=2).replace("\n", "\n  ")
            parts.append(f'  "{key}": {body}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _plan(world: World, allocation: dict[str, float]) -> dict[str, Any]:
    return {
        "allocation": {c: round(x, 2) for c, x in allocation.items()},
        "true_outcome": round(true_outcome(world, allocation), 2),
        "regret": round(regret(world, allocation), 4),
    }


def truth_report(world: World) -> dict[str, Any]:
    """Everything a reader needs to score a plan for this world by hand."""
    truth = world.truth
    oracle = oracle_plan(world)
    mix = historical_mix_allocation(world)
    curves: dict[str, Any] = {}
    for c, t in truth.channels.items():
        ref = max(mix.get(c, 0.0), t.ref_spend * truth.flight_days)
        spends = np.round(ref * np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]), 2)
        outcomes = truth.true_flight_outcome(c, spends)
        curves[c] = [[float(s), round(float(v), 2)] for s, v in zip(spends, outcomes, strict=True)]
    spec = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in dataclasses.asdict(world.spec).items()
    }
    return {
        "seed": world.seed,
        "spec": spec,
        "bounds": NORTHWIND_BOUNDS,
        "truth": truth.to_dict(),
        "oracle": {
            "allocation": {c: round(x, 2) for c, x in oracle.allocation.items()},
            "true_outcome": round(oracle.outcome, 2),
            "roi": round(oracle.roi, 4),
            "channel_outcome": {c: round(x, 2) for c, x in oracle.channel_outcome.items()},
            "marginal_roi": {c: round(x, 4) for c, x in oracle.marginal_roi.items()},
            "binding": oracle.binding,
        },
        "historical_mix": _plan(world, mix),
        "equal_split": _plan(world, equal_split_allocation(world)),
        "flight_curves": {
            "note": "[flight total spend, true incremental outcome] over the campaign flight",
            "points": curves,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("examples/northwind.json"))
    args = parser.parse_args(argv)
    out: Path = args.out
    world = northwind()
    world.parsed()  # the document must validate
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document_json(world.planning_input))
    truth_path = out.with_name(out.name.removesuffix(".json") + ".truth.json")
    truth_path.write_text(json.dumps(truth_report(world), indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) and {truth_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
