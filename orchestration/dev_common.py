"""What the developer commands share: the data dir, progress, the result, the worker.

Contract: `data_dir(env)` is ``MEDIAPLAN_DATA_DIR`` (default ``.mediaplan``).
`watch_plan(handle, console, bar=...)` shows a run's progress until it ends (a rich
progress bar fed by the progress query, or a one-line spinner); `show_result` waits for
the result and prints the plan and how it was made; `write_outputs` writes the plan's
JSON and HTML report (each atomically, only when the run returned a plan);
`worker_stack(client, store, task_queue, planner)` runs a planning worker for the
duration of an ``async with`` and closes the planner after. Used by `orchestration.dev`,
`orchestration.dev_plan` and `orchestration.dev_demo`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

from orchestration.client import PlanHandle

__all__ = ["data_dir", "show_result", "watch_plan", "worker_stack", "write_outputs"]


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


# -- the result -------------------------------------------------------------------------


async def show_result(handle: PlanHandle, console: Console) -> Any:
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


def write_outputs(result: Any, output: str | None, report: str | None, console: Console) -> None:
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


# -- the worker -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def worker_stack(
    client: Any, store: Any, task_queue: str, planner: Any
) -> AsyncIterator[None]:
    from orchestration.temporal.worker import build_worker

    worker = build_worker(client, store, task_queue=task_queue, planner=planner)
    try:
        async with worker:
            yield
    finally:
        planner.close()
