"""The HTTP API for planning runs (FastAPI).

Contract (JSON in and out; documents are the workflow's own models):

- ``POST /plans`` starts a `PlanningWorkflow` from ``{campaign_id, workspace_id, user_id?,
  analysis_params?, options?}``; 202 with ``{workflow_id, status_url, ui_url}``; 422 for an
  invalid body.
- ``GET /plans/{workflow_id}``: ``{workflow_id, status, progress, result, error, ui_url}``
  (``status`` is Temporal's: RUNNING, COMPLETED, FAILED, ...; ``progress`` while running,
  ``result`` once completed, ``error`` once failed); 404 for an unknown id.
- ``POST /plans/{workflow_id}/cancel`` with optional ``{reason}``: the ``CancelAnalysis``
  update's acknowledgement; 409 when the run refuses (finished, already cancelled).
- ``POST /plans/{workflow_id}/params`` with ``{analysis_params, reason?}``: the
  ``UpdateAnalysisParams`` acknowledgement; 409 with the validator's reason when refused.
- ``GET /healthz``: ``{status: "ok"}`` and whether Temporal answers (503 when it does not).

`create_app(client)` uses the given `PlanningClient`; without one it connects at start-up
with `TemporalSettings.from_env()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from orchestration.client import PlanHandle, PlanningClient, PlanRejected
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.models import (
    AnalysisParams,
    AnalysisProgress,
    CancelAck,
    ParamsUpdateAck,
    PlanningOptions,
    PlanningResult,
)

__all__ = ["CancelBody", "ParamsBody", "PlanStarted", "PlanStatus", "StartPlan", "create_app"]


class StartPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str = Field(min_length=1)
    workspace_id: str = Field(min_length=1)
    user_id: str = Field(default="api", min_length=1)
    analysis_params: AnalysisParams = Field(default_factory=AnalysisParams)
    options: PlanningOptions = Field(default_factory=PlanningOptions)


class PlanStarted(BaseModel):
    workflow_id: str
    status_url: str
    ui_url: str


class PlanStatus(BaseModel):
    workflow_id: str
    status: str
    progress: AnalysisProgress | None = None
    result: PlanningResult | None = None
    error: str | None = None
    ui_url: str


class CancelBody(BaseModel):
    reason: str = "cancelled through the HTTP API"


class ParamsBody(BaseModel):
    analysis_params: dict[str, Any]
    reason: str = ""
    request_id: str | None = None


def _client(request: Request) -> PlanningClient:
    client: PlanningClient = request.app.state.planning
    return client


def _not_found(workflow_id: str, exc: RPCError) -> HTTPException:
    if exc.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(404, f"no planning run {workflow_id!r}")
    return HTTPException(502, f"Temporal error: {exc.message}")


async def _status(handle: PlanHandle) -> PlanStatus:
    try:
        status = await handle.status()
    except RPCError as exc:
        raise _not_found(handle.workflow_id, exc) from exc
    name = status.name if status is not None else "UNKNOWN"
    out = PlanStatus(workflow_id=handle.workflow_id, status=name, ui_url=handle.ui_url)
    if status == WorkflowExecutionStatus.RUNNING:
        try:
            out.progress = await handle.progress()
        except RPCError as exc:  # no worker has picked the run up yet
            out.error = f"progress unavailable: {exc.message}"
    elif status == WorkflowExecutionStatus.COMPLETED:
        out.result = await handle.result()
    else:
        try:
            await handle.result()
        except WorkflowFailureError as exc:
            cause = exc.cause
            out.error = getattr(cause, "message", None) or str(cause)
    return out


def create_app(
    client: PlanningClient | None = None, *, settings: TemporalSettings | None = None
) -> FastAPI:
    """The API over `client` (or a client connected at start-up)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "planning", None) is None:
            app.state.planning = await PlanningClient.connect(settings)
        yield

    app = FastAPI(
        title="mediaplan planning API",
        summary="Start, follow and cancel PlanningWorkflow runs",
        lifespan=lifespan,
    )
    app.state.planning = client

    @app.post("/plans", status_code=202)
    async def start_plan(body: StartPlan, request: Request, response: Response) -> PlanStarted:
        handle = await _client(request).start_plan(
            body.campaign_id,
            workspace_id=body.workspace_id,
            user_id=body.user_id,
            params=body.analysis_params,
            options=body.options,
        )
        status_url = str(request.url_for("get_plan", workflow_id=handle.workflow_id))
        response.headers["Location"] = status_url
        return PlanStarted(
            workflow_id=handle.workflow_id, status_url=status_url, ui_url=handle.ui_url
        )

    @app.get("/plans/{workflow_id}")
    async def get_plan(workflow_id: str, request: Request) -> PlanStatus:
        return await _status(_client(request).get_plan(workflow_id))

    @app.post("/plans/{workflow_id}/cancel")
    async def cancel_plan(
        workflow_id: str, request: Request, body: CancelBody | None = None
    ) -> CancelAck:
        handle = _client(request).get_plan(workflow_id)
        try:
            return await handle.cancel((body or CancelBody()).reason)
        except PlanRejected as exc:
            await _status(handle)  # 404 for an unknown run
            raise HTTPException(409, str(exc)) from exc

    @app.post("/plans/{workflow_id}/params")
    async def update_params(
        workflow_id: str, body: ParamsBody, request: Request
    ) -> ParamsUpdateAck:
        handle = _client(request).get_plan(workflow_id)
        try:
            return await handle.update_params(
                body.analysis_params, reason=body.reason, request_id=body.request_id
            )
        except PlanRejected as exc:
            await _status(handle)
            raise HTTPException(409, str(exc)) from exc

    @app.get("/healthz")
    async def healthz(request: Request, response: Response) -> dict[str, str]:
        planning = _client(request)
        try:
            await planning.client.service_client.check_health()
            temporal = "ok"
        except Exception as exc:
            response.status_code = 503
            temporal = f"unreachable: {exc}"
        return {
            "status": "ok" if temporal == "ok" else "degraded",
            "temporal": temporal,
            "address": planning.settings.address,
            "task_queue": planning.settings.task_queue,
        }

    return app
