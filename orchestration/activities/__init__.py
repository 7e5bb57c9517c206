"""The planning activities and the ports they depend on.

`PlanningActivities(store, planner)` holds the activities (register `.all()` on a worker);
`PlanStore` and `Planner` (in `ports`) are what it needs; `ThreadedPlanner` runs the
engine off the event loop, `CircuitBreaker` guards the agents, and `InMemoryPlanStore` is
a store for tests and demos.
"""

from orchestration.activities.breaker import CircuitBreaker
from orchestration.activities.memory import InMemoryPlanStore
from orchestration.activities.planner import PlanningCancelled, ThreadedPlanner
from orchestration.activities.planning import PlanningActivities
from orchestration.activities.ports import Planner, PlanStore, ProgressCallback

__all__ = [
    "CircuitBreaker",
    "InMemoryPlanStore",
    "PlanStore",
    "Planner",
    "PlanningActivities",
    "PlanningCancelled",
    "ProgressCallback",
    "ThreadedPlanner",
]
