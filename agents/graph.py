"""The planning graph.

    START -> performance --+
    START -> market -------+-> budget -> critic -> synthesizer -> END
                                  ^          |
                                  +----------+  (at most `Deps.max_rounds` budget rounds)

Contract: `build_graph()` returns the uncompiled `StateGraph` (pure wiring, so a caller
can compile it as it likes: in-process, or with nodes as Temporal activities). State is
JSON-native (`agents.state.PlanState`) and the router is `async`. The critic loops back
to `budget` alone: `budget` is the target of the performance/market join, but the
loop edge is its own trigger, so the join is not re-awaited.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agents.nodes.budget import budget_agent
from agents.nodes.critic import critic, route_after_critic
from agents.nodes.market import market_agent
from agents.nodes.performance import performance_agent
from agents.nodes.synthesizer import synthesizer
from agents.state import Deps, PlanState

__all__ = ["NODES", "build_graph"]

NODES = ("performance", "market", "budget", "critic", "synthesizer")


def build_graph() -> StateGraph[PlanState, Deps, PlanState, PlanState]:
    g: StateGraph[PlanState, Deps, PlanState, PlanState] = StateGraph(
        PlanState, context_schema=Deps
    )
    g.add_node("performance", performance_agent)
    g.add_node("market", market_agent)
    g.add_node("budget", budget_agent)
    g.add_node("critic", critic)
    g.add_node("synthesizer", synthesizer)
    g.add_edge(START, "performance")
    g.add_edge(START, "market")
    g.add_edge(["performance", "market"], "budget")
    g.add_edge("budget", "critic")
    g.add_conditional_edges("critic", route_after_critic, ["budget", "synthesizer"])
    g.add_edge("synthesizer", END)
    return g
