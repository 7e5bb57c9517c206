"""The Meta sandbox server: Facebook Login + Graph Marketing API on 127.0.0.1.

Contract: `MetaSandbox(data)` serves `data.meta_ad_accounts` to the unmodified
facebook-business SDK and to Authlib once started (`await sandbox.start()`, `async
with`, or `await start_meta_sandbox(data)`); `stop()` closes the server and its HTTP
client. Point clients at `sandbox.base_url` (both the Graph host and the login dialog
host; see `endpoints`) and use the demo app (`app_id`, `app_secret`, `verify_token`);
`demo_access_token` is a long-lived token with every permission for headless use.
Mutations (`add_spend`, `set_campaign_status`, `create_campaign`) change the data and
deliver the signed webhooks Meta would send to a subscribed callback, returning the
deliveries. Faults come from `faults` (a shared `FaultPlan`, scriptable over HTTP at
``/_sandbox/faults``; see `control`). `MetaSandboxThread` runs a sandbox on its own event
loop in a daemon thread for synchronous callers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from connectors.sandbox.data import SandboxData
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.meta.context import (
    CONTEXT,
    DEMO_VERIFY_TOKEN,
    MetaSandboxConfig,
    MetaSandboxContext,
    WebhookDelivery,
)
from connectors.sandbox.meta.control import control_routes, fault_middleware
from connectors.sandbox.meta.graph_routes import graph_routes
from connectors.sandbox.meta.oauth_routes import oauth_routes
from connectors.sandbox.meta.push import WebhookPusher
from connectors.sandbox.meta.world import ALL_SCOPES, MetaWorld, WebhookEvent

__all__ = ["MetaEndpoints", "MetaSandbox", "MetaSandboxThread", "start_meta_sandbox"]

T = TypeVar("T")


@dataclass(frozen=True)
class MetaEndpoints:
    base_url: str
    api_version: str
    graph_url: str
    """`FacebookSession.GRAPH` and `MetaOAuthConfig.graph_url`."""
    dialog_url: str
    """`MetaOAuthConfig.dialog_url` (Meta's www host)."""
    authorize_url: str
    token_url: str
    debug_token_url: str
    faults_url: str
    control_url: str


class MetaSandbox:
    def __init__(
        self,
        data: SandboxData,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        config: MetaSandboxConfig | None = None,
        faults: FaultPlan | None = None,
        api_version: str = "v26.0",
    ) -> None:
        self.config = config or MetaSandboxConfig()
        self.world = MetaWorld(data, report_polls=self.config.report_polls)
        self.faults = faults or FaultPlan()
        self.api_version = api_version
        self.verify_token = DEMO_VERIFY_TOKEN
        self.demo_access_token = self.world.issue_token("long", ALL_SCOPES).token
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._pusher: WebhookPusher | None = None
        self._ctx = MetaSandboxContext(
            config=self.config,
            world=self.world,
            faults=self.faults,
            deliver=self._deliver,
            verify_callback=self._verify_callback,
        )
        self.base_url = ""

    @property
    def app_id(self) -> str:
        return self.config.app_id

    @property
    def app_secret(self) -> str:
        return self.config.app_secret

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        return list(self._ctx.deliveries)

    @property
    def endpoints(self) -> MetaEndpoints:
        base, v = self.base_url, self.api_version
        return MetaEndpoints(
            base_url=base,
            api_version=v,
            graph_url=base,
            dialog_url=base,
            authorize_url=f"{base}/{v}/dialog/oauth",
            token_url=f"{base}/{v}/oauth/access_token",
            debug_token_url=f"{base}/{v}/debug_token",
            faults_url=f"{base}/_sandbox/faults",
            control_url=f"{base}/_sandbox",
        )

    async def start(self) -> MetaSandbox:
        if self._runner is not None:
            return self
        app = web.Application(middlewares=[fault_middleware])
        app[CONTEXT] = self._ctx
        app.add_routes([*control_routes(self._ctx), *oauth_routes(), *graph_routes()])
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._client = aiohttp.ClientSession()
        self._pusher = WebhookPusher(self.world, self.config, self._client)
        sockets = runner.addresses
        port = sockets[0][1] if sockets else self._port
        self.base_url = f"http://{self._host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> MetaSandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _verify_callback(self, url: str, verify_token: str) -> str | None:
        if self._pusher is None:
            return "sandbox not started"
        return await self._pusher.verify_callback(url, verify_token)

    async def _deliver(self, events: list[WebhookEvent]) -> list[WebhookDelivery]:
        if self._pusher is None or not events:
            return []
        sent = await self._pusher.deliver(events)
        self._ctx.deliveries.extend(sent)
        return sent

    # -- test and demo helpers ---------------------------------------------------------

    def issue_token(
        self, scopes: tuple[str, ...] = ALL_SCOPES, lifetime_s: float | None = None
    ) -> str:
        """A fresh long-lived user token (default ~60 days, every permission)."""
        return self.world.issue_token("long", scopes, lifetime_s).token

    def expire_token(self, token: str) -> None:
        self.world.expire_token(token)

    def revoke_token(self, token: str) -> None:
        self.world.revoke_token(token)

    def advance_clock(self, seconds: float) -> None:
        self.world.advance_clock(seconds)

    def fail_report_runs(self, count: int = 1) -> None:
        self.world.fail_report_runs(count)

    def set_metrics(self, campaign_id: str, day: dt.date, **metrics: float) -> None:
        """Restate a day's metrics silently (Meta sends no webhook for restatements)."""
        self.world.set_metrics(campaign_id, day, **metrics)

    async def add_spend(
        self, campaign_id: str, day: dt.date, spend: float, **metrics: float
    ) -> list[WebhookDelivery]:
        """Add delivery to a campaign's day (impressions, clicks, conversions, revenue)."""
        return await self._deliver(self.world.add_spend(campaign_id, day, spend=spend, **metrics))

    async def set_campaign_status(self, campaign_id: str, status: str) -> list[WebhookDelivery]:
        return await self._deliver(self.world.set_status(campaign_id, status))

    async def pause_campaign(self, campaign_id: str) -> list[WebhookDelivery]:
        return await self.set_campaign_status(campaign_id, "PAUSED")

    async def create_campaign(
        self, account_id: str, name: str, channel: str
    ) -> tuple[str, list[WebhookDelivery]]:
        campaign, events = self.world.create_campaign(account_id, name, channel)
        return campaign.id, await self._deliver(events)


async def start_meta_sandbox(
    data: SandboxData,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    config: MetaSandboxConfig | None = None,
    faults: FaultPlan | None = None,
) -> MetaSandbox:
    """A started `MetaSandbox`; `await sandbox.stop()` when done."""
    return await MetaSandbox(data, host, port, config=config, faults=faults).start()


class MetaSandboxThread:
    """A `MetaSandbox` on its own event loop in a daemon thread, for synchronous code.

    `with MetaSandboxThread(data) as runner:` starts it; `runner.sandbox` is the sandbox
    (read-only use from this thread is fine); `runner.call(fn)` awaits `fn(sandbox)` and
    `runner.call_sync(fn)` calls it, both on the sandbox's loop, and return the result.
    """

    def __init__(
        self, data: SandboxData, host: str = "127.0.0.1", port: int = 0, **kw: Any
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._sandbox = MetaSandbox(data, host, port, **kw)

    @property
    def sandbox(self) -> MetaSandbox:
        return self._sandbox

    @property
    def base_url(self) -> str:
        return self._sandbox.base_url

    def call(self, fn: Callable[[MetaSandbox], Awaitable[T]], timeout: float = 30.0) -> T:
        """`await fn(sandbox)` on the sandbox's loop; its result."""

        async def run() -> T:
            return await fn(self._sandbox)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def call_sync(self, fn: Callable[[MetaSandbox], T], timeout: float = 30.0) -> T:
        """`fn(sandbox)` on the sandbox's loop (for state changes); its result."""

        async def run() -> T:
            return fn(self._sandbox)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def start(self) -> MetaSandbox:
        self._thread.start()
        return self.call(lambda sandbox: sandbox.start())

    def stop(self) -> None:
        if self._thread.is_alive():
            self.call(lambda sandbox: sandbox.stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> MetaSandboxThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
