"""mediaplan planning engine: `plan(PlanningInput) -> DistributionPlan`.

Importing `agents` before numpy limits BLAS to one thread unless the environment says
otherwise: the engine's linear algebra is thousands of small solves, where BLAS threads
only add synchronization (5x slower on a busy 2-core machine, measured with `make bench`).
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from typing import TYPE_CHECKING, Any  # noqa: E402

from agents.contract import DistributionPlan, PlanningInput  # noqa: E402

if TYPE_CHECKING:
    from agents.engine import aplan, plan

__all__ = ["DistributionPlan", "PlanningInput", "aplan", "plan"]


def __getattr__(name: str) -> Any:
    # The engine (langgraph, scipy) loads on first use, so code that only needs the
    # contract (the Temporal client, the API, the CLI's validation) starts fast.
    if name in ("plan", "aplan"):
        from agents import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'agents' has no attribute {name!r}")
