"""AsyncStore: the same store from asyncio code, off the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from orchestration.store import AsyncStore, CampaignNotFound, Store, UpsertCounts
from tests.orchestration.store.factories import START, brief, perf


async def test_async_round_trip(store: Store) -> None:
    astore = AsyncStore(store)
    await astore.ensure_workspace("ws")
    assert await astore.upsert_campaign("ws", brief()) == "inserted"
    counts = await asyncio.gather(
        astore.upsert_performance("ws", [perf(d) for d in range(1, 6)]),
        astore.upsert_performance(
            "ws", [perf(d, channel="google_ads:search") for d in range(1, 6)]
        ),
    )
    assert sum(counts, UpsertCounts()) == UpsertCounts(inserted=10)
    doc = await astore.planning_input("ws", "c1")
    assert len(doc["history"]) == 10
    rows = await astore.performance_range("ws", START - dt.timedelta(days=5), START)
    assert len(rows) == 10
    with pytest.raises(CampaignNotFound):
        await astore.get_campaign("ws", "missing")
    assert astore.sync is store
