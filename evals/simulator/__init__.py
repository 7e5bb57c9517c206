"""Simulated advertisers with a known true response, for measuring plan quality.

`simulate_world(WorldSpec(...), seed)` returns a `World`: a `PlanningInput` document
(platform-reported daily history, an optional KPI series and a campaign) and its
`Truth` (per channel true flight curves, ROIs and what attribution got wrong). The true
response deliberately uses several carry-over and saturation forms, not only the
engine's geometric adstock + Hill. See `evals.oracle` for the best plan under the truth.
"""

from __future__ import annotations

from evals.simulator.allocation import proportional_allocation
from evals.simulator.reporting import ReportingParams
from evals.simulator.response import Adstock, ChannelResponse, Saturation
from evals.simulator.spec import CHANNEL_IDS, CHANNEL_PROFILES, ChannelProfile, WorldSpec
from evals.simulator.truth import ChannelTruth, HistorySeries, Truth
from evals.simulator.world import RUN_RATE_DAYS, World, simulate_world

__all__ = [
    "CHANNEL_IDS",
    "CHANNEL_PROFILES",
    "RUN_RATE_DAYS",
    "Adstock",
    "ChannelProfile",
    "ChannelResponse",
    "ChannelTruth",
    "HistorySeries",
    "ReportingParams",
    "Saturation",
    "Truth",
    "World",
    "WorldSpec",
    "proportional_allocation",
    "simulate_world",
]
