"""The Python API of mediaplan's planning: start, wait, follow, cancel, read the cache.

Contract:

- `PlanningClient.connect()` connects with `TemporalSettings.from_env()`
  (``MEDIAPLAN_TEMPORAL_ADDRESS``, ``MEDIAPLAN_TEMPORAL_NAMESPACE``, ``MEDIAPLAN_TASK_QUEUE``).
- `start_plan(campaign_id, workspace_id=...)` starts a `PlanningWorkflow` with id
  ``planning-{campaign_id}-{UTC timestamp to the millisecond}`` (the timestamp is chosen
  here, never inside the workflow) and returns a `PlanHandle`; `plan(...)` starts and
  waits.
- `PlanHandle.result()` waits for the `PlanningResult`; `progress()` and
  `partial_results()` run the queries; `follow()` is an async iterator over progress
  snapshots (each one differing from the last) that ends with the run; `cancel(reason)`
  and `update_params(...)` are Temporal updates, so a rejected request raises
  `PlanRejected` with the validator's reason at once.
- `cached_plan(...)` reads a fresh cached plan from the store (needs `store=`).
- `SyncPlanningClient` offers the same for code without an event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from orchestration.activities.ports import CachedPlanRecord, PlanStore
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.models import (
    AnalysisParams,
    AnalysisParamsPatch,
    AnalysisProgress,
    CancelAck,
    ParamsUpdateAck,
    PartialResults,
    PlanningOptions,
    PlanningRequest,
    PlanningResult,
)
from orchestration.workflows.planning import PlanningWorkflow
from orchestration.workflows.scope import cache_params

__all__ = [
    "PlanHandle",
    "PlanRejected",
    "PlanningClient",
    "SyncPlanningClient",
    "planning_workflow_id",
]

_T = TypeVar("_T")
_HARD_TIMEOUT_MARGIN = timedelta(minutes=2)
"""Past the run's own time budget, Temporal terminates it (it should never come to that)."""


class PlanRejected(Exception):
    """A planning run refused a request (its validator's reason is the message)."""


_last_timestamp = datetime.min.replace(tzinfo=UTC)
_timestamp_lock = threading.Lock()


def _unique_now() -> datetime:
    """Now (UTC, to the millisecond), at least 1 ms after the previous call's value."""
    global _last_timestamp
    with _timestamp_lock:
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        _last_timestamp = max(now, _last_timestamp + timedelta(milliseconds=1))
        return _last_timestamp


def planning_workflow_id(campaign_id: str, timestamp: datetime | None = None) -> str:
    """``planning-{campaign_id}-{YYYYMMDDTHHMMSSmmmZ}`` for `timestamp` (UTC).

    Without a timestamp, now; two calls in one process never get the same millisecond.
    """
    ts = (timestamp or _unique_now()).astimezone(UTC)
    return f"planning-{campaign_id}-{ts:%Y%m%dT%H%M%S}{ts.microsecond // 1000:03d}Z"


class PlanHandle:
    """One planning run (see the module docstring)."""

    def __init__(
        self, handle: WorkflowHandle[PlanningWorkflow, PlanningResult], settings: TemporalSettings
    ) -> None:
        self._handle = handle
        self._settings = settings

    @property
    def workflow_id(self) -> str:
        return self._handle.id

    @property
    def ui_url(self) -> str:
        """The run's page in the Temporal Web UI."""
        return self._settings.workflow_url(self.workflow_id)

    def __repr__(self) -> str:
        return f"PlanHandle({self.workflow_id!r})"

    async def result(self) -> PlanningResult:
        return await self._handle.result()

    async def progress(self) -> AnalysisProgress:
        return await self._handle.query(PlanningWorkflow.progress)

    async def partial_results(self) -> PartialResults:
        return await self._handle.query(PlanningWorkflow.partial_results)

    async def status(self) -> WorkflowExecutionStatus | None:
        return (await self._handle.describe()).status

    async def follow(self, interval_s: float = 0.25) -> AsyncIterator[AnalysisProgress]:
        """Progress snapshots, each different from the previous, until the run ends."""
        finished = asyncio.ensure_future(self._handle.result())
        last: AnalysisProgress | None = None
        try:
            while True:
                try:
                    snapshot = await self.progress()
                except RPCError:
                    if finished.done():
                        return  # a failed run answers no queries once closed
                    snapshot = None
                if snapshot is not None and snapshot != last:
                    last = snapshot
                    yield snapshot
                if (snapshot is not None and snapshot.done) or finished.done():
                    if finished.done() and (last is None or not last.done):
                        with contextlib.suppress(RPCError):
                            final = await self.progress()
                            if final != last:
                                yield final
                    return
                await asyncio.wait({finished}, timeout=interval_s)
        finally:
            if not finished.done():
                finished.cancel()
            with contextlib.suppress(BaseException):
                await finished

    async def _update(self, call: Any) -> _T:
        try:
            result: _T = await call
            return result
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(cause)
            raise PlanRejected(reason.removeprefix("ValueError: ")) from exc
        except RPCError as exc:
            raise PlanRejected(f"the run cannot take requests: {exc.message}") from exc

    async def cancel(self, reason: str, *, request_id: str | None = None) -> CancelAck:
        """Cancel the analysis (the run then returns its partial results)."""
        payload = {"reason": reason, "request_id": request_id}
        return await self._update(
            self._handle.execute_update(PlanningWorkflow.cancel, payload, id=request_id)
        )

    async def update_params(
        self,
        params: AnalysisParamsPatch | Mapping[str, Any],
        *,
        reason: str = "",
        request_id: str | None = None,
    ) -> ParamsUpdateAck:
        """Change the analysis parameters while the run gathers data or analyses.

        The run validates the request (`PlanRejected` names what is wrong or late)."""
        patch = (
            dict(params)
            if isinstance(params, Mapping)
            else params.model_dump(mode="json", exclude_unset=True)
        )
        payload = {"analysis_params": patch, "reason": reason, "request_id": request_id}
        return await self._update(
            self._handle.execute_update(PlanningWorkflow.update_params, payload, id=request_id)
        )


class PlanningClient:
    """Starts and follows planning runs (see the module docstring)."""

    def __init__(
        self,
        client: Client,
        settings: TemporalSettings | None = None,
        *,
        store: PlanStore | None = None,
    ) -> None:
        self.client = client
        self.settings = settings or TemporalSettings.from_env()
        self.store = store

    @classmethod
    async def connect(
        cls, settings: TemporalSettings | None = None, *, store: PlanStore | None = None
    ) -> PlanningClient:
        settings = settings or TemporalSettings.from_env()
        return cls(await settings.connect(), settings, store=store)

    async def start_plan(
        self,
        campaign_id: str,
        *,
        workspace_id: str,
        user_id: str = "api",
        params: AnalysisParams | None = None,
        options: PlanningOptions | None = None,
        timestamp: datetime | None = None,
        workflow_id: str | None = None,
    ) -> PlanHandle:
        """Start a planning run; the id embeds `timestamp` (default: now).

        `WorkflowAlreadyStartedError` when the given id or timestamp is taken."""
        request = PlanningRequest(
            campaign_id=campaign_id,
            user_id=user_id,
            workspace_id=workspace_id,
            analysis_params=params or AnalysisParams(),
            options=options or PlanningOptions(),
        )
        chosen = workflow_id is not None or timestamp is not None
        timeout = timedelta(seconds=request.options.deadline_s) + _HARD_TIMEOUT_MARGIN
        for attempt in range(3):
            try:
                handle = await self.client.start_workflow(
                    PlanningWorkflow.run,
                    request,
                    id=workflow_id or planning_workflow_id(campaign_id, timestamp),
                    task_queue=self.settings.task_queue,
                    execution_timeout=timeout,
                    static_summary=f"plan campaign {campaign_id} (workspace {workspace_id})",
                )
            except WorkflowAlreadyStartedError:
                if chosen or attempt == 2:
                    raise
                continue  # another process took this millisecond: try the next one
            return PlanHandle(handle, self.settings)
        raise AssertionError("unreachable")

    async def plan(self, campaign_id: str, *, workspace_id: str, **kwargs: Any) -> PlanningResult:
        """Start a planning run and wait for its result."""
        handle = await self.start_plan(campaign_id, workspace_id=workspace_id, **kwargs)
        return await handle.result()

    def get_plan(self, workflow_id: str) -> PlanHandle:
        """A handle on an existing run."""
        handle = self.client.get_workflow_handle_for(PlanningWorkflow.run, workflow_id)
        return PlanHandle(handle, self.settings)

    async def cached_plan(
        self,
        campaign_id: str,
        *,
        workspace_id: str,
        params: AnalysisParams | None = None,
        narrate: bool = True,
    ) -> CachedPlanRecord | None:
        """The fresh cached plan a run with these parameters would return, if any."""
        store = self.store
        if store is None:
            raise RuntimeError("cached_plan needs a store: PlanningClient(..., store=...)")
        key = await asyncio.to_thread(
            store.plan_cache_key,
            workspace_id,
            campaign_id,
            cache_params(params or AnalysisParams(), narrate=narrate),
        )
        return await asyncio.to_thread(store.get_cached_plan, workspace_id, campaign_id, key)


class SyncPlanningClient:
    """`PlanningClient` for synchronous code; owns an event loop until `close()`."""

    def __init__(
        self, settings: TemporalSettings | None = None, *, store: PlanStore | None = None
    ) -> None:
        self._runner = asyncio.Runner()
        self._client = self._runner.run(PlanningClient.connect(settings, store=store))

    def __enter__(self) -> SyncPlanningClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._runner.close()

    def plan(self, campaign_id: str, *, workspace_id: str, **kwargs: Any) -> PlanningResult:
        """Start a run and wait for its result."""
        return self._runner.run(self._client.plan(campaign_id, workspace_id=workspace_id, **kwargs))

    def start_plan(self, campaign_id: str, *, workspace_id: str, **kwargs: Any) -> str:
        """Start a run; its workflow id."""
        handle = self._runner.run(
            self._client.start_plan(campaign_id, workspace_id=workspace_id, **kwargs)
        )
        return handle.workflow_id

    def result(self, workflow_id: str) -> PlanningResult:
        return self._runner.run(self._client.get_plan(workflow_id).result())

    def progress(self, workflow_id: str) -> AnalysisProgress:
        return self._runner.run(self._client.get_plan(workflow_id).progress())

    def cancel(self, workflow_id: str, reason: str) -> CancelAck:
        return self._runner.run(self._client.get_plan(workflow_id).cancel(reason))

    def cached_plan(
        self, campaign_id: str, *, workspace_id: str, **kwargs: Any
    ) -> CachedPlanRecord | None:
        return self._runner.run(
            self._client.cached_plan(campaign_id, workspace_id=workspace_id, **kwargs)
        )
