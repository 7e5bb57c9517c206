"""Daily performance: mapping, streaming across batches, scale, and incremental upserts."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from connectors.errors import MalformedResponseError
from connectors.google_ads import GoogleAdsConnector, channel_for
from connectors.google_ads.mapping import performance_row
from connectors.records import DailyPerformanceRow
from connectors.sandbox.google_ads import GoogleAdsSandbox, start_google_ads_sandbox
from connectors.sandbox.google_ads.protos import RowWriter, SearchResponse
from tests.connectors.google_ads_fixtures import (
    CUSTOMER_ID,
    SECOND_ID,
    START,
    make_connector,
    make_data,
)

pytest_plugins = ["tests.connectors.google_ads_fixtures"]

Key = tuple[dt.date, str, str, str, str]


async def test_reads_one_row_per_campaign_and_day(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    end = START + dt.timedelta(days=9)
    rows = await ads_connector.read_daily_performance(CUSTOMER_ID, START, end)
    assert len(rows) == 7 * 10 and len({r.key for r in rows}) == 70
    assert rows == sorted(rows, key=lambda r: (r.date, int(r.campaign_id)))
    first = rows[0]
    assert first == DailyPerformanceRow(
        date=START,
        platform="google_ads",
        account_id=CUSTOMER_ID,
        campaign_id="1000",
        campaign_name="Campaign 0",
        channel="google_ads:search",
        spend=10.0,
        impressions=1000,
        clicks=50,
        conversions=2.5,
        revenue=40.0,
        currency="EUR",
    )
    day_three = [r for r in rows if r.campaign_id == "1003" and r.date == START.replace(day=3)]
    assert day_three[0].spend == pytest.approx(13.5)
    assert day_three[0].channel == "google_ads:youtube"
    streams = [c for c in ads_sandbox.calls if c.method == "SearchStream"]
    assert len(streams) == 1  # one operation, however many batches of 7 rows it streamed
    other = await ads_connector.read_daily_performance(SECOND_ID, START, START)
    assert [(r.campaign_id, r.currency) for r in other] == [("1100", "USD"), ("1101", "USD")]


async def test_dates_outside_the_data_give_no_rows(ads_connector: GoogleAdsConnector) -> None:
    rows = await ads_connector.read_daily_performance(
        CUSTOMER_ID, dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    )
    assert rows == []


async def test_two_years_of_fifty_campaigns() -> None:
    """The production shape (730 days x 50 campaigns), with metrics every 10th day to
    keep the test fast: the full two-year range is queried and streamed in batches."""
    data = make_data(campaigns=50, days=730, every=10, second_customer=False, manager=False)
    with start_google_ads_sandbox(data, page_size=1000) as sandbox:
        async with make_connector(sandbox) as connector:
            started = time.monotonic()
            end = START + dt.timedelta(days=729)
            rows = await connector.read_daily_performance(CUSTOMER_ID, START, end)
            elapsed = time.monotonic() - started
    assert len(rows) == 50 * 73
    assert {r.campaign_id for r in rows} == {str(1000 + i) for i in range(50)}
    assert rows[0].date == START and rows[-1].date == START + dt.timedelta(days=720)
    assert elapsed < 5


async def test_incremental_reread_upserts_the_conversion_window(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    store: dict[Key, DailyPerformanceRow] = {}
    today = START + dt.timedelta(days=29)
    first = await ads_connector.read_incremental(CUSTOMER_ID, None, today)
    store.update((r.key, r) for r in first)
    assert len(store) == 7 * 30

    late_day = today - dt.timedelta(days=5)  # inside the 14-day window
    old_day = today - dt.timedelta(days=20)  # outside it: settled, not re-read
    ads_sandbox.state.add_spend(CUSTOMER_ID, "1001", late_day, 4.0, conversions=1, revenue=25)
    ads_sandbox.state.add_spend(CUSTOMER_ID, "1001", old_day, 100.0)
    before_late = store[(late_day, "google_ads", CUSTOMER_ID, "1001", "google_ads:shopping")]

    again = await ads_connector.read_incremental(CUSTOMER_ID, today, today)
    assert min(r.date for r in again) == today - dt.timedelta(days=14)
    assert len(again) == 7 * 15
    store.update((r.key, r) for r in again)
    assert len(store) == 7 * 30  # upserted, never duplicated
    after_late = store[before_late.key]
    assert after_late.spend == pytest.approx(before_late.spend + 4.0)
    assert after_late.conversions == pytest.approx(before_late.conversions + 1)
    assert after_late.revenue == pytest.approx(before_late.revenue + 25)
    old_key = (old_day, "google_ads", CUSTOMER_ID, "1001", "google_ads:shopping")
    assert store[old_key].spend == pytest.approx(10 + 1 + 9 * 0.25)

    query = [c.query for c in ads_sandbox.calls if c.method == "SearchStream"][-1]
    assert query is not None
    assert f"BETWEEN '{today - dt.timedelta(days=14)}' AND '{today}'" in query


async def test_incremental_validates_the_window(ads_connector: GoogleAdsConnector) -> None:
    with pytest.raises(ValueError):
        await ads_connector.read_incremental(CUSTOMER_ID, START, START, conversion_window_days=-1)


@pytest.mark.parametrize(
    ("channel_type", "channel"),
    [
        ("SEARCH", "google_ads:search"),
        ("SHOPPING", "google_ads:shopping"),
        ("PERFORMANCE_MAX", "google_ads:pmax"),
        ("VIDEO", "google_ads:youtube"),
        ("DISPLAY", "google_ads:display"),
        ("DEMAND_GEN", "google_ads:demand_gen"),
        ("DISCOVERY", "google_ads:demand_gen"),
        ("HOTEL", "google_ads:other"),
        ("UNKNOWN", "google_ads:other"),
    ],
)
def test_channel_mapping(channel_type: str, channel: str) -> None:
    assert channel_for(channel_type) == channel


def _row(**values: Any) -> Any:
    response = SearchResponse()
    RowWriter(list(values)).write([values], response.results)
    return response.results[0]


GOOD = {
    "campaign.id": 7,
    "campaign.name": "x",
    "campaign.advertising_channel_type": "SEARCH",
    "segments.date": "2025-01-01",
    "metrics.cost_micros": 1_500_000,
    "customer.currency_code": "USD",
}


def test_maps_a_complete_row() -> None:
    row = performance_row(_row(**GOOD), CUSTOMER_ID)
    assert (row.campaign_id, row.spend, row.channel) == ("7", 1.5, "google_ads:search")


@pytest.mark.parametrize(
    "broken",
    [
        {"campaign.id": None},
        {"segments.date": None},
        {"segments.date": "01/02/2025"},
        {"customer.currency_code": None},
        {"metrics.cost_micros": -5},
    ],
)
def test_rejects_incomplete_or_invalid_rows(broken: dict[str, Any]) -> None:
    values = {k: v for k, v in (GOOD | broken).items() if v is not None}
    with pytest.raises(MalformedResponseError):
        performance_row(_row(**values), CUSTOMER_ID)
