"""The Meta sandbox's own control surface: faults on the wire and `/_sandbox/...` routes.

Contract:

- `fault_middleware` applies the shared `connectors.sandbox.faults.FaultPlan` to every
  Graph/OAuth request (paths like ``/v26.0/act_1/insights``; ``/_sandbox`` is exempt).
  Meta's wire for each fault kind: ``status`` 429 -> the ads-management throttling error
  (code 80004, subcode 2446079, `is_transient`) with `X-Business-Use-Case-Usage` whose
  `estimated_time_to_regain_access` is `retry_after_s` rounded up to minutes (real Meta
  sends these with HTTP 400; the sandbox keeps the requested status); 5xx -> code 1/2
  `is_transient` errors; 401 -> code 190; 403 -> code 200; 404 -> code 100/33; other
  4xx -> code 100. A `body` on a status fault is sent verbatim instead (JSON or not),
  e.g. a code 613 error or a gateway's HTML page. ``delay`` sleeps, then serves;
  ``expire_token`` / ``revoke_refresh`` expire / revoke the request's token, then serve
  (so Graph answers 190); ``malformed`` answers 200 with `body` or the real body cut in
  half.
- `control_routes()` (JSON in, JSON out): ``POST /_sandbox/add-spend`` {campaign_id,
  date, spend, impressions?, clicks?, conversions?, revenue?}, ``POST
  /_sandbox/set-metrics`` (silent restatement), ``POST /_sandbox/campaign-status``
  {campaign_id, status}, ``POST /_sandbox/campaigns`` {account_id, name, channel},
  ``POST /_sandbox/tokens`` {scopes?, lifetime_s?}, ``POST /_sandbox/expire-token``
  {access_token}, ``POST /_sandbox/advance-clock`` {seconds}, ``POST
  /_sandbox/fail-report-runs`` {count}, ``GET /_sandbox/deliveries``; mutations answer
  with the webhook deliveries they caused. Faults are scripted at ``/_sandbox/faults``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from connectors.sandbox.faults import Fault, fault_routes
from connectors.sandbox.meta.context import (
    CONTEXT,
    MetaSandboxContext,
    WebhookDelivery,
    request_params,
    request_token,
)
from connectors.sandbox.meta.errors import GraphError, graph_error, throttle_error
from connectors.sandbox.meta.world import METRICS, unsupported_get

__all__ = ["control_routes", "delivery_json", "fault_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ACCOUNT = re.compile(r"/act_(\d+)")


def _status_response(fault: Fault, path: str) -> web.Response:
    match = _ACCOUNT.search(path)
    account = match.group(1) if match else None
    headers = throttle_error(account, retry_after_s=fault.retry_after_s).headers
    if fault.body is not None:
        try:
            json.loads(fault.body)
            kind = "application/json"
        except ValueError:
            kind = "text/html"
        extra = headers if fault.status == 429 else {}
        return web.Response(status=fault.status, text=fault.body, content_type=kind, headers=extra)
    status = fault.status
    if status == 429:
        return graph_error(throttle_error(account, retry_after_s=fault.retry_after_s, status=429))
    if status >= 500:
        code = 2 if status == 503 else 1
        message = "An unexpected error has occurred. Please retry your request later."
        return graph_error(GraphError(code, message, status=status, is_transient=True))
    if status == 401:
        return graph_error(GraphError(190, "Invalid OAuth access token.", status=401))
    if status == 403:
        return graph_error(GraphError(200, "(#200) Permissions error", status=403))
    if status == 404:
        error = unsupported_get(path)
        error.status = 404
        return graph_error(error)
    return graph_error(GraphError(100, "(#100) Invalid parameter", status=status))


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_sandbox"):
        return await handler(request)
    ctx = request.app[CONTEXT]
    fault = ctx.faults.take(request.method, request.path)
    if fault is None:
        return await handler(request)
    if fault.delay_s:
        await asyncio.sleep(fault.delay_s)
    if fault.kind in ("expire_token", "revoke_refresh"):
        token = request_token(request, await request_params(request))
        if token and fault.kind == "expire_token":
            ctx.world.expire_token(token)
        elif token:
            ctx.world.revoke_token(token)
    if fault.kind == "status":
        return _status_response(fault, request.path)
    if fault.kind == "malformed":
        if fault.body is not None:
            return web.Response(text=fault.body, content_type="application/json")
        real = await handler(request)
        raw = real.body if isinstance(real, web.Response) and isinstance(real.body, bytes) else b""
        return web.Response(body=raw[: len(raw) // 2], content_type="application/json")
    return await handler(request)


def delivery_json(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "url": d.url,
        "body": d.body.decode(),
        "signature": d.signature,
        "status": d.status,
        "error": d.error,
    }


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


def _metrics(body: dict[str, Any]) -> dict[str, float]:
    return {k: float(body[k]) for k in METRICS if k in body}


async def _mutate(request: web.Request) -> web.Response:
    ctx: MetaSandboxContext = request.app[CONTEXT]
    body = await _json(request)
    world, action = ctx.world, request.match_info["action"]
    try:
        events = []
        result: dict[str, Any] = {}
        if action == "add-spend":
            day = dt.date.fromisoformat(str(body["date"]))
            events = world.add_spend(str(body["campaign_id"]), day, **_metrics(body))
        elif action == "set-metrics":
            day = dt.date.fromisoformat(str(body["date"]))
            world.set_metrics(str(body["campaign_id"]), day, **_metrics(body))
        elif action == "campaign-status":
            events = world.set_status(str(body["campaign_id"]), str(body["status"]))
        elif action == "campaigns":
            campaign, events = world.create_campaign(
                str(body["account_id"]), str(body["name"]), str(body["channel"])
            )
            result["id"] = campaign.id
        elif action == "tokens":
            scopes = tuple(body.get("scopes") or ("ads_read", "ads_management"))
            record = world.issue_token("long", scopes, body.get("lifetime_s"))
            result["access_token"] = record.token
        elif action == "expire-token":
            world.expire_token(str(body["access_token"]))
        elif action == "advance-clock":
            world.advance_clock(float(body["seconds"]))
        elif action == "fail-report-runs":
            world.fail_report_runs(int(body.get("count", 1)))
        else:
            raise web.HTTPNotFound(text=f"unknown sandbox action {action!r}")
    except (KeyError, ValueError, TypeError) as exc:
        return web.json_response({"error": repr(exc)}, status=400)
    except GraphError as exc:
        return graph_error(exc)
    delivered = await ctx.deliver(events) if events else []
    result["deliveries"] = [delivery_json(d) for d in delivered]
    return web.json_response(result)


async def _deliveries(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response({"deliveries": [delivery_json(d) for d in ctx.deliveries]})


def control_routes(ctx: MetaSandboxContext) -> list[web.RouteDef]:
    return [
        *fault_routes(ctx.faults),
        web.get("/_sandbox/deliveries", _deliveries),
        web.post("/_sandbox/{action}", _mutate),
    ]
