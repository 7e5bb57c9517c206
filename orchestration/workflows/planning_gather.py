"""`PlanningWorkflow`'s first phases: gather the data in parallel, then validate it.

Contract: `Gathering(state).gather()` runs, as local activities in parallel, the steps the
current parameters need (`scope.step_keys`): ``GatherCampaignDataActivity`` (2 min, 3
retries), ``FetchHistoricalPerformanceActivity`` (5 min, 3 retries with backoff; only
with ``include_historical``), ``GatherMarketInsightsActivity`` (3 min, 3 retries) and
the plan-cache lookup. It returns when every step has settled, or at once on a
cancellation; when the parameters change meanwhile, steps whose key changed are
cancelled and restarted, the others keep their results. A step's result lands in the
state (``campaign``, ``history``, ``market``, ``cache``) only if the step is still
current; a failed step is a data gap named in ``state.gaps``, never an exception.
`Gathering.stop()` cancels the steps still running.

`validate(state)` returns the campaign to plan under the parameters, or fails the run
with a non-retryable `ApplicationError` (``CampaignNotFound``,
``CampaignDataUnavailable`` or ``InvalidPlanningInput``); it turns the other gaps into
warnings. Workflow code only.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from agents.contract import Campaign
    from orchestration.workflows import names
    from orchestration.workflows.failures import (
        CAMPAIGN_NOT_FOUND_ERROR,
        INVALID_INPUT_ERROR,
        failure_type,
    )
    from orchestration.workflows.models import (
        CacheLookup,
        CacheLookupInput,
        CampaignData,
        CampaignDataInput,
        HistoricalPerformance,
        HistoricalPerformanceInput,
        MarketInsights,
        MarketInsightsInput,
    )
    from orchestration.workflows.scope import effective_campaign, step_keys

from orchestration.workflows.planning_calls import DeadlinePassed, call, retry, why
from orchestration.workflows.planning_state import PlanningState

__all__ = ["Gathering", "validate"]

_STEP_LABELS = {
    "campaign": "GatherCampaignData",
    "history": "FetchHistoricalPerformance",
    "market": "GatherMarketInsights",
    "cache": "LookupCachedPlan",
}
_COMPONENTS = {
    "campaign": "campaign_data",
    "history": "historical_performance",
    "market": "market_insights",
    "cache": "plan_cache",
}
_ACTIVITIES = {
    "campaign": names.GATHER_CAMPAIGN_DATA,
    "history": names.FETCH_HISTORICAL_PERFORMANCE,
    "market": names.GATHER_MARKET_INSIGHTS,
    "cache": names.LOOKUP_CACHED_PLAN,
}


@dataclass
class _Step:
    key: str
    task: asyncio.Task[None]


class Gathering:
    """The gathering steps of one run (see the module docstring)."""

    def __init__(self, state: PlanningState) -> None:
        self._state = state
        self._steps: dict[str, _Step] = {}

    async def gather(self) -> None:
        self._state.phase = "gathering_data"
        while True:
            version = self._state.params_version
            self._schedule_steps()
            await workflow.wait_condition(functools.partial(self._settled, version))
            if version == self._state.params_version or self._state.cancel_reason is not None:
                return

    def stop(self) -> None:
        """Cancel the steps still running."""
        for step in self._steps.values():
            if not step.task.done():
                step.task.cancel()

    def _settled(self, version: int) -> bool:
        return (
            all(s.task.done() for s in self._steps.values())
            or version != self._state.params_version
            or self._state.cancel_reason is not None
        )

    def _schedule_steps(self) -> None:
        """Start the steps the current parameters need; keep those whose inputs are unchanged."""
        wanted = step_keys(self._state.params)
        for step in list(self._steps):
            if step not in wanted:
                self._drop_step(step)
        for step, key in wanted.items():
            current = self._steps.get(step)
            if current is not None and current.key == key:
                continue
            if current is not None:
                self._drop_step(step)
            self._steps[step] = _Step(key, asyncio.create_task(self._run_step(step, key)))

    def _drop_step(self, step: str) -> None:
        state = self._state
        current = self._steps.pop(step)
        if not current.task.done():
            current.task.cancel()
        state.unmark(_STEP_LABELS[step])
        state.gaps.pop(_COMPONENTS[step], None)
        if step == "history":
            state.history = None
        elif step == "market":
            state.market = None
        elif step == "cache":
            state.cache = None

    def _current(self, step: str, key: str) -> bool:
        current = self._steps.get(step)
        return current is not None and current.key == key

    async def _run_step(self, step: str, key: str) -> None:
        state = self._state
        req, opts = state.request, state.request.options
        t, initial = opts.timeouts, opts.retry_initial_interval_s
        ws, cid = req.workspace_id, req.campaign_id
        try:
            if step == "campaign":
                campaign = await call(
                    state,
                    names.GATHER_CAMPAIGN_DATA,
                    CampaignDataInput(workspace_id=ws, campaign_id=cid),
                    CampaignData,
                    t.campaign_data_s,
                    retry(4, initial),
                    local=True,
                )
                if self._current(step, key):
                    state.campaign = campaign
            elif step == "history":
                history = await call(
                    state,
                    names.FETCH_HISTORICAL_PERFORMANCE,
                    HistoricalPerformanceInput(
                        workspace_id=ws,
                        campaign_id=cid,
                        platforms=state.params.platforms,
                        date_range=state.params.date_range,
                    ),
                    HistoricalPerformance,
                    t.historical_performance_s,
                    retry(4, initial, backoff=2.0, max_interval_s=60.0),
                    local=True,
                )
                if self._current(step, key):
                    state.history = history
            elif step == "market":
                market = await call(
                    state,
                    names.GATHER_MARKET_INSIGHTS,
                    MarketInsightsInput(
                        workspace_id=ws, campaign_id=cid, platforms=state.params.platforms
                    ),
                    MarketInsights,
                    t.market_insights_s,
                    retry(4, initial),
                    local=True,
                )
                if self._current(step, key):
                    state.market = market
            else:
                lookup = await call(
                    state,
                    names.LOOKUP_CACHED_PLAN,
                    CacheLookupInput(workspace_id=ws, campaign_id=cid, params=state.cache_params()),
                    CacheLookup,
                    t.store_s,
                    retry(3, initial, backoff=2.0),
                    local=True,
                )
                if self._current(step, key):
                    state.cache = lookup
        except (FailureError, DeadlinePassed) as err:
            if self._current(step, key):
                state.gaps[_COMPONENTS[step]] = why(err, _ACTIVITIES[step])
                if step == "campaign" and isinstance(err, FailureError):
                    state.campaign_error = err
            return
        if self._current(step, key):
            state.mark(_STEP_LABELS[step])


# -- validation ---------------------------------------------------------------------


def validate(state: PlanningState) -> Campaign:
    """The campaign to plan; fails the run when there is none. Names the data gaps."""
    state.phase = "validating"
    req = state.request
    if state.campaign is None:
        reason = state.gaps.get("campaign_data", "no campaign data")
        err = state.campaign_error
        kind = failure_type(err) if err is not None else None
        raise ApplicationError(
            f"cannot plan campaign {req.campaign_id!r} in workspace {req.workspace_id!r}: {reason}",
            type=kind if kind == CAMPAIGN_NOT_FOUND_ERROR else "CampaignDataUnavailable",
            non_retryable=True,
        )
    channels = state.history_channels()
    try:
        campaign = effective_campaign(state.campaign.campaign, state.params, channels)
    except ValueError as exc:
        raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from None
    if campaign.channels is None and not channels:
        raise ApplicationError(
            f"campaign {req.campaign_id!r} lists no channels and has no history to "
            "take them from; nothing to plan",
            type=INVALID_INPUT_ERROR,
            non_retryable=True,
        )
    _note_gaps(state)
    state.mark("ValidateData")
    return campaign


def _note_gaps(state: PlanningState) -> None:
    gap = state.gaps.get("historical_performance")
    if gap is not None:
        state.warn(
            f"historical performance unavailable ({gap}); every channel is planned from "
            "market benchmarks"
        )
    elif state.params.include_historical and state.history and state.history.rows == 0:
        state.warn(
            "no historical performance in the window; every channel is planned from "
            "market benchmarks"
        )
    gap = state.gaps.get("market_insights")
    if gap is not None:
        state.warn(f"market insights unavailable ({gap}); the built-in benchmarks are used")
    gap = state.gaps.get("plan_cache")
    if gap is not None:
        state.warn(f"plan cache unavailable ({gap}); the plan is computed afresh")
