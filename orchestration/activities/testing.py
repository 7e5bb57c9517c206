"""Test doubles for the planning activities (used by the tests and the history recorder).

Contract: `ScriptedPlanner` is a `Planner` whose behaviour is set up front: report the
agents' progress (`node_delay_s` apart), then return a fixed `plan` or delegate to
`inner`; the first `fail_times` calls raise `error` after the first agent; with `hang`
it never returns until cancelled. It counts its calls. Nothing here is used in
production code paths.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any, Final

from agents.contract import DistributionPlan, PlanningInput
from orchestration.activities.ports import Planner, ProgressCallback

__all__ = ["AGENTS", "ScriptedPlanner"]

AGENTS: Final = ("market", "performance", "budget", "critic", "synthesizer")


class ScriptedPlanner:
    """See the module docstring."""

    def __init__(
        self,
        plan: DistributionPlan | None = None,
        *,
        inner: Planner | None = None,
        node_delay_s: float = 0.0,
        fail_times: int = 0,
        error: Exception | None = None,
        hang: bool = False,
    ) -> None:
        if plan is None and inner is None and not hang and fail_times == 0:
            raise ValueError("give a plan or an inner planner")
        self._plan = plan
        self._inner = inner
        self.node_delay_s = node_delay_s
        self.fail_times = fail_times
        self.error = error or RuntimeError("scripted agent failure")
        self.hang = hang
        self.calls = 0
        self.inputs: list[PlanningInput] = []

    async def plan(
        self,
        inp: PlanningInput | Mapping[str, Any],
        *,
        narrate: bool,
        on_progress: ProgressCallback,
        cancelled: threading.Event,
    ) -> DistributionPlan:
        self.calls += 1
        model = inp if isinstance(inp, PlanningInput) else PlanningInput.model_validate(inp)
        self.inputs.append(model)
        if self.calls <= self.fail_times:
            on_progress(AGENTS[0], {"round": 0})
            raise self.error
        if self.hang:
            on_progress(AGENTS[0], {"round": 0})
            await asyncio.Event().wait()
        if self._inner is not None:
            return await self._inner.plan(
                inp, narrate=narrate, on_progress=on_progress, cancelled=cancelled
            )
        for agent in AGENTS:
            if self.node_delay_s > 0:
                await asyncio.sleep(self.node_delay_s)
            on_progress(agent, {"round": 1 if agent in ("budget", "critic") else 0})
        assert self._plan is not None
        return self._plan
