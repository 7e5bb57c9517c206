"""The planning workflows: `PlanningWorkflow` and its child `AgentAnalysisWorkflow`.

Names Temporal knows them by are in `names`; payloads in `models`. Exports are lazy so
that importing this package inside the workflow sandbox does not import the models
outside `imports_passed_through`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestration.workflows.analysis import AgentAnalysisWorkflow
    from orchestration.workflows.planning import PlanningWorkflow

__all__ = ["WORKFLOWS", "AgentAnalysisWorkflow", "PlanningWorkflow"]

_LAZY = {
    "AgentAnalysisWorkflow": "orchestration.workflows.analysis",
    "PlanningWorkflow": "orchestration.workflows.planning",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "WORKFLOWS":
        from orchestration.workflows.analysis import AgentAnalysisWorkflow
        from orchestration.workflows.planning import PlanningWorkflow

        return [PlanningWorkflow, AgentAnalysisWorkflow]
    raise AttributeError(f"module 'orchestration.workflows' has no attribute {name!r}")
