"""``make demo``: the whole flow, from the connector sandbox to a plan, in one process.

Contract: `run_demo(out_dir, source="sandbox")` starts the connector sandbox
(`connectors.sandbox.server.SandboxSuite` seeded by `evals.sandbox_seed.sandbox_data` with
the simulated Northwind advertiser, on ephemeral 127.0.0.1 ports, first: it sets gRPC's
TLS roots before any TLS gRPC channel exists), configures the connectors from its
endpoints (`connectors.config.sandbox_env`; no real API is contacted), connects the
three platforms through their OAuth flows (auto-approved by the sandbox) and ingests
through the connectors (`orchestration.ingest.ingest_workspace`) the Drive plan and two
years of Meta and Google Ads daily performance into workspace `DEMO_SANDBOX_WORKSPACE`
of the store, printing what each platform gave, then stops the sandbox. It also loads
the business's own daily KPI series, which is not a platform figure: in the demo it is
the simulated world's ``kpi`` rows (a real deployment uploads its own). With
``source="seed"`` (where the sandbox cannot start) it writes the same advertiser
straight into workspace ``demo`` instead (`orchestration.seed_demo`). Then it starts a
dev server (on the standard ports when free, else on ephemeral ones with in-memory
state) and a worker in-process, runs a `PlanningWorkflow` with a progress bar, prints the
plan, writes ``plan.json`` and the HTML report ``plan.html`` to `out_dir`, prints the
Temporal UI link of the run, stops everything and returns 0 (1 with a message on
failure: a connector error names its platform). Import it from `orchestration.dev`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.markup import escape

from orchestration.client import PlanningClient
from orchestration.dev_common import data_dir, show_result, watch_plan, worker_stack, write_outputs
from orchestration.temporal.devserver import DevServer, DevServerConfig
from orchestration.temporal.settings import TemporalSettings

if TYPE_CHECKING:
    from connectors.sandbox.data import SandboxData

__all__ = ["DEMO_SANDBOX_WORKSPACE", "DemoSource", "run_demo"]

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
    llm: bool = True,
) -> int:
    """``make demo`` (see the module docstring).

    With `llm` (the default) the texts are narrated by the LLM configured by
    ``MEDIAPLAN_LLM_*``, or, when none is, by `orchestration.llm_stub.LocalLLM`, the local
    stand-in that speaks the OpenAI protocol, so the demo runs the whole LLM path (number
    checks included) without a network.

    `source` is ``"sandbox"`` (the default: the data come through the connectors from the
    embedded sandbox into workspace `DEMO_SANDBOX_WORKSPACE`, plus the business's KPI
    series, which in the demo is the simulated world's ``kpi`` rows since no platform
    reports it) or ``"seed"`` (the same advertiser written straight into ``demo`` by
    `orchestration.seed_demo`, for environments where the sandbox cannot start).
    `data` is the state directory (default `data_dir()`), `database_url` the store.
    """
    from agents.llm import LLMSettings
    from connectors.errors import ConnectorError
    from orchestration.activities import ThreadedPlanner
    from orchestration.llm_stub import LocalLLM
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
            async with contextlib.AsyncExitStack() as stack:
                env = dict(os.environ)
                if llm and LLMSettings.from_env(env) is None:
                    local = stack.enter_context(LocalLLM())
                    env.update(local.env())
                    console.print(f"[dim]LLM: the local stand-in at {local.base_url}[/dim]")
                planner = ThreadedPlanner.from_env(env) if llm else ThreadedPlanner(None)
                await stack.enter_async_context(worker_stack(client, store, task_queue, planner))
                planning = PlanningClient(client, settings, store=store)
                handle = await planning.start_plan(
                    campaign_id, workspace_id=workspace, user_id="demo"
                )
                console.print(
                    f"[bold]mediaplan demo[/bold]: PlanningWorkflow {handle.workflow_id} for "
                    f"campaign {campaign_id!r} (workspace {workspace!r})"
                )
                await watch_plan(handle, console)
                result = await show_result(handle, console)
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
    write_outputs(result, str(out_dir / "plan.json"), str(out_dir / "plan.html"), console)
    console.print(f"Temporal UI: {handle.ui_url}", soft_wrap=True)
    if config.db_file is not None:
        console.print(
            "[dim](the run is kept in "
            f"{config.db_file}; `mediaplan dev` serves that UI again)[/dim]"
        )
    return 0
