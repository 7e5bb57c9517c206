"""`mediaplan eval`: run a scenario suite (and the public datasets), report, optionally gate.

Contract: `register(subparsers)` adds the `eval` subcommand to an `argparse`
sub-parser collection (the `mediaplan` command wires it in) and returns its parser; the
parsed arguments carry `func=cmd_eval`, which returns the exit status: 0 when done (and
the gate, if asked for, passed), 1 when the gate failed, 2 for unusable arguments (an
unknown dataset folder, `--llm` without an LLM configured). `main(argv)` is the same
command standalone (`python -m evals eval ...`).

    mediaplan eval --suite full --out DIR [--processes 2] [--public | --no-public]
                   [--resamples 10] [--datasets PATH] [--markdown FILE] [--gate]
                   [--llm] [--limit N]

It prints the rich tables and writes `DIR/report.json`, `DIR/report.md` and
`DIR/plots/*.svg` (`evals.report.write`). The public datasets run by default with the
`full` suite only. `--gate` checks the summary against `evals/thresholds.json`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "cmd_eval", "main", "register"]

EXIT_GATE = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `eval` subcommand to `subparsers` (from `ArgumentParser.add_subparsers`)."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "eval",
        help="score the planning engine on simulated worlds and public datasets",
        description=(
            "Plan every scenario of a suite with the engine and the baselines, score the plans "
            "under the true response, and write report.json, report.md and plots to --out."
        ),
    )
    p.add_argument("--suite", choices=("smoke", "full"), default="smoke")
    p.add_argument("--out", type=Path, default=Path("out/eval"), help="report directory")
    p.add_argument("--processes", type=int, default=2, help="worker processes (1: in-process)")
    public = p.add_mutually_exclusive_group()
    public.add_argument(
        "--public",
        dest="public",
        action="store_true",
        default=None,
        help="also plan the public datasets (default with --suite full)",
    )
    public.add_argument("--no-public", dest="public", action="store_false")
    p.add_argument("--resamples", type=int, default=10, help="bootstrap resamples per dataset")
    p.add_argument("--datasets", type=Path, default=None, help="the shared datasets folder")
    p.add_argument(
        "--markdown", type=Path, default=None, help="also write the Markdown report here"
    )
    p.add_argument(
        "--gate",
        nargs="?",
        type=Path,
        const=Path("__default__"),
        default=None,
        help="check the thresholds (default evals/thresholds.json); exit 1 when one fails",
    )
    p.add_argument(
        "--llm",
        action="store_true",
        help="narrate with the LLM configured by MEDIAPLAN_LLM_* and score its texts",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N scenarios")
    p.set_defaults(func=cmd_eval)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="mediaplan evals")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run (as `mediaplan` or `python -m evals`)."""
    standalone = Path(sys.argv[0]).resolve().parent.name == "evals"  # python -m evals
    prog = "python -m evals" if standalone else "mediaplan"
    parts = [prog, "eval", "--suite", args.suite, "--out", str(args.out)]
    if args.processes != 2:
        parts += ["--processes", str(args.processes)]
    if args.public is not None:
        parts.append("--public" if args.public else "--no-public")
    if args.resamples != 10:
        parts += ["--resamples", str(args.resamples)]
    if args.datasets is not None:
        parts += ["--datasets", str(args.datasets)]
    if args.markdown is not None:
        parts += ["--markdown", str(args.markdown)]
    if args.gate is not None:
        parts += ["--gate"] + ([] if str(args.gate) == "__default__" else [str(args.gate)])
    if args.llm:
        parts.append("--llm")
    if args.limit is not None:
        parts += ["--limit", str(args.limit)]
    return " ".join(parts)


def cmd_eval(args: argparse.Namespace) -> int:
    """Run the `eval` subcommand (see module doc)."""
    from rich.console import Console
    from rich.progress import Progress

    from evals.gate import THRESHOLDS_PATH, check_gate, load_thresholds
    from evals.metrics import summarize
    from evals.public import run_public, summarize_public
    from evals.public.datasets import default_root
    from evals.report.terminal import print_summary
    from evals.report.write import write_report
    from evals.runner import CaseResult, run_suite
    from evals.scenarios import suite

    err = Console(stderr=True)
    started = time.perf_counter()
    llm = None
    if args.llm:
        from agents.llm import LLMSettings

        llm = LLMSettings.from_env()
        if llm is None:
            err.print(
                "mediaplan eval: error: --llm needs MEDIAPLAN_LLM_BASE_URL and MEDIAPLAN_LLM_MODEL"
            )
            return EXIT_USAGE
    datasets = args.datasets or default_root()
    with_public = args.public if args.public is not None else args.suite == "full"
    if with_public and not datasets.is_dir():
        err.print(f"mediaplan eval: error: no datasets folder at {datasets}")
        return EXIT_USAGE
    gate_path = None
    if args.gate is not None:
        gate_path = THRESHOLDS_PATH if str(args.gate) == "__default__" else args.gate
    scenarios = suite(args.suite)
    if args.limit is not None:
        scenarios = scenarios[: max(args.limit, 0)]

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"{args.suite}: planning", total=len(scenarios))

        def progress(_: CaseResult) -> None:
            bar.advance(task)

        report = run_suite(
            scenarios, processes=args.processes, llm=llm, progress=progress, name=args.suite
        )
    public = None
    public_summary = None
    if with_public:
        with err.status("public datasets: planning"):
            public = run_public(datasets, processes=args.processes, resamples=args.resamples)
        public_summary = summarize_public(public)
    summary = summarize(report)
    gate = None
    if gate_path is not None:
        gate_suite, thresholds = load_thresholds(gate_path)
        if gate_suite != args.suite:
            err.print(f"note: the thresholds were set on the {gate_suite!r} suite")
        gate = check_gate(summary, thresholds)
    files = write_report(
        args.out,
        report,
        summary=summary,
        public=public,
        public_summary=public_summary,
        gate=gate,
        meta={"command": _command(args), "wall_s": time.perf_counter() - started},
        markdown=args.markdown,
    )
    print_summary(Console(), summary, public_summary, gate)
    written = [files.json, files.markdown] + ([files.markdown_copy] if files.markdown_copy else [])
    err.print(
        f"wrote {', '.join(str(p) for p in written)} and {len(files.plots)} plots "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return EXIT_GATE if gate is not None and not gate.passed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
