"""An HTTP control plane for a running Google Ads sandbox (for a sandbox in another process).

Contract: `AdminServer(sandbox).start()` serves, on its own thread and event loop, JSON
in / JSON out (errors: 400 with `{"error"}`, 404 for unknown customers or campaigns):

- ``/_sandbox/faults``: the shared fault plan (`connectors.sandbox.faults.fault_routes`);
- ``POST /_sandbox/add-spend`` {customer_id, campaign_id, date, amount, impressions?,
  clicks?, conversions?, revenue?};
- ``POST /_sandbox/campaign-status`` {customer_id, campaign_id, status: ENABLED | PAUSED
  | REMOVED};
- ``POST /_sandbox/campaigns`` {customer_id, campaign: `CampaignData`};
- ``POST /_sandbox/changes`` {customer_id, resource_type, campaign_id?, resource_id?,
  status?} (a raw change_status row);
- ``POST /_sandbox/tokens`` {token, state: valid | expired | revoked | invalid};
- ``GET /_sandbox/calls`` (the call log, without bearer tokens).

`stop()` closes the server, the loop and the thread (idempotent).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from connectors.sandbox.data import CampaignData
from connectors.sandbox.faults import fault_routes
from connectors.sandbox.google_ads.server import GoogleAdsSandbox

__all__ = ["AdminServer"]

Action = Callable[[dict[str, Any]], object]
_STATUS_ACTIONS = {"ENABLED": "enable_campaign", "PAUSED": "pause_campaign"}
_STATUS_ACTIONS |= {"REMOVED": "remove_campaign"}
_TOKEN_STATES = {"valid", "expired", "revoked", "invalid"}


class AdminServer:
    def __init__(self, sandbox: GoogleAdsSandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.port = 0
        self._host, self._requested_port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> AdminServer:
        if self._loop is not None:
            return self
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="ads-sandbox-admin", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._call(self._start())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        loop, thread, runner = self._loop, self._thread, self._runner
        self._loop = self._thread = self._runner = None
        if loop is None:
            return
        if runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10)
        loop.close()

    def _call(self, coroutine: Awaitable[None]) -> None:
        assert self._loop is not None

        async def run() -> None:
            await coroutine

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    async def _start(self) -> None:
        app = web.Application()
        app.add_routes([*fault_routes(self.sandbox.faults), *self._routes()])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    def _routes(self) -> list[web.RouteDef]:
        state = self.sandbox.state

        def route(method: str, path: str, action: Action) -> web.RouteDef:
            async def handle(request: web.Request) -> web.Response:
                try:
                    payload = await request.json() if request.can_read_body else {}
                    result = action(payload)
                except KeyError as exc:
                    return web.json_response({"error": f"not found: {exc}"}, status=404)
                except (ValueError, TypeError, ValidationError) as exc:
                    return web.json_response({"error": str(exc)}, status=400)
                return web.json_response(result if result is not None else {})

            return web.route(method, "/_sandbox" + path, handle)

        def add_spend(p: dict[str, Any]) -> None:
            extra = {k: p[k] for k in ("impressions", "clicks", "conversions", "revenue") if k in p}
            day = dt.date.fromisoformat(str(p["date"]))
            state.add_spend(
                str(p["customer_id"]), str(p["campaign_id"]), day, float(p["amount"]), **extra
            )

        def campaign_status(p: dict[str, Any]) -> None:
            action = _STATUS_ACTIONS.get(str(p.get("status", "")).upper())
            if action is None:
                raise ValueError(f"status must be one of {sorted(_STATUS_ACTIONS)}")
            getattr(state, action)(str(p["customer_id"]), str(p["campaign_id"]))

        def add_campaign(p: dict[str, Any]) -> None:
            state.add_campaign(str(p["customer_id"]), CampaignData.model_validate(p["campaign"]))

        def record_change(p: dict[str, Any]) -> None:
            options = {k: str(p[k]) for k in ("campaign_id", "resource_id", "status") if k in p}
            state.record_change(str(p["customer_id"]), str(p["resource_type"]), **options)

        def token(p: dict[str, Any]) -> None:
            if p.get("state") not in _TOKEN_STATES:
                raise ValueError(f"state must be one of {sorted(_TOKEN_STATES)}")
            self.sandbox.set_token_state(str(p["token"]), p["state"])

        def calls(p: dict[str, Any]) -> dict[str, Any]:
            return {"calls": [asdict(call) for call in self.sandbox.calls]}

        return [
            route("POST", "/add-spend", add_spend),
            route("POST", "/campaign-status", campaign_status),
            route("POST", "/campaigns", add_campaign),
            route("POST", "/changes", record_change),
            route("POST", "/tokens", token),
            route("GET", "/calls", calls),
        ]
