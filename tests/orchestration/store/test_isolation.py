"""Workspace isolation: workspace A never reads or overwrites workspace B's rows.

Both workspaces hold rows under identical keys (same campaign id, same performance key,
same platform, same cache key) with different values; every method is exercised on A
and B's data must be exactly as B wrote it.
"""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from connectors.records import OAuthTokens
from orchestration.store import (
    AsyncStore,
    CampaignNotFound,
    IntegrationNotFound,
    Store,
    TokenDecryptionError,
)
from tests.orchestration.store.factories import START, brief, kpi, perf
from tests.orchestration.store.test_plan_cache import plan_doc

LIFECYCLE = {"upgrade", "close", "now"}
WINDOW = (START - dt.timedelta(days=30), START - dt.timedelta(days=1))


def test_every_data_method_takes_workspace_id_first() -> None:
    for cls in (Store, AsyncStore):
        for name, member in inspect.getmembers(cls, callable):
            if name.startswith("_") or name in LIFECYCLE or name == "aclose":
                continue
            params = list(inspect.signature(member).parameters)
            assert params[:2] == ["self", "workspace_id"], f"{cls.__name__}.{name}"


def _fill(store: Store, ws: str, scale: float) -> None:
    store.ensure_workspace(ws, name=ws.upper())
    store.upsert_campaign(ws, brief(total_budget=9000.0 * scale))
    store.upsert_performance(ws, [perf(d, spend=100.0 * scale) for d in range(1, 11)])
    store.upsert_kpi(ws, [kpi(d, revenue=1000.0 * scale) for d in range(1, 11)])
    store.save_market_overrides(ws, {"meta:facebook_feed": {"roas": 2.0 * scale}})
    store.save_integration(ws, "meta", OAuthTokens(access_token=f"token-{ws}"))
    store.cache_plan(ws, "c1", "same-key", plan_doc(spend=9000.0 * scale), ttl=dt.timedelta(1))
    store.audit(ws, "filled", subject="c1", details={"scale": scale})


def _snapshot(store: Store, ws: str) -> dict[str, object]:
    cached = store.get_cached_plan(ws, "c1", "same-key")
    return {
        "campaigns": store.list_campaigns(ws),
        "performance": store.performance_range(ws, *WINDOW),
        "kpi": store.kpi_range(ws, *WINDOW),
        "market": store.get_market_overrides(ws),
        "integrations": store.list_integrations(ws),
        "tokens": store.get_tokens(ws, "meta"),
        "plan": None if cached is None else cached.plan,
        "audit": store.list_audit(ws),
        "input": store.planning_input(ws, "c1"),
    }


def test_reads_and_writes_stay_in_their_workspace(store: Store) -> None:
    _fill(store, "ws-b", 2.0)
    before = _snapshot(store, "ws-b")
    _fill(store, "ws-a", 1.0)

    # A sees only its own values under the shared keys
    assert store.get_campaign("ws-a", "c1").total_budget == 9000.0
    assert {r.spend for r in store.performance_range("ws-a", *WINDOW)} == {100.0}
    assert len(store.performance_range("ws-a", *WINDOW)) == 10
    assert {r.revenue for r in store.kpi_range("ws-a", *WINDOW)} == {1000.0}
    market = store.get_market_overrides("ws-a")
    assert market is not None and market.version == 1
    assert market.overrides == {"meta:facebook_feed": {"roas": 2.0}}
    assert store.get_tokens("ws-a", "meta").access_token == "token-ws-a"
    cached = store.get_cached_plan("ws-a", "c1", "same-key")
    assert cached is not None and cached.plan.total_spend == 9000.0
    assert [e.details for e in store.list_audit("ws-a", action="filled")] == [{"scale": 1.0}]
    doc = store.planning_input("ws-a", "c1")
    assert doc["campaign"]["workspace_id"] == "ws-a"
    assert {r["spend"] for r in doc["history"]} == {100.0}

    # A's writes, updates and status changes under the shared keys
    store.upsert_campaign("ws-a", brief(total_budget=1.0e6))
    store.upsert_performance("ws-a", [perf(d, spend=1.0) for d in range(1, 11)])
    store.upsert_kpi("ws-a", [kpi(d, revenue=1.0) for d in range(1, 11)])
    store.save_market_overrides("ws-a", {"meta:facebook_feed": {"roas": 9.0}})
    store.save_integration("ws-a", "meta", OAuthTokens(access_token="rotated"))
    store.set_integration_status("ws-a", "meta", "revoked")
    store.cache_plan("ws-a", "c1", "same-key", plan_doc(spend=1.0), ttl=dt.timedelta(1))
    store.purge_expired_plans("ws-a")

    # ... left B exactly as it was (its audit log gained nothing either)
    assert _snapshot(store, "ws-b") == before


def test_unknown_ids_in_another_workspace_are_not_found(store: Store) -> None:
    _fill(store, "ws-b", 2.0)
    store.ensure_workspace("ws-a")
    with pytest.raises(CampaignNotFound, match="campaign 'c1' not found in workspace 'ws-a'"):
        store.get_campaign("ws-a", "c1")
    with pytest.raises(CampaignNotFound):
        store.planning_input("ws-a", "c1")
    with pytest.raises(CampaignNotFound):
        store.plan_cache_key("ws-a", "c1")
    with pytest.raises(IntegrationNotFound):
        store.get_tokens("ws-a", "meta")
    with pytest.raises(IntegrationNotFound):
        store.get_integration("ws-a", "meta")
    with pytest.raises(IntegrationNotFound):
        store.set_integration_status("ws-a", "meta", "revoked")
    assert store.list_campaigns("ws-a") == []
    assert store.performance_range("ws-a", *WINDOW) == []
    assert store.kpi_range("ws-a", *WINDOW) == []
    assert store.get_market_overrides("ws-a") is None
    assert store.get_market_overrides("ws-a", version=1) is None
    assert store.list_integrations("ws-a") == []
    assert store.get_cached_plan("ws-a", "c1", "same-key") is None
    assert store.list_audit("ws-a") == []
    assert store.purge_expired_plans("ws-a") == 0
    assert store.get_integration("ws-b", "meta").status == "active"


def test_ciphertext_is_bound_to_its_workspace(store: Store) -> None:
    """Even a row copied across workspaces by hand does not decrypt there."""
    from sqlalchemy import select, update

    from orchestration.store._models import IntegrationRow

    _fill(store, "ws-b", 2.0)
    _fill(store, "ws-a", 1.0)
    with store.engine.begin() as conn:
        stolen = conn.execute(
            select(IntegrationRow.token_ciphertext).where(IntegrationRow.workspace_id == "ws-b")
        ).scalar_one()
        conn.execute(
            update(IntegrationRow)
            .where(IntegrationRow.workspace_id == "ws-a")
            .values(token_ciphertext=stolen)
        )
    with pytest.raises(TokenDecryptionError):
        store.get_tokens("ws-a", "meta")
