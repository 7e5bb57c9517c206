"""`plan()`: the planning engine's entry point.

Contract: `plan(PlanningInput, llm=None) -> DistributionPlan` (and `aplan`, its async
form) validates the input, runs the planning graph and returns the plan with
`analysis.runtime_s` measured around the whole run. `llm` is a narrator (see
`agents.llm`) or None for deterministic text; `progress`, when given, is called with
each agent's name as it finishes, for progress bars and Temporal heartbeats.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from agents.contract import DistributionPlan, PlanningInput
from agents.graph import build_graph
from agents.state import Deps, PlanState

__all__ = ["aplan", "plan"]

Progress = Callable[[str, dict[str, Any]], None]


async def aplan(
    inp: PlanningInput | dict[str, Any],
    llm: Any = None,
    *,
    deps: Deps | None = None,
    progress: Progress | None = None,
) -> DistributionPlan:
    started = time.perf_counter()
    model = inp if isinstance(inp, PlanningInput) else PlanningInput.model_validate(inp)
    context = deps or Deps()
    if llm is not None:
        context.narrator = llm
    app = build_graph().compile()
    state: PlanState = {"input": model.model_dump(mode="json"), "warnings": [], "trace": []}
    final: dict[str, Any] = {}
    async for mode, chunk in app.astream(
        state,
        {"recursion_limit": 25},
        context=context,
        stream_mode=["updates", "values"],
    ):
        if mode == "values":
            assert isinstance(chunk, dict)
            final = chunk
        elif progress is not None:
            for node in chunk:
                progress(node, {"round": final.get("round", 0)})
    result = DistributionPlan.model_validate(final["plan"])
    result.analysis.runtime_s = round(time.perf_counter() - started, 3)
    return result


def plan(
    inp: PlanningInput | dict[str, Any],
    llm: Any = None,
    *,
    deps: Deps | None = None,
    progress: Progress | None = None,
) -> DistributionPlan:
    """Synchronous `aplan`; call `aplan` from code that already runs an event loop."""
    return asyncio.run(aplan(inp, llm, deps=deps, progress=progress))
