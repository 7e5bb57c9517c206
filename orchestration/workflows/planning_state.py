"""What one `PlanningWorkflow` run knows: its parameters, phase, data, plan and warnings.

Contract: `PlanningState` is the mutable bookkeeping of a single run, owned by the
workflow instance and shared with its step helpers (`planning_gather`,
`planning_analysis`, `planning_finish`, `planning_messages`). Its methods issue no
Temporal commands: they read the workflow clock (`workflow.now()`, the run's start time)
and log, so they are deterministic and safe in workflow code. Construct it inside the
workflow (it reads `workflow.info()`).

The time budget: the run ends by ``start + options.deadline_s``; `remaining_s` is what is
left of it and `analysis_budget_s` what the analysis may use, keeping `FINISH_RESERVE_S`
(or 10 % of short budgets) for the business rules, the cache and the audit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from agents.contract import DistributionPlan
    from orchestration.workflows.models import (
        AgentAnalysisResult,
        AnalysisParams,
        CacheLookup,
        CampaignData,
        HistoricalPerformance,
        MarketInsights,
        Method,
        Phase,
        PlanningRequest,
    )
    from orchestration.workflows.progress import agent_step
    from orchestration.workflows.scope import cache_params

__all__ = ["FINISH_RESERVE_S", "PlanningState"]

FINISH_RESERVE_S = 30.0
"""Time kept after the analysis for the business rules, the cache and the audit."""


class PlanningState:
    """The bookkeeping of one planning run (see the module docstring)."""

    def __init__(self, request: PlanningRequest) -> None:
        self.request = request
        self.params = request.analysis_params
        self.params_version = 0
        self.phase: Phase = "starting"
        self.done: list[str] = []
        self.warnings: list[str] = []
        self.gaps: dict[str, str] = {}
        self.campaign: CampaignData | None = None
        self.history: HistoricalPerformance | None = None
        self.market: MarketInsights | None = None
        self.cache: CacheLookup | None = None
        self.attempt = 0
        self.child_id: str | None = None
        self.agents_done: list[str] = []
        self.analysis: AgentAnalysisResult | None = None
        self.analysis_error: BaseException | None = None
        self.campaign_error: FailureError | None = None
        self.plan: DistributionPlan | None = None
        self.method: Method | None = None
        self.cancel_reason: str | None = None
        self.seen_requests: set[str] = set()
        self.started = workflow.info().start_time
        self.deadline = self.started + timedelta(seconds=request.options.deadline_s)

    # -- time -----------------------------------------------------------------------

    def remaining_s(self) -> float:
        return (self.deadline - workflow.now()).total_seconds()

    def analysis_budget_s(self) -> float:
        reserve = min(FINISH_RESERVE_S, 0.1 * self.request.options.deadline_s)
        return self.remaining_s() - reserve

    # -- status ---------------------------------------------------------------------

    def cancelled(self) -> bool:
        return self.cancel_reason is not None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            workflow.logger.info("planning warning: %s", message)

    def mark(self, step: str) -> None:
        if step not in self.done:
            self.done.append(step)

    def unmark(self, step: str) -> None:
        if step in self.done:
            self.done.remove(step)

    def completed_steps(self) -> list[str]:
        steps = list(self.done)
        if "AgentAnalysis" not in steps:
            steps += [agent_step(a) for a in self.agents_done]
        return steps

    def best_plan(self) -> DistributionPlan | None:
        """The final plan if there is one, else the agents' plan if they finished."""
        return self.plan or (self.analysis.plan if self.analysis else None)

    # -- derived parameters ---------------------------------------------------------

    def cache_params(self) -> dict[str, Any]:
        return cache_params(self.params, narrate=self.request.options.narrate)

    def history_channels(self) -> list[str]:
        """The channels with history (none when it was not fetched)."""
        return [h.channel for h in self.history.channels] if self.history else []

    def analysis_params(self) -> AnalysisParams:
        """The parameters the analysis uses: without history when it could not be fetched."""
        if "historical_performance" in self.gaps and self.params.include_historical:
            return self.params.model_copy(update={"include_historical": False})
        return self.params
