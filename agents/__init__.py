"""mediaplan planning engine: `plan(PlanningInput) -> DistributionPlan`."""

from agents.contract import DistributionPlan, PlanningInput
from agents.engine import aplan, plan

__all__ = ["DistributionPlan", "PlanningInput", "aplan", "plan"]
