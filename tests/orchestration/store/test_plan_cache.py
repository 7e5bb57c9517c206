"""The plan cache: stable keys that move with the data, and a TTL on an injectable clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from agents.contract import DistributionPlan
from orchestration.store import InvalidRecord, Store, plan_cache_key
from tests.orchestration.store.conftest import FakeClock
from tests.orchestration.store.factories import START, brief, kpi, perf

PARAMS = {"include_historical": True, "platforms": ["meta", "google_ads"]}


def plan_doc(campaign_id: str = "c1", spend: float = 9000.0) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "objective": "revenue",
        "currency": "USD",
        "total_budget": 9000.0,
        "total_spend": spend,
        "flight_days": 30,
        "allocations": [
            {
                "channel": "meta:facebook_feed",
                "spend": spend,
                "daily_spend": spend / 30,
                "share": 1.0,
                "expected_outcome": 27000.0,
                "outcome_interval": [20000.0, 31000.0],
                "roi": 3.0,
                "marginal_roi": 1.2,
                "change_vs_history": None,
                "confidence": 0.7,
            }
        ],
        "expected_outcome": 27000.0,
        "outcome_interval": [20000.0, 31000.0],
        "baseline": {"name": "historical_mix", "expected_outcome": 25000.0},
        "uplift_vs_baseline": 0.08,
        "confidence_scores": {"overall": 0.7, "data_quality": 0.8, "model_fit": 0.6},
        "insights": [],
        "recommendations": [],
        "warnings": [],
        "analysis": {"mode": "deterministic", "agents": ["budget"], "rounds": 1, "runtime_s": 0.1},
    }


def _setup(store: Store) -> None:
    store.ensure_workspace("ws")
    store.upsert_campaign("ws", brief())
    store.upsert_performance("ws", [perf(d) for d in range(1, 8)])


def test_key_is_stable_and_moves_with_its_inputs(store: Store, clock: FakeClock) -> None:
    _setup(store)
    key = store.plan_cache_key("ws", "c1", PARAMS)
    assert len(key) == 64 and key == store.plan_cache_key("ws", "c1", dict(PARAMS))
    assert key == plan_cache_key(brief(), PARAMS, store.data_version("ws", "c1"))
    assert store.plan_cache_key("ws", "c1", {**PARAMS, "include_historical": False}) != key

    clock.advance(hours=1)
    store.upsert_performance("ws", [perf(d) for d in range(1, 8)])  # identical re-sync
    assert store.plan_cache_key("ws", "c1", PARAMS) == key

    steps = [
        lambda: store.upsert_performance("ws", [perf(3, spend=1.0)]),  # restated
        lambda: store.upsert_performance("ws", [perf(30)]),  # new day
        lambda: store.upsert_kpi("ws", [kpi(1)]),
        lambda: store.save_market_overrides("ws", {"meta:facebook_feed": {"roas": 2.0}}),
        lambda: store.upsert_campaign("ws", brief(total_budget=9500.0)),
    ]
    seen = {key}
    for step in steps:
        clock.advance(minutes=1)
        step()
        new = store.plan_cache_key("ws", "c1", PARAMS)
        assert new not in seen
        seen.add(new)
    # rows outside the brief's channels do not invalidate its plans
    store.upsert_performance("ws", [perf(2, channel="google_ads:youtube")])
    assert store.plan_cache_key("ws", "c1", PARAMS) in seen


def test_key_of_pure_values() -> None:
    a = plan_cache_key({"d": START, "x": 1.5}, {"p": {"b", "a"}}, "v1")
    assert a == plan_cache_key({"x": 1.5, "d": "2027-01-01"}, {"p": ["a", "b"]}, "v1")
    assert a != plan_cache_key({"x": 1.5, "d": START}, {"p": ["a", "b"]}, "v2")
    with pytest.raises(TypeError):
        plan_cache_key({"x": object()}, None, "v")


def test_ttl(store: Store, clock: FakeClock) -> None:
    _setup(store)
    key = store.plan_cache_key("ws", "c1", PARAMS)
    assert store.get_cached_plan("ws", "c1", key) is None
    cached = store.cache_plan("ws", "c1", key, plan_doc(), ttl=dt.timedelta(hours=6))
    assert cached.expires_at == clock.now + dt.timedelta(hours=6)
    assert isinstance(cached.plan, DistributionPlan)

    clock.advance(hours=5, minutes=59)
    hit = store.get_cached_plan("ws", "c1", key)
    assert hit is not None and hit.plan == DistributionPlan.model_validate(plan_doc())
    assert store.get_cached_plan("ws", "other", key) is None

    clock.advance(minutes=1)
    assert store.get_cached_plan("ws", "c1", key) is None  # expired at expires_at exactly

    refreshed = store.cache_plan("ws", "c1", key, plan_doc(spend=8000.0), ttl=dt.timedelta(1))
    hit = store.get_cached_plan("ws", "c1", key)
    assert hit is not None and hit.plan.total_spend == 8000.0 and hit == refreshed

    store.cache_plan("ws", "c1", "k2", plan_doc(), ttl=dt.timedelta(minutes=1))
    clock.advance(minutes=2)
    assert store.purge_expired_plans("ws") == 1
    assert store.get_cached_plan("ws", "c1", key) is not None


def test_cache_refuses_bad_entries(store: Store) -> None:
    _setup(store)
    with pytest.raises(InvalidRecord, match="ttl must be positive"):
        store.cache_plan("ws", "c1", "k", plan_doc(), ttl=dt.timedelta(0))
    with pytest.raises(InvalidRecord, match="plan is for campaign 'c2', not 'c1'"):
        store.cache_plan("ws", "c1", "k", plan_doc("c2"), ttl=dt.timedelta(hours=1))


def test_non_finite_numbers_round_trip(store: Store) -> None:
    _setup(store)
    doc = plan_doc()
    doc["allocations"][0]["marginal_roi"] = float("inf")
    doc["diagnostics"] = {"weird": float("nan")}
    store.cache_plan("ws", "c1", "k", doc, ttl=dt.timedelta(hours=1))
    hit = store.get_cached_plan("ws", "c1", "k")
    assert hit is not None and hit.plan.allocations[0].marginal_roi == float("inf")
    assert hit.plan.diagnostics["weird"] in (None, "NaN")  # untyped: JSON-safe, not a float
