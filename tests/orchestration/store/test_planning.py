"""planning_input: a valid PlanningInput from the stored brief, history, KPI and market."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from agents.contract import KpiRow, PlanningInput
from agents.engine import plan
from connectors.records import ChannelBound, DailyPerformanceRow
from evals.simulator import WorldSpec, simulate_world
from orchestration.store import CampaignNotFound, CurrencyMismatch, InvalidRecord, Store
from tests.orchestration.store.factories import START, brief, kpi, perf


def _seeded(store: Store) -> None:
    store.ensure_workspace("ws")
    store.upsert_campaign("ws", brief())
    rows = []
    for day in range(1, 41):
        rows += [
            perf(day, spend=100.0),
            perf(day, account_id="act_2", campaign_id="cmp-9", spend=50.0),
            perf(day, channel="google_ads:search", spend=80.0),
            perf(day, channel="google_ads:youtube", spend=30.0),  # not in the brief
        ]
    store.upsert_performance("ws", rows)
    store.upsert_kpi("ws", [kpi(d) for d in range(1, 41)])


def test_document_aggregates_across_accounts_and_campaigns(store: Store) -> None:
    _seeded(store)
    doc = store.planning_input("ws", "c1")
    PlanningInput.model_validate(doc)
    assert doc["campaign"] == {
        "campaign_id": "c1",
        "workspace_id": "ws",
        "objective": "revenue",
        "total_budget": 9000.0,
        "currency": "USD",
        "start_date": "2027-01-01",
        "end_date": "2027-01-30",
        "goal": {"kind": "max_outcome"},
        "channels": [
            {"channel": "meta:facebook_feed", "min_spend": 1000.0},
            {"channel": "google_ads:search"},
        ],
        "industry": "retail",
        "region": "US",
    }
    history = doc["history"]
    assert len(history) == 80  # 40 days x the brief's 2 channels; youtube left out
    assert history[0] == {
        "date": "2026-11-22",
        "channel": "google_ads:search",
        "spend": 80.0,
        "impressions": 4000.0,
        "clicks": 40.0,
        "conversions": 4.0,
        "revenue": 240.0,
    }
    feed = [r for r in history if r["channel"] == "meta:facebook_feed"]
    assert {r["spend"] for r in feed} == {150.0}  # both accounts summed
    assert [r["date"] for r in history] == sorted(r["date"] for r in history)
    assert len(doc["kpi"]) == 40 and doc["kpi"][-1] == {
        "date": "2026-12-31",
        "revenue": 1000.0,
        "conversions": 10.0,
    }
    assert "market" not in doc


def test_window_platforms_and_options(store: Store) -> None:
    _seeded(store)
    store.upsert_performance("ws", [perf(START), perf(START + dt.timedelta(days=3))])  # in flight
    doc = store.planning_input("ws", "c1", history_days=10)
    assert {r["date"] for r in doc["history"]} == {
        (START - dt.timedelta(days=d)).isoformat() for d in range(1, 11)
    }
    assert len(doc["kpi"]) == 10
    meta_only = store.planning_input("ws", "c1", platforms=["meta"])
    assert {r["channel"] for r in meta_only["history"]} == {"meta:facebook_feed"}
    later = store.planning_input("ws", "c1", history_end=START + dt.timedelta(days=3))
    assert later["history"][-1]["date"] == "2027-01-04"
    bare = store.planning_input("ws", "c1", include_historical=False)
    assert bare["history"] == [] and "kpi" not in bare
    with pytest.raises(InvalidRecord, match="history_days"):
        store.planning_input("ws", "c1", history_days=0)


def test_brief_without_channels_takes_every_channel(store: Store) -> None:
    _seeded(store)
    store.upsert_campaign("ws", brief("open", channels=[]))
    doc = store.planning_input("ws", "open")
    assert "channels" not in doc["campaign"]
    assert {r["channel"] for r in doc["history"]} == {
        "meta:facebook_feed",
        "google_ads:search",
        "google_ads:youtube",
    }


def test_market_overrides_are_included(store: Store) -> None:
    _seeded(store)
    store.save_market_overrides("ws", {"google_ads:search": {"roas": 4.0}})
    doc = store.planning_input("ws", "c1")
    assert doc["market"] == {"google_ads:search": {"roas": 4.0}}


def test_errors_name_what_is_wrong(store: Store) -> None:
    _seeded(store)
    with pytest.raises(CampaignNotFound, match="campaign 'zz' not found in workspace 'ws'"):
        store.planning_input("ws", "zz")
    store.upsert_performance("ws", [perf(3, currency="EUR", account_id="act_eu")])
    with pytest.raises(CurrencyMismatch, match="meta:facebook_feed in EUR"):
        store.planning_input("ws", "c1")
    bounds = [ChannelBound(channel="meta:facebook_feed", min_spend=20000.0)]
    store.upsert_campaign("ws", brief("tight", channels=bounds))
    with pytest.raises(InvalidRecord, match=r"cannot be planned:\n  campaign: .*infeasible"):
        store.planning_input("ws", "tight", include_historical=False)


def _load_world(store: Store, document: dict[str, Any]) -> None:
    campaign = document["campaign"]
    store.ensure_workspace("sim")
    store.upsert_campaign(
        "sim",
        brief(
            campaign["campaign_id"],
            total_budget=campaign["total_budget"],
            start_date=campaign["start_date"],
            end_date=campaign["end_date"],
            channels=[ChannelBound.model_validate(c) for c in campaign["channels"]],
            goal_kind=campaign["goal"]["kind"],
        ),
    )
    rows = []
    for r in document["history"]:  # each day split over two platform campaigns
        for part, share in (("a", 0.25), ("b", 0.75)):
            platform = r["channel"].split(":")[0]
            values = {k: r[k] * share for k in ("spend", "clicks", "conversions", "revenue")}
            rows.append(
                DailyPerformanceRow(
                    date=r["date"],
                    platform=platform,
                    account_id="act_9" if platform == "meta" else "9876543210",
                    campaign_id=f"{r['channel']}-{part}",
                    campaign_name=part,
                    channel=r["channel"],
                    impressions=r["impressions"] * share,
                    **values,
                )
            )
    store.upsert_performance("sim", rows)
    store.upsert_kpi("sim", [KpiRow.model_validate(k) for k in document["kpi"]])


def test_the_engine_plans_the_document(store: Store) -> None:
    spec = WorldSpec(
        channels=("google_ads:search", "meta:facebook_feed"),
        history_days=120,
        daily_spend=2000.0,
        flight_days=30,
        campaign_id="small",
        industry="retail",
        region="US",
    )
    world = simulate_world(spec, 1).planning_input
    _load_world(store, world)
    doc = store.planning_input("sim", "small", history_days=120)
    assert [(r["date"], r["channel"]) for r in doc["history"]] == [
        (r["date"], r["channel"]) for r in world["history"]
    ]
    for got, want in zip(doc["history"], world["history"], strict=True):
        assert got["spend"] == pytest.approx(want["spend"], rel=1e-12)
        assert got["revenue"] == pytest.approx(want["revenue"], rel=1e-12)
    assert doc["kpi"] == world["kpi"]
    result = plan(doc)
    assert result.campaign_id == "small"
    assert {a.channel for a in result.allocations} == {"google_ads:search", "meta:facebook_feed"}
    assert result.total_spend == pytest.approx(world["campaign"]["total_budget"], rel=1e-3)
