"""Upserts: a re-written key is updated in place, never duplicated, with exact counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from orchestration.store import (
    CampaignNotFound,
    InvalidRecord,
    Store,
    UpsertCounts,
    WorkspaceNotFound,
)
from orchestration.store._models import DailyPerformanceRecord, KpiDailyRow
from tests.orchestration.store.conftest import FakeClock
from tests.orchestration.store.factories import START, brief, kpi, perf


def _count(store: Store, model: type[DailyPerformanceRecord] | type[KpiDailyRow]) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _updated_at(store: Store, day: dt.date) -> dt.datetime:
    with store.engine.connect() as conn:
        stmt = select(DailyPerformanceRecord.updated_at).where(DailyPerformanceRecord.date == day)
        return conn.execute(stmt).scalar_one()


def test_performance_upsert_inserts_updates_and_skips(store: Store, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    rows = [perf(d) for d in range(1, 11)]
    assert store.upsert_performance("ws", rows) == UpsertCounts(inserted=10)
    first_write = _updated_at(store, rows[0].date)

    clock.advance(hours=1)
    assert store.upsert_performance("ws", rows) == UpsertCounts(unchanged=10)
    assert _updated_at(store, rows[0].date) == first_write  # identical rows are not touched

    clock.advance(hours=1)
    restated = [perf(1, spend=250.0), perf(2), perf(11)]
    assert store.upsert_performance("ws", restated) == UpsertCounts(1, 1, 1)
    assert _count(store, DailyPerformanceRecord) == 11
    assert _updated_at(store, rows[0].date) == clock.now
    assert _updated_at(store, rows[1].date) == first_write

    day1 = store.performance_range("ws", rows[0].date, rows[0].date)
    assert day1 == [perf(1, spend=250.0)]  # the re-read restates the value


def test_performance_key_has_every_part(store: Store) -> None:
    store.ensure_workspace("ws")
    rows = [
        perf(1),
        perf(1, account_id="act_2"),
        perf(1, campaign_id="cmp-2"),
        perf(1, channel="meta:instagram_reels"),
        perf(1, channel="google_ads:search"),
        perf(2),
    ]
    assert store.upsert_performance("ws", rows).inserted == 6
    assert _count(store, DailyPerformanceRecord) == 6


def test_large_batches_and_repeated_keys(store: Store) -> None:
    store.ensure_workspace("ws")
    rows = [perf(d, channel=c) for d in range(1, 401) for c in ("meta:a", "google_ads:b")]
    assert store.upsert_performance("ws", rows) == UpsertCounts(inserted=800)
    changed = [perf(d, channel="meta:a", spend=7.0) for d in range(1, 401)]
    assert store.upsert_performance("ws", rows[::2] + changed) == UpsertCounts(updated=400)
    assert _count(store, DailyPerformanceRecord) == 800
    # within one call the last row of a key wins
    repeated = [perf(1, channel="meta:a", spend=1.0), perf(1, channel="meta:a", spend=2.0)]
    assert store.upsert_performance("ws", repeated) == UpsertCounts(updated=1)
    day = START - dt.timedelta(days=1)
    assert store.performance_range("ws", day, day, channels=["meta:a"])[0].spend == 2.0


def test_performance_range_filters(store: Store) -> None:
    store.ensure_workspace("ws")
    rows = [
        perf(d, channel=c)
        for d in range(1, 6)
        for c in ("meta:facebook_feed", "meta:instagram_reels", "google_ads:search")
    ]
    store.upsert_performance("ws", rows)
    start, end = START - dt.timedelta(days=4), START - dt.timedelta(days=2)
    got = store.performance_range("ws", start, end)
    assert len(got) == 9 and {r.date for r in got} == {start, start + dt.timedelta(1), end}
    assert {r.channel for r in store.performance_range("ws", start, end, platforms=["meta"])} == {
        "meta:facebook_feed",
        "meta:instagram_reels",
    }
    only = store.performance_range("ws", start, end, channels=["google_ads:search"])
    assert {r.channel for r in only} == {"google_ads:search"}
    assert store.performance_range("ws", start, end, channels=[]) == []
    with pytest.raises(InvalidRecord, match="before its start"):
        store.performance_range("ws", end, start)


def test_kpi_upsert(store: Store, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    assert store.upsert_kpi("ws", [kpi(d) for d in range(1, 31)]) == UpsertCounts(inserted=30)
    clock.advance(minutes=5)
    counts = store.upsert_kpi("ws", [kpi(1, revenue=5.0), kpi(2), kpi(3, conversions=None)])
    assert counts == UpsertCounts(updated=2, unchanged=1)
    assert _count(store, KpiDailyRow) == 30
    rows = store.kpi_range("ws", START - dt.timedelta(days=3), START - dt.timedelta(days=1))
    assert [(r.revenue, r.conversions) for r in rows] == [
        (1000.0, None),
        (1000.0, 10.0),
        (5.0, 10.0),
    ]


def test_campaign_upsert_and_lookup(store: Store, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    assert store.upsert_campaign("ws", brief()) == "inserted"
    assert store.upsert_campaign("ws", brief()) == "unchanged"
    clock.advance(days=1)
    assert store.upsert_campaign("ws", brief(total_budget=12000.0)) == "updated"
    assert store.upsert_campaign("ws", brief("c2")) == "inserted"
    assert store.get_campaign("ws", "c1") == brief(total_budget=12000.0)
    assert [b.campaign_id for b in store.list_campaigns("ws")] == ["c1", "c2"]
    with pytest.raises(CampaignNotFound, match="campaign 'nope' not found in workspace 'ws'"):
        store.get_campaign("ws", "nope")


def test_ensure_workspace_is_idempotent(store: Store, clock: FakeClock) -> None:
    first = store.ensure_workspace("ws")
    clock.advance(days=1)
    assert store.ensure_workspace("ws") == first
    renamed = store.ensure_workspace("ws", name="Acme")
    assert renamed.name == "Acme" and renamed.created_at == first.created_at


def test_writes_need_an_existing_workspace(store: Store) -> None:
    with pytest.raises(WorkspaceNotFound, match="workspace 'ghost' not found"):
        store.upsert_performance("ghost", [perf(1)])
    with pytest.raises(WorkspaceNotFound):
        store.upsert_campaign("ghost", brief())
    with pytest.raises(WorkspaceNotFound):
        store.audit("ghost", "x.y")


@pytest.mark.parametrize("bad", ["", " ws", "w" * 65])
def test_workspace_ids_are_checked(store: Store, bad: str) -> None:
    with pytest.raises(InvalidRecord, match="workspace_id"):
        store.ensure_workspace(bad)
    with pytest.raises(InvalidRecord, match="workspace_id"):
        store.list_campaigns(bad)
