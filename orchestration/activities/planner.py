"""Planners: the planning engine off the worker's event loop, in threads or processes.

`ProcessPlanner` (processes; the default of ``mediaplan worker`` and ``mediaplan dev``)
uses every core and leaves the worker's GIL alone; `ThreadedPlanner` (threads) starts
instantly and shares the process (tests, the demo, embedding).

`ThreadedPlanner` contract: `plan()` runs `agents.aplan` in a thread of its own pool
(each run with its own event loop), so the CPU-bound agents never block the Temporal
worker's event loop (heartbeats, queries and other workflows keep flowing). Each
finished agent is reported through `on_progress` on the caller's loop and in the
caller's context (so it may call `temporalio.activity.heartbeat`). Once `cancelled` is
set the run stops at the next agent boundary with `PlanningCancelled`. `narrate=False`
plans without the LLM even when a narrator is configured. At most `max_workers` plans
run at once (default: CPU count); more wait for a thread, which is the planner's back-
pressure.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import queue
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agents.contract import DistributionPlan, PlanningInput
from orchestration.activities.ports import ProgressCallback

__all__ = ["PlanningCancelled", "ProcessPlanner", "ThreadedPlanner"]


class PlanningCancelled(Exception):
    """The run was cancelled between two agents."""


class ThreadedPlanner:
    """A `Planner` backed by `agents.aplan` (see the module docstring)."""

    def __init__(
        self,
        narrator: Any = None,
        *,
        max_workers: int | None = None,
        node_delay_s: float = 0.0,
    ) -> None:
        """`narrator`: an `agents.llm.Narrator` or None; `node_delay_s` slows every agent
        down (demos and crash tests use it to make progress observable)."""
        self.narrator = narrator
        self.max_workers = max_workers or os.cpu_count() or 2
        self.node_delay_s = node_delay_s
        self._executor = ThreadPoolExecutor(self.max_workers, thread_name_prefix="mediaplan-plan")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **kwargs: Any) -> ThreadedPlanner:
        """A planner with the LLM narrator configured by ``MEDIAPLAN_LLM_*`` (if any)."""
        from agents.llm import LLMSettings, make_narrator

        return cls(make_narrator(LLMSettings.from_env(env)), **kwargs)

    def __repr__(self) -> str:
        return f"ThreadedPlanner(narrator={self.narrator!r}, max_workers={self.max_workers})"

    async def plan(
        self,
        inp: PlanningInput | Mapping[str, Any],
        *,
        narrate: bool,
        on_progress: ProgressCallback,
        cancelled: threading.Event,
    ) -> DistributionPlan:
        from agents.engine import aplan

        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        narrator = self.narrator if narrate else None
        delay = self.node_delay_s

        def progress(agent: str, info: dict[str, Any]) -> None:
            if delay > 0:
                time.sleep(delay)
            if cancelled.is_set():
                raise PlanningCancelled(f"cancelled after the {agent} agent")
            loop.call_soon_threadsafe(on_progress, agent, dict(info), context=context)

        def run() -> DistributionPlan:
            if cancelled.is_set():
                raise PlanningCancelled("cancelled before the agents started")
            doc = inp if isinstance(inp, PlanningInput) else dict(inp)
            return asyncio.run(aplan(doc, narrator, progress=progress))

        try:
            return await loop.run_in_executor(self._executor, run)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    def close(self) -> None:
        """Stop accepting plans; running ones finish in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _die_with_parent() -> None:  # pragma: no cover - runs in the pool's processes
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _ignore_interrupts() -> None:  # pragma: no cover - runs in helper processes
    """Ctrl-C reaches the whole process group; the parent alone decides to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()


def _warm_up() -> None:  # pragma: no cover - runs in the pool's processes
    _ignore_interrupts()
    import agents.engine  # noqa: F401  (scipy, langgraph: seconds, paid once per process)


def _plan_in_process(
    doc_json: str, narrate: bool, events: Any, stop: Any, delay: float
) -> str:  # pragma: no cover - runs in the pool's processes
    from agents.engine import plan

    narrator = None
    if narrate:
        from agents.llm import LLMSettings, make_narrator

        narrator = make_narrator(LLMSettings.from_env())

    def progress(agent: str, info: dict[str, Any]) -> None:
        if delay > 0:
            time.sleep(delay)
        if stop.is_set():
            raise PlanningCancelled(f"cancelled after the {agent} agent")
        events.put((agent, dict(info)))

    try:
        return plan(json.loads(doc_json), narrator, progress=progress).model_dump_json()
    finally:
        events.put(None)


class ProcessPlanner:
    """A `Planner` running `agents.plan` in a pool of processes.

    Contract: as `ThreadedPlanner`, but each plan runs in one of `max_workers` processes
    (default: CPU count) started with ``spawn`` and warmed up (imports) at construction,
    so plans use every core and never hold the worker's GIL: queries, heartbeats and
    workflow tasks stay responsive under load. The LLM narrator, when ``narrate``, is
    built in the process from ``MEDIAPLAN_LLM_*``. Progress crosses a queue; cancellation
    stops the plan at the next agent boundary. Pool processes die with their parent.
    """

    def __init__(self, *, max_workers: int | None = None, node_delay_s: float = 0.0) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing.managers import SyncManager

        self.max_workers = max_workers or os.cpu_count() or 2
        self.node_delay_s = node_delay_s
        ctx = multiprocessing.get_context("spawn")
        self._manager = SyncManager(ctx=ctx)
        self._manager.start(_ignore_interrupts)
        self._pool = ProcessPoolExecutor(self.max_workers, mp_context=ctx, initializer=_warm_up)
        for _ in range(self.max_workers):  # start and warm every process now, not on demand
            self._pool.submit(time.sleep, 0)

    def __repr__(self) -> str:
        return f"ProcessPlanner(max_workers={self.max_workers})"

    async def plan(
        self,
        inp: PlanningInput | Mapping[str, Any],
        *,
        narrate: bool,
        on_progress: ProgressCallback,
        cancelled: threading.Event,
    ) -> DistributionPlan:
        loop = asyncio.get_running_loop()
        events = self._manager.Queue()
        stop = self._manager.Event()

        async def relay() -> None:
            while True:
                try:
                    event = await asyncio.to_thread(events.get, True, 0.25)
                except queue.Empty:
                    if future.done():
                        return  # the process died without its end-of-stream marker
                    continue
                if event is None:
                    return
                agent, info = event
                on_progress(agent, info)

        future = loop.run_in_executor(
            self._pool,
            _plan_in_process,
            inp.model_dump_json() if isinstance(inp, PlanningInput) else json.dumps(inp),
            narrate,
            events,
            stop,
            self.node_delay_s,
        )
        relaying = asyncio.create_task(relay())
        try:
            result = await future
            await relaying
        except BaseException:
            cancelled.set()
            stop.set()
            relaying.cancel()
            raise
        return DistributionPlan.model_validate_json(result)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._manager.shutdown()
