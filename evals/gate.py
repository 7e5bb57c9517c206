"""The CI gate: thresholds on the smoke suite's summary, read from `evals/thresholds.json`.

Contract: `load_thresholds(path)` reads the JSON document (`THRESHOLDS_PATH` by default):
`{"suite": ..., "measured": {...}, "thresholds": [{"metric", "op", "value", "source"}]}`
where `metric` names a figure of `evals.metrics.gate_metrics`, `op` is one of `>=`, `>`,
`<=`, `<`, and `source` says where the number came from (the measured smoke result it was
set from, and the margin). `check_gate(summary, thresholds)` compares a suite summary
with them and returns a `GateResult`; a missing (NaN) figure fails its check.
`GateResult.describe()` is one line per failed check, for assertion messages and the CLI.

`derive_thresholds(summary, meta)` writes down the rule that turned a measured smoke
summary into thresholds (`MARGINS`): the issue's hard floors (constraint satisfaction
100 %, no engine errors, the engine beats the historical mix in most scenarios), median
regret no worse than measured + 1 point, p90 regret + 2 points, interval coverage at most
two scenarios below measured, target goals met and faithful texts at least as measured,
and the suite's wall time under 60 s. `python -m evals.gate REPORT.json [--write]`
prints (or writes to `THRESHOLDS_PATH`) the thresholds derived from a report.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.metrics import gate_metrics

__all__ = [
    "MARGINS",
    "THRESHOLDS_PATH",
    "GateCheck",
    "GateResult",
    "Threshold",
    "check_gate",
    "derive_thresholds",
    "load_thresholds",
    "main",
]

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.json"
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Threshold:
    metric: str
    op: str
    value: float
    source: str = ""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"{self.metric}: unknown comparison {self.op!r}; use {list(_OPS)}")


@dataclass(frozen=True)
class GateCheck:
    threshold: Threshold
    measured: float

    @property
    def ok(self) -> bool:
        return math.isfinite(self.measured) and _OPS[self.threshold.op](
            self.measured, self.threshold.value
        )


@dataclass(frozen=True)
class GateResult:
    suite: str
    checks: list[GateCheck]

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    def describe(self) -> str:
        return "\n".join(
            f"{c.threshold.metric} = {c.measured:.4g}, needs {c.threshold.op} "
            f"{c.threshold.value:g} ({c.threshold.source})"
            for c in self.checks
            if not c.ok
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "passed": self.passed,
            "checks": [
                {
                    "metric": c.threshold.metric,
                    "op": c.threshold.op,
                    "threshold": c.threshold.value,
                    "measured": c.measured if math.isfinite(c.measured) else None,
                    "ok": c.ok,
                    "source": c.threshold.source,
                }
                for c in self.checks
            ],
        }


def load_thresholds(path: Path = THRESHOLDS_PATH) -> tuple[str, list[Threshold]]:
    """(suite name, thresholds) from the JSON document at `path`."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    items = [
        Threshold(str(t["metric"]), str(t["op"]), float(t["value"]), str(t.get("source", "")))
        for t in doc["thresholds"]
    ]
    return str(doc["suite"]), items


def check_gate(summary: Mapping[str, Any], thresholds: Sequence[Threshold]) -> GateResult:
    """Compare a suite summary (`evals.metrics.summarize`) with the thresholds."""
    figures = gate_metrics(dict(summary))
    checks = [GateCheck(t, figures.get(t.metric, math.nan)) for t in thresholds]
    return GateResult(str(summary.get("suite", "")), checks)


#: metric -> (op, how the threshold follows from the measured value m and the scenario count n)
MARGINS: dict[str, tuple[str, Callable[[float, int], float], str]] = {
    "constraint_satisfaction": (">=", lambda m, n: 1.0, "issue: must be 100 %"),
    "engine_errors": ("<=", lambda m, n: 0.0, "the engine must plan every scenario"),
    "median_regret": ("<=", lambda m, n: round(m + 0.01, 4), "measured + 1 point (issue)"),
    "p90_regret": ("<=", lambda m, n: round(m + 0.02, 4), "measured + 2 points"),
    "beats_mix_share": (">", lambda m, n: 0.5, "issue: beats the historical mix in most"),
    "target_met_share": (">=", lambda m, n: m, "measured (two target scenarios)"),
    "interval_coverage": (
        ">=",
        lambda m, n: round(m - 2.0 / max(n, 1), 4),
        "measured - two scenarios",
    ),
    "faithful_plans": (">=", lambda m, n: 1.0, "every number in the texts matches the plan"),
    "wall_s": ("<=", lambda m, n: 60.0, "the smoke suite must stay well under a minute"),
}


def derive_thresholds(summary: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The thresholds document for a measured summary (see module doc)."""
    figures = gate_metrics(dict(summary))
    n = int(summary.get("n", 0))
    thresholds = []
    for metric, (op, rule, why) in MARGINS.items():
        measured = figures[metric]
        thresholds.append(
            {
                "metric": metric,
                "op": op,
                "value": rule(measured, n),
                "source": f"{why}; measured {measured:.4g}",
            }
        )
    return {
        "suite": summary.get("suite"),
        "measured": {
            "command": meta.get("command"),
            "date": meta.get("date"),
            "commit": meta.get("commit"),
            "machine": meta.get("machine"),
            "values": {k: (v if math.isfinite(v) else None) for k, v in figures.items()},
        },
        "thresholds": thresholds,
    }


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m evals.gate", description="derive CI thresholds from a smoke report"
    )
    parser.add_argument("report", type=Path, help="report.json of `mediaplan eval --suite smoke`")
    parser.add_argument("--write", action="store_true", help=f"write {THRESHOLDS_PATH}")
    args = parser.parse_args(argv)
    doc = json.loads(args.report.read_text(encoding="utf-8"))
    text = json.dumps(derive_thresholds(doc["summary"], doc["meta"]), indent=2) + "\n"
    if args.write:
        THRESHOLDS_PATH.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
