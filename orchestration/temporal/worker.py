"""The planning worker: `build_worker` for embedding, ``mediaplan worker`` for a process.

Contract: `build_worker(client, store, task_queue=...)` returns a `temporalio.worker.Worker`
polling `task_queue` with `WORKFLOWS` (PlanningWorkflow, AgentAnalysisWorkflow) and the
`PlanningActivities` over `store` and a planner (default: `ThreadedPlanner.from_env()`,
the LLM narrator when ``MEDIAPLAN_LLM_*`` is set). `run_worker` runs one until `stop` is
set. `register(subparsers)` adds ``mediaplan worker [--address A] [--namespace N]
[--task-queue Q] [--database-url URL] [--max-plans N]``: it opens (and migrates) the SQL
store, connects to Temporal (``MEDIAPLAN_TEMPORAL_*``), plans in a pool of processes
(`ProcessPlanner`, one per core or ``--max-plans``), and runs until SIGINT/SIGTERM,
letting running activities finish for up to 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from orchestration.activities import CircuitBreaker, Planner, PlanningActivities, PlanStore
from orchestration.activities.planner import ProcessPlanner, ThreadedPlanner
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.analysis import AgentAnalysisWorkflow
from orchestration.workflows.planning import PlanningWorkflow

__all__ = ["WORKFLOWS", "build_worker", "cmd_worker", "register", "run_worker"]

WORKFLOWS: list[type] = [PlanningWorkflow, AgentAnalysisWorkflow]
log = logging.getLogger(__name__)


def build_worker(
    client: Client,
    store: PlanStore,
    *,
    task_queue: str,
    planner: Planner | None = None,
    numeric_planner: Planner | None = None,
    breaker: CircuitBreaker | None = None,
    **worker_options: Any,
) -> Worker:
    """A worker for the planning workflows and activities (see the module docstring)."""
    activities = PlanningActivities(
        store,
        planner or ThreadedPlanner.from_env(),
        numeric_planner=numeric_planner,
        breaker=breaker,
    )
    worker_options.setdefault("graceful_shutdown_timeout", timedelta(seconds=10))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities.all(),
        **worker_options,
    )


async def run_worker(
    client: Client,
    store: PlanStore,
    *,
    task_queue: str,
    stop: asyncio.Event,
    planner: Planner | None = None,
    **worker_options: Any,
) -> None:
    """Run a planning worker until `stop` is set, then shut it down gracefully."""
    worker = build_worker(client, store, task_queue=task_queue, planner=planner, **worker_options)
    async with worker:
        await stop.wait()


def open_sql_store(database_url: str | None = None) -> Any:
    """The project's SQL store (``MEDIAPLAN_DATABASE_URL`` by default), migrated."""
    from orchestration.store import Store

    store = Store(database_url)
    store.upgrade()
    return store


def install_stop_handlers(stop: asyncio.Event) -> Callable[[], None]:
    """Set `stop` on SIGINT/SIGTERM; returns a function restoring the defaults."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore


async def _serve(args: argparse.Namespace) -> int:
    settings = TemporalSettings.from_env().with_overrides(
        address=args.address, namespace=args.namespace, task_queue=args.task_queue
    )
    store = open_sql_store(args.database_url)
    planner = ProcessPlanner(max_workers=args.max_plans)
    client = await settings.connect()
    stop = asyncio.Event()
    restore = install_stop_handlers(stop)
    print(
        f"mediaplan worker: task queue {settings.task_queue!r} on {settings.address} "
        f"(namespace {settings.namespace!r}); Ctrl-C to stop",
        file=sys.stderr,
    )
    try:
        await run_worker(client, store, task_queue=settings.task_queue, stop=stop, planner=planner)
    finally:
        restore()
        planner.close()
        store.close()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_serve(args))
    except RuntimeError as exc:
        print(f"mediaplan: error: {exc}", file=sys.stderr)
        return 1


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", help="Temporal gRPC host:port ($MEDIAPLAN_TEMPORAL_ADDRESS)")
    parser.add_argument("--namespace", help="Temporal namespace ($MEDIAPLAN_TEMPORAL_NAMESPACE)")
    parser.add_argument("--task-queue", help="task queue ($MEDIAPLAN_TASK_QUEUE)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mediaplan worker`` to the command line."""
    p = subparsers.add_parser("worker", help="run a planning worker against Temporal")
    add_connection_arguments(p)
    p.add_argument("--database-url", help="store URL (default: $MEDIAPLAN_DATABASE_URL)")
    p.add_argument(
        "--max-plans", type=int, default=None, help="plans computed at once (default: CPUs)"
    )
    p.set_defaults(func=cmd_worker)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediaplan")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["worker", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
