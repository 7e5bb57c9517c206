"""``mediaplan plan --campaign``: plan a stored campaign through Temporal from the shell.

Contract: `plan_campaign_command(args)` (``mediaplan plan --campaign ID [--workspace W]
[--watch]``) runs a `PlanningWorkflow` against ``MEDIAPLAN_TEMPORAL_ADDRESS`` (a worker
must be running, e.g. ``mediaplan dev``), shows its progress (a rich progress bar fed by
the progress query with ``--watch``, a spinner otherwise), then the plan; ``--output``
and ``--report`` write the plan's JSON and HTML. Exit 0, or 1 when Temporal is
unreachable, the flags are inconsistent or the run fails.
`add_plan_campaign_arguments(parser)` adds its flags. Import both from
`orchestration.dev`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date

from rich.console import Console

from orchestration.client import PlanningClient
from orchestration.dev_common import show_result, watch_plan, write_outputs
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.models import AnalysisParams, DateRange, PlanningOptions

__all__ = ["add_plan_campaign_arguments", "plan_campaign_command"]


def add_plan_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``mediaplan plan --campaign`` (``--output``/``--report``/``--no-llm``
    are the existing ``plan`` flags and are read when present)."""
    parser.add_argument("--campaign", help="plan this stored campaign through Temporal")
    parser.add_argument("--workspace", default="demo", help="its workspace (default: demo)")
    parser.add_argument("--watch", action="store_true", help="show a live progress bar")
    parser.add_argument(
        "--platform",
        action="append",
        dest="platforms",
        help="plan only this platform's channels (repeatable), e.g. --platform meta",
    )
    parser.add_argument("--no-history", action="store_true", help="plan from market priors only")
    parser.add_argument("--since", type=date.fromisoformat, help="history window start")
    parser.add_argument("--until", type=date.fromisoformat, help="history window end")
    parser.add_argument("--no-cache", action="store_true", help="ignore a cached plan")


def _params(args: argparse.Namespace) -> AnalysisParams:
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    window = None
    if since or until:
        if not (since and until):
            raise ValueError("--since and --until go together")
        window = DateRange(start=since, end=until)
    return AnalysisParams(
        include_historical=not getattr(args, "no_history", False),
        platforms=getattr(args, "platforms", None) or [],
        date_range=window,
    )


async def _plan_campaign(args: argparse.Namespace, console: Console) -> int:
    settings = TemporalSettings.from_env().with_overrides(
        address=getattr(args, "address", None),
        namespace=getattr(args, "namespace", None),
        task_queue=getattr(args, "task_queue", None),
    )
    options = PlanningOptions(
        use_cache=not getattr(args, "no_cache", False),
        narrate=not getattr(args, "no_llm", False),
    )
    params = _params(args)  # bad flags fail before anything connects
    client = await PlanningClient.connect(settings)
    handle = await client.start_plan(
        args.campaign,
        workspace_id=args.workspace,
        user_id=os.environ.get("USER") or "cli",
        params=params,
        options=options,
    )
    console.print(f"[dim]{handle.workflow_id} · {handle.ui_url}[/dim]", soft_wrap=True)
    await watch_plan(handle, console, bar=bool(getattr(args, "watch", False)))
    result = await show_result(handle, console)
    write_outputs(result, getattr(args, "output", None), getattr(args, "report", None), console)
    return 0


def plan_campaign_command(args: argparse.Namespace) -> int:
    """``mediaplan plan --campaign ID [--workspace W] [--watch]`` (module docstring)."""
    from temporalio.client import WorkflowFailureError

    console = Console()
    try:
        return asyncio.run(_plan_campaign(args, console))
    except (RuntimeError, ValueError) as exc:
        print(f"mediaplan: error: {exc}", file=sys.stderr)
        return 1
    except WorkflowFailureError as exc:
        cause = getattr(exc.cause, "message", None) or str(exc.cause)
        print(f"mediaplan: error: the planning run failed: {cause}", file=sys.stderr)
        return 1
