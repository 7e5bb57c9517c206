"""`python -m bench`: time the planning engine in-process and through the CLI.

Writes bench/RESULTS.md (and prints it): median and 90th percentile wall time of
`agents.plan` and of `mediaplan plan` end to end (a fresh process: interpreter start,
imports, JSON parsing, planning, writing), for 3, 8 and 20 channels x 730 days.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from agents import plan
from bench.inputs import planning_input

SIZES = ((3, 730), (8, 730), (20, 730))
ROOT = Path(__file__).resolve().parent


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _quantiles(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, round(0.9 * (len(xs) - 1)))]
    return statistics.median(xs), p90


def _time_in_process(doc: dict[str, object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per plan; CPU time is what a plan costs when the machine is
    shared, wall time what a caller waits on an idle machine."""
    plan(doc)  # warm-up: lazy imports and caches (benchmark table, regexes)
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        plan(doc)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def _time_cli(doc: dict[str, object], runs: int) -> list[float]:
    exe = Path(sys.executable).with_name("mediaplan")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.json"
        src.write_text(json.dumps(doc))
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(
                [
                    str(exe),
                    "plan",
                    "--input",
                    str(src),
                    "--output",
                    str(Path(tmp) / "out.json"),
                    "--no-llm",
                ],
                check=True,
                capture_output=True,
            )
            out.append(time.perf_counter() - t)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "RESULTS.md"))
    parser.add_argument("--skip-connectors", action="store_true", help="skip the sandbox reads")
    parser.add_argument("--skip-workflows", action="store_true", help="skip the Temporal runs")
    args = parser.parse_args()
    rows = []
    for n, days in SIZES:
        doc = planning_input(n, days)
        rows_in = len(doc["history"])
        wall, cpu = _time_in_process(doc, args.runs)
        inproc, cpu_q = _quantiles(wall), _quantiles(cpu)
        cli = _quantiles(_time_cli(doc, args.cli_runs))
        rows.append((n, days, rows_in, inproc, cpu_q, cli))
        print(
            f"{n} channels x {days} days: in-process {inproc[0]:.3f} s, CLI {cli[0]:.3f} s",
            flush=True,
        )
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()} with `make bench`",
        f"({args.runs} in-process runs after a warm-up, {args.cli_runs} CLI runs; load average",
        f"{os.getloadavg()[0]:.1f} when it finished: above the core count, wall times are",
        "inflated by other work and CPU time is the fairer figure).",
        "",
        "| input | history rows | `agents.plan` wall p50 | p90 | CPU p50 | CLI wall p50 | p90 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n, days, rows_in, (ip50, ip90), (cpu50, _), (c50, c90) in rows:
        cells = [f"{n} channels x {days} days", f"{rows_in:,}"]
        cells += [f"{v:.3f} s" for v in (ip50, ip90, cpu50, c50, c90)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Target (issue: planning engine): 8 channels x 730 days in <= 1.0 s in-process.",
        "The CLI figure includes interpreter start-up and imports (langgraph, pydantic, scipy).",
        "",
    ]
    if not args.skip_workflows:
        from bench import workflows as workflows_bench

        lines += ["", *workflows_bench.run(), ""]
    if not args.skip_connectors:
        from bench import connectors as connectors_bench

        lines += ["", *connectors_bench.run(), ""]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
