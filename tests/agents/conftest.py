"""Shared inputs for engine tests: small simulated advertisers (fast to plan)."""

from __future__ import annotations

from typing import Any

import pytest

from evals.simulator import WorldSpec, simulate_world


def small_world(seed: int = 7, **spec: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "channels": (
            "google_ads:search",
            "google_ads:youtube",
            "meta:facebook_feed",
            "meta:instagram_reels",
        ),
        "history_days": 240,
        "flight_days": 60,
        "daily_spend": 4000.0,
    }
    defaults.update(spec)
    return simulate_world(WorldSpec(**defaults), seed).planning_input


@pytest.fixture
def world() -> dict[str, Any]:
    return small_world()
