"""The `mediaplan` command line.

Contract:
- `mediaplan plan --input F --output F [--no-llm] [--report plan.html]` reads a
  `PlanningInput` JSON file and writes a `DistributionPlan` JSON file (and optionally the
  HTML report). Invalid input exits with status 2 and a message naming each bad field;
  nothing is written. Files are written only once the plan exists, atomically.
- `mediaplan demo` runs the whole flow on embedded defaults (see `orchestration.dev`);
  `mediaplan demo --local` or `--input F` plans a file in-process and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from connectors.sandbox.cli import register as register_sandbox
from evals.cli import register as register_eval
from orchestration.console import print_plan
from orchestration.dev import add_plan_campaign_arguments
from orchestration.dev import register as register_dev
from orchestration.errors import describe_validation_error
from orchestration.llm_stub import register as register_llm_stub
from orchestration.seed_demo import register as register_seed_demo
from orchestration.temporal.worker import register as register_worker

__all__ = ["main"]

EXIT_INVALID = 2
_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "northwind.json"


class InputError(Exception):
    """The input document cannot be planned; the message says why."""


def _read_input(path: Path) -> Any:
    from agents.contract import PlanningInput

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: the document must be a JSON object with a 'campaign' field")
    try:
        return PlanningInput.model_validate(data)
    except ValidationError as exc:
        lines = describe_validation_error(exc)
        raise InputError(f"{path}: invalid planning input:\n  " + "\n  ".join(lines)) from exc


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _narrator(no_llm: bool) -> Any:
    if no_llm:
        return None
    from agents.llm import LLMSettings, make_narrator

    return make_narrator(LLMSettings.from_env())


def _plan(inp: Any, no_llm: bool, console: Console) -> Any:
    from agents.engine import plan
    from agents.optimizer import InfeasibleBoundsError

    with console.status("planning…") as status:

        def progress(node: str, info: dict[str, Any]) -> None:
            status.update(f"planning… {node} done")

        try:
            return plan(inp, _narrator(no_llm), progress=progress)
        except InfeasibleBoundsError as exc:
            raise InputError(f"infeasible bounds: {exc}") from exc


def cmd_plan(args: argparse.Namespace) -> int:
    if args.campaign:
        from orchestration.dev import plan_campaign_command

        return plan_campaign_command(args)
    if not args.input or not args.output:
        raise InputError(
            "plan needs --input and --output (or --campaign to plan a stored campaign)"
        )
    console = Console(stderr=True)
    inp = _read_input(Path(args.input))
    result = _plan(inp, args.no_llm, console)
    _write_atomic(Path(args.output), result.model_dump_json(indent=2) + "\n")
    if args.report:
        from agents.report import render_report

        _write_atomic(Path(args.report), render_report(result))
    console.print(
        f"wrote {args.output}: {len(result.allocations)} channels, expected {result.objective} "
        f"{result.expected_outcome:,.0f}" + (f"; report {args.report}" if args.report else "")
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.input and not args.local:
        import asyncio

        from orchestration.dev import run_demo

        return asyncio.run(run_demo(Path(args.out), source=args.source, llm=not args.no_llm))
    console = Console()
    path = Path(args.input) if args.input else _EXAMPLE
    console.print(f"[bold]mediaplan demo[/bold]: planning the bundled example {path.name}")
    inp = _read_input(path)
    result = _plan(inp, args.no_llm, console)
    print_plan(result, console)
    out = Path(args.out)
    _write_atomic(out / "plan.json", result.model_dump_json(indent=2) + "\n")
    from agents.report import render_report

    _write_atomic(out / "plan.html", render_report(result))
    console.print(f"\nwrote {out / 'plan.json'} and {out / 'plan.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediaplan", description="AI media planning")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="plan a campaign from a PlanningInput JSON file")
    p.add_argument("--input", help="PlanningInput JSON file")
    p.add_argument("--output", help="where to write the DistributionPlan JSON")
    p.add_argument("--report", help="also write a self-contained HTML report here")
    p.add_argument(
        "--no-llm", action="store_true", help="deterministic text even if an LLM is configured"
    )
    add_plan_campaign_arguments(p)
    p.set_defaults(func=cmd_plan)
    d = sub.add_parser(
        "demo",
        help="the whole flow on embedded defaults: Temporal dev server, worker, demo data, "
        "a PlanningWorkflow, the plan and its report",
    )
    d.add_argument(
        "--local", action="store_true", help="plan the bundled example in-process, no Temporal"
    )
    d.add_argument(
        "--source",
        choices=("sandbox", "seed"),
        default="sandbox",
        help="read the demo advertiser through the connectors from the embedded sandbox "
        "(default), or load it straight into the store",
    )
    d.add_argument("--input", help="plan this PlanningInput file instead of the bundled example")
    d.add_argument("--out", default="out/demo", help="directory for plan.json and plan.html")
    d.add_argument(
        "--no-llm",
        action="store_true",
        help="deterministic texts: no LLM, not even the local stand-in",
    )
    d.set_defaults(func=cmd_demo)
    register_sandbox(sub, default_data=_sandbox_seed)
    register_seed_demo(sub)
    register_eval(sub)
    register_worker(sub)
    register_llm_stub(sub)
    register_dev(sub)
    return parser


def _sandbox_seed() -> Any:
    # evals pulls in numpy and the simulator: import only when the sandbox starts.
    from evals.sandbox_seed import sandbox_data

    return sandbox_data()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(f"mediaplan: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return code


if __name__ == "__main__":
    sys.exit(main())
