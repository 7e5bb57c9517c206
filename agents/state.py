"""The planning graph's state and run-scoped dependencies.

Contract: `PlanState` is JSON-native (dicts, lists, strings, numbers), so each node can
later run as a Temporal activity whose inputs and outputs cross a serialization
boundary unchanged. Lists written by parallel nodes merge through `operator.add`.
`Deps` carries what is not state: the optional LLM narrator and numeric settings.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from agents.contract import Campaign
from agents.response.fit import FitSettings

__all__ = ["Deps", "InputView", "PlanState", "input_view"]


class PlanState(TypedDict, total=False):
    input: dict[str, Any]  # PlanningInput, as JSON
    performance: dict[str, Any]  # fitted curves (posterior samples) and diagnostics
    market: dict[str, Any]  # priors for channels without history, sanity bounds, notes
    budget: dict[str, Any]  # the allocation of the latest round
    caps: dict[str, float]  # the critic's extrapolation caps (flight spend), by channel
    floors: dict[str, float]  # the critic's floors against unsupported cuts, by channel
    critique: dict[str, Any]  # the critic's verdict on the latest round
    round: int
    plan: dict[str, Any]  # the DistributionPlan, as JSON
    warnings: Annotated[list[str], operator.add]
    trace: Annotated[list[str], operator.add]  # agents in the order they ran


@dataclass
class Deps:
    """Run-scoped dependencies: never part of state, never serialized."""

    narrator: Any = None  # agents.llm.Narrator | None
    fit: FitSettings = field(default_factory=FitSettings)
    max_rounds: int = 3
    extrapolation_cap: float = 2.0
    """Cap a channel's planned daily spend at this multiple of its highest sustained
    (7-day average) daily spend in history."""
    max_cut: float = 0.6
    """A channel with history keeps at least 1 - max_cut of its share of the historical
    mix unless its own bounds say otherwise (the critic's floor)."""
    new_channel_cap_share: float = 0.10
    """A channel with no history gets at most this share of the budget (a test budget)."""


@dataclass(frozen=True)
class InputView:
    """What nodes read of the (already validated) input without re-validating its rows."""

    campaign: Campaign
    history_channels: list[str]
    market: dict[str, Any] | None
    doc: dict[str, Any]


def input_view(state: PlanState) -> InputView:
    doc = state["input"]
    return InputView(
        campaign=Campaign.model_validate(doc["campaign"]),
        history_channels=sorted({row["channel"] for row in doc.get("history") or []}),
        market=doc.get("market"),
        doc=doc,
    )
