"""Shared fixtures and helpers for the Meta connector tests (import them explicitly).

Everything runs against 127.0.0.1: a `MetaSandbox` per test, connectors with fast
retry/poll settings, a webhook receiver built on `connectors.meta.webhooks`, and a helper
that submits the sandbox's consent form the way a browser would.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.google_oauth.state import InMemoryStateStore
from connectors.meta import (
    MetaConnector,
    MetaConnectorConfig,
    MetaOAuth,
    MetaOAuthConfig,
    parse_webhook,
    verify_signature,
    verify_subscription,
)
from connectors.records import Change
from connectors.sandbox.data import AdAccountData, CampaignData, DailyMetrics, SandboxData
from connectors.sandbox.meta import MetaSandbox, start_meta_sandbox

__all__ = [
    "ACCOUNT",
    "CHANNELS",
    "START",
    "WebhookReceiver",
    "connector_config",
    "make_meta_data",
    "meta_connector",
    "meta_sandbox",
    "metrics_for",
    "oauth_for",
    "submit_consent",
    "webhook_receiver",
]

ACCOUNT = "1000000001"
START = dt.date(2026, 1, 1)
CHANNELS = ("meta:instagram_reels", "meta:facebook_feed", "meta:advantage_plus", "meta:other")
UPDATED = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


def metrics_for(campaign: int, day: int) -> DailyMetrics:
    """Deterministic, varied metrics for campaign index `campaign` on day offset `day`."""
    return DailyMetrics(
        date=START + dt.timedelta(days=day),
        spend=round(50 + 7.25 * campaign + 1.5 * (day % 11), 2),
        impressions=5000 + 100 * campaign + 37 * day,
        clicks=60 + campaign + day % 13,
        conversions=float(2 + (campaign + day) % 5),
        revenue=round(120.5 + 10 * campaign + 3.25 * (day % 7), 2),
    )


def make_meta_data(campaigns: int = 3, days: int = 10, accounts: int = 1) -> SandboxData:
    """`accounts` ad accounts (`1000000001`, ...) with `campaigns` campaigns each."""
    out = []
    for a in range(accounts):
        camps = [
            CampaignData(
                id=f"12021{a:02d}{c:06d}",
                name=f"Campaign {a}-{c}",
                channel=CHANNELS[c % len(CHANNELS)],
                objective="OUTCOME_SALES",
                updated_time=UPDATED,
                daily=[metrics_for(c, d) for d in range(days)],
            )
            for c in range(campaigns)
        ]
        out.append(AdAccountData(id=str(int(ACCOUNT) + a), name=f"Account {a}", campaigns=camps))
    return SandboxData(meta_ad_accounts=out)


def connector_config(sandbox: MetaSandbox, **overrides: Any) -> MetaConnectorConfig:
    settings: dict[str, Any] = {
        "app_id": sandbox.app_id,
        "app_secret": sandbox.app_secret,
        "graph_url": sandbox.base_url,
        "timeout_s": 5.0,
        "max_retries": 2,
        "backoff_base_s": 0.0,
        "backoff_max_s": 0.0,
        "async_poll_interval_s": 0.0,
        "change_overlap_s": 0.0,
        **overrides,
    }
    return MetaConnectorConfig(**settings)


def oauth_for(
    sandbox: MetaSandbox,
    store: InMemoryStateStore | None = None,
    *,
    clock: Callable[[], float] = time.time,
    **overrides: Any,
) -> MetaOAuth:
    settings: dict[str, Any] = {
        "app_id": sandbox.app_id,
        "app_secret": sandbox.app_secret,
        "graph_url": sandbox.base_url,
        "dialog_url": sandbox.base_url,
        "timeout_s": 5.0,
        **overrides,
    }
    return MetaOAuth(MetaOAuthConfig(**settings), store or InMemoryStateStore(), clock=clock)


async def submit_consent(
    authorize_url: str, *, allow: bool = True, drop_scopes: tuple[str, ...] = ()
) -> str:
    """Open the consent page and submit its form like a browser; the callback URL."""
    async with httpx.AsyncClient(timeout=5.0) as http:
        page = await http.get(authorize_url)
        assert page.status_code == 200, page.text
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        boxes = re.findall(
            r'<input type="checkbox" name="scope" value="([^"]+)" checked>', page.text
        )
        form: dict[str, Any] = {name: html.unescape(value) for name, value in hidden}
        form["scope"] = [s for s in boxes if s not in drop_scopes]
        form["decision"] = "allow" if allow else "deny"
        answer = await http.post(authorize_url.split("?")[0], data=form)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


@dataclass
class WebhookReceiver:
    """A callback server that checks Meta's handshake and signatures like production."""

    verify_token: str
    app_secret: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)
    rejected: int = 0
    challenges: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            challenge = verify_subscription(dict(request.query), self.verify_token)
            if challenge is None:
                return web.Response(status=403)
            self.challenges += 1
            return web.Response(text=challenge)
        body = await request.read()
        if not verify_signature(body, request.headers.get("X-Hub-Signature-256"), self.app_secret):
            self.rejected += 1
            return web.Response(status=403)
        self.changes.extend(parse_webhook(body))
        return web.Response(text="ok")


@pytest.fixture
async def meta_sandbox() -> AsyncIterator[MetaSandbox]:
    sandbox = await start_meta_sandbox(make_meta_data())
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def meta_connector(meta_sandbox: MetaSandbox) -> AsyncIterator[MetaConnector]:
    async with MetaConnector(
        connector_config(meta_sandbox), meta_sandbox.demo_access_token
    ) as connector:
        yield connector


@pytest.fixture
async def webhook_receiver(meta_sandbox: MetaSandbox) -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver(verify_token="my-verify-token", app_secret=meta_sandbox.app_secret)
    app = web.Application()
    app.router.add_route("*", "/meta/webhook", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}/meta/webhook"
    try:
        yield receiver
    finally:
        await runner.cleanup()
