"""`change_status` polling: hints per campaign, exactly-once cursors, lag, pages, 90 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from connectors.google_ads import GoogleAdsConnector
from connectors.google_ads.changes import (
    ChangeStatusRow,
    CustomerCursor,
    advance,
    decode_cursor,
    encode_cursor,
    window_start,
)
from connectors.records import ChangePage
from connectors.sandbox.data import CampaignData
from connectors.sandbox.google_ads import GoogleAdsSandbox, start_google_ads_sandbox
from tests.connectors.google_ads_fixtures import CUSTOMER_ID, SECOND_ID, make_connector, make_data

pytest_plugins = ["tests.connectors.google_ads_fixtures"]

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[GoogleAdsSandbox]:
    with start_google_ads_sandbox(make_data(campaigns=7, days=2), clock=clock) as started:
        yield started


def changes_of(page: ChangePage) -> set[tuple[str, str]]:
    return {(c.resource_id, c.change_type) for c in page.changes}


async def test_polls_report_each_change_once(sandbox: GoogleAdsSandbox, clock: Clock) -> None:
    async with make_connector(sandbox, clock=clock) as connector:
        first = await connector.list_changes(None)
        assert first.changes == []

        state = sandbox.state
        paused_at = clock.advance(60)
        state.pause_campaign(CUSTOMER_ID, "1001")
        clock.advance(1)
        state.rename_campaign(CUSTOMER_ID, "1002", "Renamed")
        state.remove_campaign(CUSTOMER_ID, "1003")
        new = CampaignData(id="1010", name="New", channel="google_ads:search")
        state.add_campaign(CUSTOMER_ID, new)
        state.record_change(CUSTOMER_ID, "AD_GROUP", campaign_id="1004", resource_id="77")
        state.record_change(CUSTOMER_ID, "ASSET", resource_id="5", status="ADDED")
        state.pause_campaign(SECOND_ID, "1100")
        clock.advance(1)

        second = await connector.list_changes(first.next_cursor)
        assert changes_of(second) == {
            ("1001", "updated"),
            ("1002", "updated"),
            ("1003", "removed"),
            ("1010", "created"),
            ("1004", "updated"),
            (CUSTOMER_ID, "updated"),
            ("1100", "updated"),
        }
        paused = next(c for c in second.changes if c.resource_id == "1001")
        assert paused.changed_at == paused_at

        clock.advance(30)  # still inside the 3-minute overlap: nothing is repeated
        third = await connector.list_changes(second.next_cursor)
        assert third.changes == []

        state.enable_campaign(CUSTOMER_ID, "1001")
        fourth = await connector.list_changes(third.next_cursor)
        assert changes_of(fourth) == {("1001", "updated")}


async def test_a_change_that_surfaces_late_is_still_reported(clock: Clock) -> None:
    """change_status can show a change minutes after its timestamp: the overlap re-reads."""
    ahead = Clock(T0 + dt.timedelta(seconds=60))
    with start_google_ads_sandbox(make_data(campaigns=2, days=1), clock=clock) as sandbox:
        async with (
            make_connector(sandbox, clock=ahead) as overlapping,
            make_connector(sandbox, clock=ahead, change_overlap=dt.timedelta(0)) as strict,
        ):
            cursors = [(await c.list_changes(None)).next_cursor for c in (overlapping, strict)]
            clock.advance(30)  # stamped 30 s before the cursors' start
            sandbox.state.pause_campaign(CUSTOMER_ID, "1001")
            ahead.advance(5)
            late = await overlapping.list_changes(cursors[0])
            missed = await strict.list_changes(cursors[1])
    assert changes_of(late) == {("1001", "updated")}
    assert missed.changes == []


async def test_full_pages_continue_on_the_next_poll(
    sandbox: GoogleAdsSandbox, clock: Clock
) -> None:
    async with make_connector(sandbox, clock=clock, change_page_limit=2) as connector:
        cursor = (await connector.list_changes(None)).next_cursor
        for campaign_id in ("1000", "1001", "1002", "1003", "1004"):
            clock.advance(1)
            sandbox.state.pause_campaign(CUSTOMER_ID, campaign_id)
        seen: list[str] = []
        sizes = []
        for _ in range(5):
            page = await connector.list_changes(cursor)
            cursor = page.next_cursor
            sizes.append(len(page.changes))
            seen += [c.resource_id for c in page.changes]
    assert sizes == [2, 1, 1, 1, 0]  # a resumed page re-reads its boundary row, then drops it
    assert seen == ["1000", "1001", "1002", "1003", "1004"]


async def test_a_cursor_older_than_90_days_asks_for_a_full_reread(
    sandbox: GoogleAdsSandbox, clock: Clock
) -> None:
    old = (clock.now - dt.timedelta(days=120)).replace(tzinfo=None)
    cursor = encode_cursor({CUSTOMER_ID: CustomerCursor(old), SECOND_ID: CustomerCursor(old)})
    sandbox.state.pause_campaign(CUSTOMER_ID, "1001")
    async with make_connector(sandbox, clock=clock) as connector:
        page = await connector.list_changes(cursor)
    assert changes_of(page) == {
        (CUSTOMER_ID, "updated"),
        (SECOND_ID, "updated"),
        ("1001", "updated"),
    }
    # the customer-wide hints ask for a full re-read; the queries stayed inside the window
    zones = {CUSTOMER_ID: ZoneInfo("Europe/Berlin"), SECOND_ID: ZoneInfo("America/New_York")}
    queried = [c for c in sandbox.calls if c.query and "FROM change_status" in c.query]
    assert {c.customer_id for c in queried} == set(zones)
    for call in queried:
        assert call.query is not None and call.customer_id is not None
        start = dt.datetime.fromisoformat(call.query.split(">= '")[1].split("'")[0])
        oldest = (clock.now - dt.timedelta(days=90)).astimezone(zones[call.customer_id])
        assert start > oldest.replace(tzinfo=None)


async def test_accounts_that_disappear_are_removed(sandbox: GoogleAdsSandbox, clock: Clock) -> None:
    async with make_connector(sandbox, clock=clock) as connector:
        cursor = (await connector.list_changes(None)).next_cursor
        sandbox.state.set_customer_status(SECOND_ID, "CANCELED")
        page = await connector.list_changes(cursor)
    assert changes_of(page) == {(SECOND_ID, "removed")}


async def test_rejects_a_foreign_cursor(ads_connector: GoogleAdsConnector) -> None:
    with pytest.raises(ValueError):
        await ads_connector.list_changes("page-token-from-somewhere-else")


def test_cursor_round_trip_and_pruning() -> None:
    since = dt.datetime(2026, 3, 2, 12, 0)
    rows = [
        ChangeStatusRow("customers/1/changeStatus/1", since + dt.timedelta(seconds=10)),
        ChangeStatusRow("customers/1/changeStatus/2", since + dt.timedelta(minutes=10)),
    ]
    overlap = dt.timedelta(minutes=3)
    after = advance(CustomerCursor(since), rows, overlap=overlap, full_page=False, now_local=since)
    assert after.since == rows[1].changed_local
    assert after.seen == {rows[1].key}  # the older row left the overlap window
    assert decode_cursor(encode_cursor({"1": after})) == {"1": after}
    start, truncated = window_start(after, since + dt.timedelta(minutes=11), overlap)
    assert (start, truncated) == (after.since - overlap, False)
    resumed = advance(after, [], overlap=overlap, full_page=True, now_local=since)
    assert window_start(resumed, since, overlap) == (after.since, False)
    idle = advance(after, [], overlap=overlap, full_page=False, now_local=since + dt.timedelta(1))
    assert idle.since == since + dt.timedelta(1) - overlap
