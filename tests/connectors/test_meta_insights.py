"""Meta daily insights: sync and async report runs, action types, incremental re-reads."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.errors import MalformedResponseError, TransientError
from connectors.meta import MetaConnector, lookback_window
from connectors.meta.insights import pick_action_value, to_performance_row
from connectors.records import DailyPerformanceRow
from connectors.sandbox.meta import MetaSandbox, start_meta_sandbox
from tests.connectors.meta_fixtures import (
    ACCOUNT,
    CHANNELS,
    START,
    connector_config,
    make_meta_data,
    meta_connector,
    meta_sandbox,
    metrics_for,
)

__all__ = ["meta_connector", "meta_sandbox"]


def _expected(campaigns: int, days: range) -> dict[tuple[dt.date, str], tuple[float, ...]]:
    out: dict[tuple[dt.date, str], tuple[float, ...]] = {}
    for c in range(campaigns):
        for d in days:
            m = metrics_for(c, d)
            key = (m.date, f"1202100{c:06d}")
            out[key] = (m.spend, m.impressions, m.clicks, m.conversions, m.revenue)
    return out


def _actual(rows: list[DailyPerformanceRow]) -> dict[tuple[dt.date, str], tuple[float, ...]]:
    return {
        (r.date, r.campaign_id): (r.spend, r.impressions, r.clicks, r.conversions, r.revenue)
        for r in rows
    }


async def test_sync_read_matches_the_platform_without_double_counting(
    meta_connector: MetaConnector,
) -> None:
    rows = await meta_connector.read_daily_performance(ACCOUNT, START, START + dt.timedelta(4))
    assert len(rows) == 15 and len({r.key for r in rows}) == 15
    # Purchases come under three overlapping action types; each is counted once.
    assert _actual(rows) == _expected(3, range(5))
    assert {r.campaign_id: r.channel for r in rows} == {
        f"1202100{c:06d}": CHANNELS[c] for c in range(3)
    }
    assert all(r.account_id == f"act_{ACCOUNT}" and r.currency == "USD" for r in rows)
    assert meta_connector.last_usage is not None
    assert meta_connector.last_usage.business_use_cases[0].business_id == ACCOUNT
    with pytest.raises(ValueError):
        await meta_connector.read_daily_performance(ACCOUNT, START, START - dt.timedelta(1))


async def test_async_report_run_equals_the_sync_read(meta_sandbox: MetaSandbox) -> None:
    end = START + dt.timedelta(9)
    sync_cfg = connector_config(meta_sandbox, page_size=4)
    async with MetaConnector(sync_cfg, meta_sandbox.demo_access_token) as connector:
        sync_rows = await connector.read_daily_performance(ACCOUNT, START, end)
    async_cfg = connector_config(meta_sandbox, page_size=7, async_threshold_days=5)
    async with MetaConnector(async_cfg, meta_sandbox.demo_access_token) as connector:
        async_rows = await connector.read_daily_performance(ACCOUNT, START, end)
    assert len(sync_rows) == 30 and async_rows == sync_rows
    assert len(meta_sandbox.world.report_runs) == 1
    run = next(iter(meta_sandbox.world.report_runs.values()))
    assert run.polls >= meta_sandbox.config.report_polls
    assert run.params["level"] == "campaign" and run.params["time_increment"] == "1"


async def test_a_failed_report_run_is_split_then_given_up(meta_sandbox: MetaSandbox) -> None:
    end = START + dt.timedelta(9)
    cfg = connector_config(meta_sandbox, async_threshold_days=2, async_min_split_days=5)
    async with MetaConnector(cfg, meta_sandbox.demo_access_token) as connector:
        meta_sandbox.fail_report_runs(1)
        rows = await connector.read_daily_performance(ACCOUNT, START, end)
        assert len(rows) == 30 and len(meta_sandbox.world.report_runs) == 3  # 1 failed + 2 halves
        meta_sandbox.fail_report_runs(3)
        with pytest.raises(TransientError, match="Job Failed"):
            await connector.read_daily_performance(ACCOUNT, START, end)


async def test_incremental_rereads_the_lookback_window_and_upserts() -> None:
    today = START + dt.timedelta(39)
    sandbox = await start_meta_sandbox(make_meta_data(campaigns=2, days=40))
    try:
        config = connector_config(sandbox, initial_history_days=40)
        async with MetaConnector(config, sandbox.demo_access_token) as connector:
            store = {r.key: r for r in await connector.read_incremental(ACCOUNT, None, today)}
            assert len(store) == 80
            restated_day = today - dt.timedelta(20)
            sandbox.set_metrics("1202100000000", restated_day, spend=999.5)
            await sandbox.add_spend("1202100000001", today, spend=5.0)
            again = await connector.read_incremental(ACCOUNT, today - dt.timedelta(1), today)
    finally:
        await sandbox.stop()
    assert min(r.date for r in again) == today - dt.timedelta(28)
    store.update({r.key: r for r in again})
    assert len(store) == 80  # a re-read never duplicates
    restated = [r for r in store.values() if r.date == restated_day and r.spend == 999.5]
    assert [r.campaign_id for r in restated] == ["1202100000000"]
    day = [r for r in store.values() if r.date == today and r.campaign_id == "1202100000001"]
    assert day[0].spend == pytest.approx(metrics_for(1, 39).spend + 5.0)


def test_lookback_window() -> None:
    today = dt.date(2026, 6, 30)
    assert lookback_window(None, today, initial_days=30) == (dt.date(2026, 6, 1), today)
    assert lookback_window(dt.date(2026, 6, 29), today) == (dt.date(2026, 6, 2), today)
    assert lookback_window(dt.date(2026, 5, 1), today) == (dt.date(2026, 5, 2), today)
    assert lookback_window(None, today, initial_days=5000)[0] > dt.date(2023, 5, 1)
    with pytest.raises(ValueError):
        lookback_window(None, today, lookback_days=0)


def test_rows_that_do_not_parse_are_malformed() -> None:
    def channel(campaign_id: str, name: str) -> str:
        return "meta:other"

    good = {"campaign_id": "1", "date_start": "2026-01-01", "date_stop": "2026-01-01"}
    row = to_performance_row(good, account_id="act_1", currency="EUR", channel_of=channel)
    assert row.spend == 0 and row.currency == "EUR" and row.channel == "meta:other"
    for bad in (
        {**good, "spend": "lots"},
        {**good, "date_stop": "2026-01-02"},
        {"date_start": "2026-01-01", "date_stop": "2026-01-01"},
        {**good, "actions": "none"},
    ):
        with pytest.raises(MalformedResponseError):
            to_performance_row(bad, account_id="act_1", currency="USD", channel_of=channel)
    actions = [{"action_type": "purchase", "value": "3"}, {"action_type": "omni_purchase"}]
    assert pick_action_value(actions, ("omni_purchase", "purchase")) == 0.0
    assert pick_action_value(actions, ("purchase",)) == 3.0
    assert pick_action_value([], ("purchase",)) == 0.0


@pytest.mark.slow
async def test_two_years_of_fifty_campaigns_through_an_async_report() -> None:
    sandbox = await start_meta_sandbox(make_meta_data(campaigns=50, days=730))
    try:
        config = connector_config(sandbox, page_size=1000)
        async with MetaConnector(config, sandbox.demo_access_token) as connector:
            end = START + dt.timedelta(729)
            rows = await connector.read_daily_performance(ACCOUNT, START, end)
    finally:
        await sandbox.stop()
    assert len(rows) == 50 * 730 and len({r.key for r in rows}) == 50 * 730
    assert len(sandbox.world.report_runs) == 1
    total = sum(metrics_for(c, d).spend for c in range(50) for d in range(730))
    assert sum(r.spend for r in rows) == pytest.approx(total)
