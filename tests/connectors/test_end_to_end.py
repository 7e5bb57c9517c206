"""End to end: the whole sandbox suite, the three connectors, OAuth, push, and faults.

Everything listens on 127.0.0.1 (the suite, a push receiver) and is stopped at teardown.
Mutations and faults go through the `mediaplan sandbox` commands (`connectors.sandbox.cli`
over the admin HTTP API), run in a worker thread because the suite serves on this loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.config import ConnectorSettings, sandbox_env
from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_ads import GoogleAdsConnector, RetryPolicy
from connectors.google_drive import DRIVE_SCOPES, GoogleDriveConnector, parse_push_notification
from connectors.google_oauth import SCOPE_ADWORDS, GoogleOAuthFlow, InMemoryStateStore
from connectors.meta import (
    MetaConnector,
    MetaOAuth,
    parse_webhook,
    verify_signature,
    verify_subscription,
)
from connectors.records import Change, DailyPerformanceRow, OAuthTokens, Platform
from connectors.sandbox import cli
from connectors.sandbox.data import SandboxData
from connectors.sandbox.google import submit_consent
from connectors.sandbox.server import SandboxPorts, SandboxSuite
from evals.sandbox_seed import GOOGLE_ADS_CUSTOMER_ID, META_ACCOUNT_ID, PLAN_FILE_ID, sandbox_data

REDIRECT = "http://127.0.0.1:9/oauth/callback"
END = dt.date(2026, 12, 31)
START = END - dt.timedelta(days=59)


@pytest.fixture(scope="module")
def seed() -> SandboxData:
    return sandbox_data()


@pytest.fixture
async def suite(seed: SandboxData) -> AsyncIterator[SandboxSuite]:
    async with SandboxSuite(seed) as running:
        yield running


@pytest.fixture
def settings(suite: SandboxSuite) -> ConnectorSettings:
    return ConnectorSettings.from_env(sandbox_env(suite.endpoints()))


@dataclass
class Receiver:
    """Drive notifications (headers only) and Meta webhooks (verified like production)."""

    verify_token: str
    app_secret: str
    url: str = ""
    drive: list[dict[str, str]] = field(default_factory=list)
    meta: list[Change] = field(default_factory=list)
    rejected: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_drive(self, request: web.Request) -> web.Response:
        self.drive.append(dict(request.headers))
        self.arrived.set()
        return web.Response(status=200)

    async def on_meta(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            challenge = verify_subscription(dict(request.query), self.verify_token)
            return web.Response(text=challenge) if challenge else web.Response(status=403)
        body = await request.read()
        if not verify_signature(body, request.headers.get("X-Hub-Signature-256"), self.app_secret):
            self.rejected += 1
            return web.Response(status=403)
        self.meta.extend(parse_webhook(body))
        self.arrived.set()
        return web.Response(text="ok")

    async def wait(self, predicate: Any, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver(suite: SandboxSuite) -> AsyncIterator[Receiver]:
    meta = suite.endpoints()["meta"]
    found = Receiver(verify_token=meta["verify_token"], app_secret=meta["app_secret"])
    app = web.Application()
    app.router.add_post("/drive", found.on_drive)
    app.router.add_route("*", "/meta", found.on_meta)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    found.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield found
    finally:
        await runner.cleanup()


async def run_cli(suite: SandboxSuite, *argv: str) -> int:
    """`mediaplan sandbox <argv> --admin-url ...` in a worker thread; its exit status."""
    return await asyncio.to_thread(cli.main, [*argv, "--admin-url", suite.admin_url])


async def google_login(settings: ConnectorSettings, scopes: tuple[str, ...]) -> OAuthTokens:
    """The Google consent flow (PKCE, offline) against the sandbox, approved headlessly."""
    platform: Platform = "google_ads" if SCOPE_ADWORDS in scopes else "google_drive"
    flow = GoogleOAuthFlow(
        settings.google.oauth_config(scopes, redirect_uri=REDIRECT, timeout_s=5.0),
        InMemoryStateStore(),
        platform=platform,
    )
    request = await flow.start("workspace-1")
    callback = await submit_consent(request.url)
    done = await flow.complete(callback)
    assert done.platform == platform and done.workspace_id == "workspace-1"
    return done.tokens


async def meta_login(settings: ConnectorSettings) -> str:
    """Facebook Login against the sandbox (auto-approved): a long-lived token."""
    oauth = MetaOAuth(settings.meta.oauth_config(timeout_s=5.0), InMemoryStateStore())
    url = await oauth.authorization_url(workspace_id="workspace-1", redirect_uri=REDIRECT)
    async with httpx.AsyncClient(timeout=5.0) as http:
        answer = await http.get(url + "&sandbox_auto_approve=1")
    assert answer.status_code == 302
    login = await oauth.complete(answer.headers["location"])
    return login.tokens.access_token


def drive_connector(settings: ConnectorSettings, tokens: OAuthTokens) -> GoogleDriveConnector:
    client_id, client_secret = settings.google.client_credentials()
    return GoogleDriveConnector(
        tokens,
        client_id=client_id,
        client_secret=client_secret,
        settings=settings.google.drive_settings(timeout_s=10.0),
    )


def ads_connector(
    settings: ConnectorSettings, tokens: OAuthTokens, attempts: int = 1
) -> GoogleAdsConnector:
    client_id, client_secret = settings.google.client_credentials()
    return GoogleAdsConnector.from_tokens(
        tokens,
        settings.google_ads.settings(timeout_s=10.0, stream_timeout_s=20.0),
        client_id=client_id,
        client_secret=client_secret,
        token_url=settings.google.token_url,
        retry=RetryPolicy(attempts=attempts, base_delay_s=0.01),
    )


def meta_connector(settings: ConnectorSettings, token: str) -> MetaConnector:
    config = settings.meta.connector_config(
        timeout_s=10.0, max_retries=0, async_poll_interval_s=0.01, change_overlap_s=0.0
    )
    return MetaConnector(config, token)


def seeded_rows(seed: SandboxData, start: dt.date, end: dt.date) -> dict[Any, tuple[float, ...]]:
    """(campaign id, day) -> metrics for delivering days in [start, end], both platforms."""
    campaigns = [c for a in seed.meta_ad_accounts for c in a.campaigns]
    campaigns += [c for a in seed.google_ads_customers for c in a.campaigns]
    return {
        (c.id, m.date): (m.spend, m.impressions, m.clicks, m.conversions, m.revenue)
        for c in campaigns
        for m in c.daily
        if start <= m.date <= end and m.spend + m.impressions + m.clicks > 0
    }


def read_rows(rows: list[DailyPerformanceRow]) -> dict[Any, tuple[float, ...]]:
    return {
        (r.campaign_id, r.date): (r.spend, r.impressions, r.clicks, r.conversions, r.revenue)
        for r in rows
        if r.spend + r.impressions + r.clicks > 0
    }


async def test_google_oauth_then_drive_discovery_and_the_brief(
    settings: ConnectorSettings, seed: SandboxData
) -> None:
    tokens = await google_login(settings, DRIVE_SCOPES)
    assert tokens.refresh_token and set(tokens.scope) == set(DRIVE_SCOPES)
    async with drive_connector(settings, tokens) as drive:
        plans = await drive.discover_resources()
        brief = await drive.read_campaign_brief(PLAN_FILE_ID)
    assert [(p.id, p.type) for p in plans] == [(PLAN_FILE_ID, "spreadsheet")]
    assert brief.campaign_id == "q1-2027-northwind" and brief.objective == "revenue"
    assert brief.total_budget == 297000.0
    assert (brief.start_date, brief.end_date) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert len(brief.channels) == 7 and brief.industry == "retail" and brief.region == "US"
    bounds = {b.channel: b for b in brief.channels}
    assert bounds["meta:instagram_reels"].min_spend == 20000.0
    assert bounds["google_ads:youtube"].max_spend == 25000.0


async def test_meta_and_google_ads_performance_match_the_seed(
    settings: ConnectorSettings, seed: SandboxData
) -> None:
    ads_tokens = await google_login(settings, (SCOPE_ADWORDS,))
    async with ads_connector(settings, ads_tokens) as ads:
        ads_resources = await ads.discover_resources()
        ads_rows = await ads.read_daily_performance(GOOGLE_ADS_CUSTOMER_ID, START, END)
    async with meta_connector(settings, await meta_login(settings)) as meta:
        meta_resources = await meta.discover_resources()
        meta_rows = await meta.read_daily_performance(META_ACCOUNT_ID, START, END)

    seeded = {c.id: c.channel for a in seed.meta_ad_accounts for c in a.campaigns}
    seeded |= {c.id: c.channel for a in seed.google_ads_customers for c in a.campaigns}
    found = {
        r.id: r.metadata["channel"]
        for r in [*ads_resources, *meta_resources]
        if r.type == "campaign"
    }
    assert found == seeded
    assert {r.channel for r in [*ads_rows, *meta_rows]} == set(seeded.values())
    actual = read_rows([*ads_rows, *meta_rows])
    expected = seeded_rows(seed, START, END)
    assert actual.keys() == expected.keys()
    for key, values in expected.items():
        assert actual[key] == pytest.approx(values, abs=1e-6), key


async def test_edit_sheet_pushes_a_drive_notification(
    suite: SandboxSuite, settings: ConnectorSettings, receiver: Receiver
) -> None:
    tokens = await google_login(settings, DRIVE_SCOPES)
    async with drive_connector(settings, tokens) as drive:
        cursor = (await drive.list_changes(None)).next_cursor
        channel = await drive.start_watch(cursor, receiver.url + "/drive", "drive-secret")
        await receiver.wait(lambda: len(receiver.drive) == 1)  # the `sync` handshake
        status = await run_cli(
            suite, "edit-sheet", "--file", PLAN_FILE_ID, "--sheet", "Plan", "--cell", "B4",
            "--value", "300000",
        )  # fmt: skip
        assert status == 0
        await receiver.wait(lambda: len(receiver.drive) == 2)
        notes = [parse_push_notification(h, expected_token="drive-secret") for h in receiver.drive]
        assert [n.resource_state for n in notes] == ["sync", "change"]
        assert {n.channel_id for n in notes} == {channel.channel_id}
        changes = await drive.list_changes(cursor)
        assert [(c.resource_id, c.change_type) for c in changes.changes] == [
            (PLAN_FILE_ID, "updated")
        ]
        assert (await drive.read_campaign_brief(PLAN_FILE_ID)).total_budget == 300000.0
        await drive.stop_watch(channel)


async def test_add_spend_sends_a_signed_meta_webhook(
    suite: SandboxSuite, settings: ConnectorSettings, receiver: Receiver, seed: SandboxData
) -> None:
    campaign = seed.meta_ad_accounts[0].campaigns[0]
    before = next(m.spend for m in campaign.daily if m.date == END)
    verify_token = suite.endpoints()["meta"]["verify_token"]
    async with meta_connector(settings, suite.meta.demo_access_token) as meta:
        await meta.start_watch(f"act_{META_ACCOUNT_ID}", receiver.url + "/meta", verify_token)
        status = await run_cli(
            suite, "add-spend", "--platform", "meta", "--campaign", campaign.id,
            "--date", END.isoformat(), "--amount", "120.5",
        )  # fmt: skip
        assert status == 0
        await receiver.wait(lambda: bool(receiver.meta))
        rows = await meta.read_daily_performance(META_ACCOUNT_ID, END, END)
    assert receiver.rejected == 0
    assert [c.resource_id for c in receiver.meta] == [f"act_{META_ACCOUNT_ID}"]  # a metric hint
    spend = next(r.spend for r in rows if r.campaign_id == campaign.id)
    assert spend == pytest.approx(before + 120.5)


def demo_tokens(suite: SandboxSuite) -> OAuthTokens:
    demo = suite.demo_google_tokens
    return OAuthTokens(
        access_token=demo["access_token"],
        refresh_token=demo["refresh_token"],
        scope=demo["scope"].split(),
    )


async def test_expired_google_tokens_are_refreshed_transparently(
    suite: SandboxSuite, settings: ConnectorSettings
) -> None:
    tokens = demo_tokens(suite)
    assert await run_cli(suite, "fault", "--platform", "google", "--kind", "expire-token") == 0
    async with drive_connector(settings, tokens) as drive:
        assert [p.id for p in await drive.discover_resources()] == [PLAN_FILE_ID]
        assert drive.tokens.access_token != tokens.access_token
    assert await run_cli(suite, "fault", "--platform", "google_ads", "--kind", "expire-token") == 0
    async with ads_connector(settings, tokens, attempts=2) as ads:
        assert len(await ads.read_daily_performance(GOOGLE_ADS_CUSTOMER_ID, END, END)) == 4
        assert ads.tokens().access_token != tokens.access_token


FAULTS = [
    ("google", "429", RateLimitedError),
    ("google", "500", TransientError),
    ("google", "malformed", MalformedResponseError),
    ("google", "revoke-refresh", ReconnectRequiredError),
    ("meta", "429", RateLimitedError),
    ("meta", "500", TransientError),
    ("meta", "malformed", MalformedResponseError),
    ("meta", "expire-token", ReconnectRequiredError),
    ("meta", "revoke-refresh", ReconnectRequiredError),
    ("google_ads", "429", RateLimitedError),
    ("google_ads", "500", TransientError),
    ("google_ads", "malformed", MalformedResponseError),
    ("google_ads", "revoke-refresh", ReconnectRequiredError),
]


@pytest.mark.parametrize(("platform", "kind", "error"), FAULTS)
async def test_injected_faults_surface_as_typed_errors(
    suite: SandboxSuite,
    settings: ConnectorSettings,
    platform: str,
    kind: str,
    error: type[ConnectorError],
) -> None:
    tokens = demo_tokens(suite)
    assert await run_cli(suite, "fault", "--platform", platform, "--kind", kind) == 0
    with pytest.raises(error) as caught:
        if platform == "google":
            async with drive_connector(settings, tokens) as drive:
                await drive.discover_resources()
        elif platform == "meta":
            async with meta_connector(settings, suite.meta.demo_access_token) as meta:
                await meta.discover_resources()
        else:
            async with ads_connector(settings, tokens) as ads:
                await ads.read_daily_performance(GOOGLE_ADS_CUSTOMER_ID, END, END)
    assert caught.value.retryable == error.retryable
    if kind == "429":
        assert caught.value.retry_after_s is not None and caught.value.retry_after_s > 0
    assert suite.fault_plan(platform).pending() == []  # it fired once, as asked


async def test_a_busy_port_fails_the_start_and_releases_everything(seed: SandboxData) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        suite = SandboxSuite(seed, ports=SandboxPorts(admin=busy.getsockname()[1]))
        with pytest.raises(OSError):
            await suite.start()
    for port in (suite.google_ads.port, int(suite.google.base_url.rsplit(":", 1)[1])):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # released by the failed start
