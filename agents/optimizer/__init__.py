"""Budget optimization: global optimum of summed response curves under bounds and goals."""

from agents.optimizer.allocate import (
    AllocationResult,
    InfeasibleBoundsError,
    allocation_path,
    optimize_allocation,
)
from agents.optimizer.exact import brute_force_two, water_fill

__all__ = [
    "AllocationResult",
    "InfeasibleBoundsError",
    "allocation_path",
    "brute_force_two",
    "optimize_allocation",
    "water_fill",
]
