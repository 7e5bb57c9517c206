"""The Drive/Sheets connector against the sandbox: discovery, briefs, changes, watch, faults."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.base import Connector
from connectors.errors import (
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    SheetFormatError,
    TransientError,
)
from connectors.google_drive import DRIVE_SCOPES, DriveSettings, GoogleDriveConnector
from connectors.records import OAuthTokens
from connectors.sandbox.data import DriveFileData, SandboxData
from connectors.sandbox.google import GoogleSandbox

MakeConnector = Callable[..., GoogleDriveConnector]


@pytest.fixture
async def make_connector(google_sandbox: GoogleSandbox) -> AsyncIterator[MakeConnector]:
    made: list[GoogleDriveConnector] = []

    def make(**settings: Any) -> GoogleDriveConnector:
        issued = google_sandbox.issue_tokens(list(DRIVE_SCOPES))
        tokens = OAuthTokens(
            access_token=issued["access_token"],
            refresh_token=issued["refresh_token"],
            expires_at=issued["expires_at"],
            scope=list(DRIVE_SCOPES),
        )
        refreshed = settings.pop("on_tokens_refreshed", None)
        ep = google_sandbox.endpoints
        connector = GoogleDriveConnector(
            tokens,
            client_id=google_sandbox.client_id,
            client_secret=google_sandbox.client_secret,
            settings=DriveSettings(
                drive_api=ep["drive_api"],
                sheets_api=ep["sheets_api"],
                token_url=ep["token_url"],
                **{"timeout_s": 5.0, **settings},
            ),
            on_tokens_refreshed=refreshed,
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()


class Receiver:
    """A local web-hook endpoint that records every notification's headers."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        assert await request.read() == b""
        await self.received.put(dict(request.headers))
        return web.Response(status=200)

    async def next(self, state: str | None = None) -> dict[str, str]:
        while True:
            headers = await asyncio.wait_for(self.received.get(), 5)
            if state is None or headers["X-Goog-Resource-State"] == state:
                return headers


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/drive", recv.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    recv.url = f"http://127.0.0.1:{port}/hooks/drive"
    yield recv
    await runner.cleanup()


def test_it_is_a_connector(make_connector: MakeConnector) -> None:
    assert isinstance(make_connector(), Connector)


async def test_discovery_finds_plans_only(make_connector: MakeConnector) -> None:
    resources = await make_connector().discover_resources()
    assert sorted(r.id for r in resources) == ["budget-2027", "plan-q3"]
    plan = next(r for r in resources if r.id == "plan-q3")
    assert (plan.name, plan.type, plan.platform) == ("Q3 Media Plan", "spreadsheet", "google_drive")
    assert plan.last_modified == dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    assert plan.metadata["owners"] == ["planner@example.com"]


class TestManyFiles:
    @pytest.fixture
    def google_sandbox_data(self) -> SandboxData:
        when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        names = ["Media plan {}", "Campaign {} flighting", "Invoice {}", "Budgets {}"]
        files = [
            DriveFileData(id=f"f{i:03}", name=names[i % 4].format(i), modified_time=when)
            for i in range(240)
        ]
        return SandboxData(drive_files=files)

    async def test_discovery_pages_through_every_file(
        self, make_connector: MakeConnector, google_sandbox: GoogleSandbox
    ) -> None:
        found = await make_connector(page_size=25).discover_resources()
        assert len(found) == 180  # invoices excluded; "Budgets" matches the prefix "budget"
        assert not any(r.name.startswith("Invoice") for r in found)
        pages = [p for m, p in google_sandbox.requests if p.startswith("/drive/v3/files?")]
        assert len(pages) == 8

    async def test_name_patterns_are_configurable(self, make_connector: MakeConnector) -> None:
        found = await make_connector(plan_name_terms=("invoice",)).discover_resources()
        assert len(found) == 60


async def test_read_resource_and_brief(make_connector: MakeConnector) -> None:
    connector = make_connector()
    content = await connector.read_resource("plan-q3")
    assert content["title"] == "Q3 Media Plan"
    sheets = content["sheets"]
    assert isinstance(sheets, dict) and list(sheets) == ["Plan", "Notes"]
    assert sheets["Plan"][5] == ["Total budget", 250000]  # unformatted: numbers stay numbers
    brief = await connector.read_campaign_brief("plan-q3")
    assert (brief.source_id, brief.campaign_id, brief.total_budget) == (
        "plan-q3",
        "q3-2026-northwind",
        250000.0,
    )
    assert [c.channel for c in brief.channels] == [
        "google_ads:search",
        "meta:instagram_reels",
        "meta:advantage_plus",
    ]


async def test_read_errors(make_connector: MakeConnector) -> None:
    connector = make_connector()
    with pytest.raises(SheetFormatError, match=r"^Sheet1: no 'Objective' label found"):
        await connector.read_campaign_brief("budget-2027")
    with pytest.raises(NotFoundError):
        await connector.read_resource("nope")
    assert (
        await connector.read_daily_performance("x", dt.date(2026, 1, 1), dt.date(2026, 1, 2)) == []
    )


async def test_change_cursors(make_connector: MakeConnector, google_sandbox: GoogleSandbox) -> None:
    connector = make_connector(page_size=2)
    first = await connector.list_changes(None)
    assert first.changes == [] and first.next_cursor
    await google_sandbox.edit_cell("plan-q3", "Plan", "B6", 300000)
    await google_sandbox.edit_cell("plan-q3", "Plan", "B7", "EUR")
    await google_sandbox.trash_file("budget-2027")
    await google_sandbox.edit_cell("offsite", "Sheet1", "A2", "Lisbon")
    await google_sandbox.delete_file("workplan")
    await google_sandbox.rename_file("notes-doc", "Campaign notes v2")  # not a spreadsheet
    page = await connector.list_changes(first.next_cursor)
    kinds = {c.resource_id: c.change_type for c in page.changes}
    assert kinds == {
        "plan-q3": "updated",
        "budget-2027": "removed",
        "offsite": "updated",
        "workplan": "removed",
    }
    assert all(c.changed_at is not None for c in page.changes)
    assert (await connector.list_changes(page.next_cursor)).changes == []
    # every page was read: 6 changes in pages of 2
    assert sum(p.startswith("/drive/v3/changes?") for _, p in google_sandbox.requests) == 4


async def test_a_bounded_read_resumes_from_its_cursor(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    connector = make_connector(page_size=1, max_change_pages=2)
    cursor = (await connector.list_changes(None)).next_cursor
    for cell in ("A1", "A2", "A3"):
        await google_sandbox.edit_cell("offsite", "Sheet1", cell, "x")
    await google_sandbox.trash_file("plan-q3")
    first = await connector.list_changes(cursor)
    rest = await connector.list_changes(first.next_cursor)
    assert [c.resource_id for c in first.changes] == ["offsite"]
    assert [(c.resource_id, c.change_type) for c in rest.changes] == [
        ("offsite", "updated"),
        ("plan-q3", "removed"),
    ]


async def test_watch_gets_real_notifications(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox, receiver: Receiver
) -> None:
    connector = make_connector()
    channel = await connector.start_watch("", receiver.url, "s3cret")
    assert channel.expires_at is not None and channel.resource_id and channel.token == "s3cret"
    sync = await receiver.next()
    assert connector.parse_push_notification(sync, channel).needs_sync is False

    async with httpx.AsyncClient(base_url=google_sandbox.base_url) as client:
        answer = await client.post(
            "/_sandbox/files/plan-q3/cells", json={"sheet": "Plan", "cell": "B6", "value": 1}
        )
    assert answer.status_code == 200 and answer.json()["deliveries"][0]["status"] == 200
    change = connector.parse_push_notification(await receiver.next(), channel)
    assert (change.resource_state, change.message_number, change.needs_sync) == ("change", 2, True)
    assert change.channel_expiration is not None

    await connector.stop_watch(channel)
    await connector.stop_watch(channel)  # idempotent
    await google_sandbox.edit_cell("plan-q3", "Plan", "B6", 2)
    assert receiver.received.empty()


async def test_expired_channels_get_nothing_and_renewal_replaces_them(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox, receiver: Receiver
) -> None:
    connector = make_connector(watch_ttl=dt.timedelta(hours=1))
    old = await connector.start_watch("", receiver.url, "tok")
    await receiver.next("sync")
    google_sandbox.advance_clock(3601)
    assert await google_sandbox.edit_cell("plan-q3", "Plan", "B6", 3) == []
    assert receiver.received.empty()

    fresh = await make_connector().renew_watch(old)  # a week, beyond the skewed sandbox clock
    assert fresh.channel_id != old.channel_id and fresh.token == "tok"
    assert google_sandbox.world.channels[old.channel_id].stopped
    await receiver.next("sync")
    deliveries = await google_sandbox.edit_cell("plan-q3", "Plan", "B6", 4)
    assert [d.channel_id for d in deliveries] == [fresh.channel_id]
    assert (await receiver.next("change"))["X-Goog-Channel-ID"] == fresh.channel_id


# -- faults ----------------------------------------------------------------------------------


async def test_rate_limit_and_server_errors(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    connector = make_connector()
    google_sandbox.faults.inject("status", path="/drive/v3/files", status=429, retry_after_s=3)
    with pytest.raises(RateLimitedError) as limited:
        await connector.discover_resources()
    assert limited.value.retry_after_s == 3 and limited.value.retryable
    google_sandbox.faults.inject("status", path="/v4/*", status=503)
    with pytest.raises(TransientError):
        await connector.read_resource("plan-q3")
    assert len(await connector.discover_resources()) == 2


async def test_an_expired_token_is_refreshed_transparently(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    saved: list[OAuthTokens] = []

    async def save(tokens: OAuthTokens) -> None:
        saved.append(tokens)

    connector = make_connector(on_tokens_refreshed=save)
    before = connector.tokens
    google_sandbox.faults.inject("expire_token", path="/drive/v3/*")
    assert len(await connector.discover_resources()) == 2
    assert [t.access_token for t in saved] == [connector.tokens.access_token]
    assert saved[0].access_token != before.access_token
    assert saved[0].refresh_token == before.refresh_token
    assert ("POST", "/token") in google_sandbox.requests


async def test_a_revoked_refresh_token_means_reconnect(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    connector = make_connector()
    google_sandbox.faults.inject("revoke_refresh", path="/drive/v3/files")
    with pytest.raises(ReconnectRequiredError, match="invalid_grant"):
        await connector.discover_resources()


async def test_malformed_pages(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    connector = make_connector()
    google_sandbox.faults.inject("malformed", path="/drive/v3/files")
    with pytest.raises(MalformedResponseError, match=r"files\.list page that is not JSON"):
        await connector.discover_resources()
    google_sandbox.faults.inject("malformed", path="/drive/v3/files", body='{"files": 5}')
    with pytest.raises(MalformedResponseError, match=r"files\.list page"):
        await connector.discover_resources()
    cursor = (await connector.list_changes(None)).next_cursor
    google_sandbox.faults.inject("malformed", path="/drive/v3/changes", body='{"changes": []}')
    with pytest.raises(MalformedResponseError, match="paging"):
        await connector.list_changes(cursor)


async def test_a_slow_answer_times_out(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    connector = make_connector(timeout_s=0.3)
    google_sandbox.faults.inject("delay", path="/drive/v3/files", delay_s=1.5)
    with pytest.raises(TransientError, match=r"no answer within 0\.3s"):
        await connector.discover_resources()
    assert len(await connector.discover_resources()) == 2


async def test_faults_can_be_scripted_over_http(
    make_connector: MakeConnector, google_sandbox: GoogleSandbox
) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            google_sandbox.endpoints["faults_url"],
            json=[{"kind": "status", "status": 500, "path": "/drive/v3/changes/*", "times": 2}],
        )
    assert answer.status_code == 201 and answer.json()["faults"][0]["times"] == 2
    connector = make_connector()
    for _ in range(2):
        with pytest.raises(TransientError):
            await connector.list_changes(None)
    assert (await connector.list_changes(None)).next_cursor
