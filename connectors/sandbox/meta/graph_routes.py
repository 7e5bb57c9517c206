"""The Graph API (Marketing API subset) as the Meta sandbox serves it.

Contract: one catch-all route per method under ``/{version}/...`` (trailing slashes, as
facebook-business sends on node reads, are ignored). Every call needs an access token
(query, form or `Authorization` header); an `appsecret_proof`, when present, must be
HMAC-SHA256(app_secret, token). Unknown/expired/revoked tokens get Graph error 190 (with
subcode 463 when expired). Served:

- ``GET me``, ``GET me/adaccounts``; ``GET act_<id>`` (node), ``GET act_<id>/campaigns``
  (`filtering`, `effective_status`, `summary`), ``GET act_<id>/insights`` (sync),
  ``POST act_<id>/insights`` (async: ``{"report_run_id"}``), ``GET|POST|DELETE
  act_<id>/subscribed_apps``;
- ``GET <campaign_id>`` and ``GET <campaign_id>/insights``; ``GET <report_run_id>``
  (`async_status`, `async_percent_completion`; completes after `config.report_polls`
  reads) and ``GET <report_run_id>/insights``;
- ``GET|POST|DELETE <app_id>/subscriptions`` (app token only; a POST first verifies the
  callback with Meta's `hub.challenge` GET and fails with code 2200 if it does not echo).

Edges page with `limit`/`after` (see `queries.page`). Successful answers carry
`X-App-Usage` and, for ad-account calls, `X-Business-Use-Case-Usage` and
`X-Ad-Account-Usage`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from aiohttp import web

from connectors.sandbox.meta.context import (
    CONTEXT,
    MetaSandboxContext,
    request_params,
    request_token,
)
from connectors.sandbox.meta.errors import GraphError, graph_error, usage_headers
from connectors.sandbox.meta.queries import (
    bad_param,
    campaign_json,
    filter_campaigns,
    insight_rows,
    json_param,
    list_param,
    page,
)
from connectors.sandbox.meta.world import (
    AppSubscription,
    ReportRun,
    TokenRecord,
    unsupported_get,
)

__all__ = ["graph_routes"]

_V = r"{version:v\d+\.\d+}"
Params = dict[str, str]


def _authenticate(ctx: MetaSandboxContext, token: str | None, params: Params) -> TokenRecord | None:
    """The user token record, or None for the app token; `GraphError` otherwise."""
    if not token:
        raise GraphError(104, "An access token is required to request this resource.")
    proof = params.get("appsecret_proof")
    expected = hmac.new(ctx.config.app_secret.encode(), token.encode(), hashlib.sha256)
    if proof is not None and not hmac.compare_digest(proof, expected.hexdigest()):
        raise GraphError(
            100, "Invalid appsecret_proof provided in the API argument", type="GraphMethodException"
        )
    if proof is None and ctx.config.require_appsecret_proof:
        raise GraphError(100, "API calls from the server require an appsecret_proof argument")
    if token == f"{ctx.config.app_id}|{ctx.config.app_secret}":
        return None
    return ctx.world.user_token(token)


def _need_user(user: TokenRecord | None, scope: str = "ads_read") -> TokenRecord:
    if user is None:
        raise GraphError(
            2500, "An active access token must be used to query information about the current user."
        )
    allowed = {scope, "ads_management"}
    if not allowed & set(user.scopes):
        raise GraphError(200, f"(#200) Requires {scope} permission to manage the object")
    return user


def _account_json(
    ctx: MetaSandboxContext, account_id: str, fields: list[str] | None
) -> dict[str, Any]:
    acc = ctx.world.account(account_id)
    full = {
        "id": f"act_{acc.id}",
        "account_id": acc.id,
        "name": acc.name,
        "currency": acc.currency,
        "timezone_name": acc.timezone_name,
        "account_status": 1,
    }
    return {k: v for k, v in full.items() if k in (fields or ["account_id"]) or k == "id"}


def _run_json(run: ReportRun, fields: list[str] | None, count_poll: bool) -> dict[str, Any]:
    if count_poll:
        run.polls += 1
    done = run.polls >= run.polls_needed
    status = "Job Not Started" if run.polls <= 1 and not done else "Job Running"
    percent = min(99, int(100 * run.polls / max(1, run.polls_needed)))
    if done:
        status, percent = ("Job Failed", 0) if run.fail else ("Job Completed", 100)
    span = json_param(run.params, "time_range") or {}
    full: dict[str, Any] = {
        "id": run.id,
        "account_id": run.account_id,
        "async_status": status,
        "async_percent_completion": percent,
        "is_running": not done,
        "time_ref": int(run.created),
        "date_start": span.get("since"),
        "date_stop": span.get("until"),
    }
    return {k: v for k, v in full.items() if not fields or k in fields or k == "id"}


async def _subscriptions(ctx: MetaSandboxContext, request: web.Request, params: Params) -> Any:
    world = ctx.world
    if request.method == "GET":
        data = [
            {
                "object": s.object,
                "callback_url": s.callback_url,
                "active": True,
                "fields": [{"name": f, "version": request.match_info["version"]} for f in s.fields],
            }
            for s in world.app_subscriptions.values()
        ]
        return {"data": data}
    if request.method == "DELETE":
        obj = params.get("object")
        for key in [k for k in world.app_subscriptions if obj in (None, k)]:
            del world.app_subscriptions[key]
        return {"success": True}
    callback, verify = params.get("callback_url", ""), params.get("verify_token", "")
    if params.get("object") != "ad_account" or not callback.startswith(("http://", "https://")):
        raise bad_param("object must be ad_account and callback_url an absolute URL")
    problem = await ctx.verify_callback(callback, verify)
    if problem is not None:
        raise GraphError(2200, f"(#2200) callback verification failed: {problem}")
    world.app_subscriptions["ad_account"] = AppSubscription(
        "ad_account",
        callback,
        tuple(list_param(params, "fields") or ()),
        verify,
        params.get("include_values", "true") != "false",
    )
    return {"success": True}


def _subscribed_apps(ctx: MetaSandboxContext, method: str, account: str, params: Params) -> Any:
    world = ctx.world
    if method == "GET":
        subscribed = account in world.subscribed_accounts
        return {
            "data": [{"name": "Sandbox Demo App", "id": ctx.config.app_id}] if subscribed else []
        }
    if params.get("app_id", ctx.config.app_id) != ctx.config.app_id:
        raise bad_param("app_id is not this sandbox's app")
    if method == "POST":
        world.subscribed_accounts.add(account)
    else:
        world.subscribed_accounts.discard(account)
    return {"success": True}


async def _dispatch(ctx: MetaSandboxContext, request: web.Request, params: Params) -> Any:
    parts = [p for p in request.match_info["tail"].split("/") if p]
    method, world = request.method, ctx.world
    user = _authenticate(ctx, request_token(request, params), params)
    fields = list_param(params, "fields")
    if not parts:
        raise unsupported_get("")
    node, edge = parts[0], "/".join(parts[1:])

    def next_url(after: str) -> str:
        return str(request.url.update_query({"after": after}))

    if node == ctx.config.app_id and edge == "subscriptions":
        if user is not None:
            raise GraphError(15, "(#15) This method must be called with an app access_token.")
        return await _subscriptions(ctx, request, params)
    if node == ctx.config.app_id and not edge:
        return {"id": node, "name": "Sandbox Demo App"}
    if node == "me":
        token = _need_user(user)
        if not edge:
            return {"id": token.user_id, "name": "Sandbox Planner"}
        if edge == "adaccounts":
            items = [_account_json(ctx, a, fields) for a in sorted(world.accounts)]
            body = page(items, params, next_url, max_limit=ctx.config.max_page_size)
            return {**body, "summary": {"total_count": len(items)}}
        raise unsupported_get(f"me/{edge}")
    if node.startswith("act_"):
        account = world.account(node).id
        if edge == "subscribed_apps":
            _need_user(user, "ads_management")
            return _subscribed_apps(ctx, method, account, params)
        _need_user(user)
        if not edge:
            return _account_json(ctx, account, fields)
        if edge == "campaigns":
            found = filter_campaigns(world.account_campaigns(account), params)
            items = [campaign_json(c, fields) for c in found]
            body = page(items, params, next_url, max_limit=ctx.config.max_page_size)
            return {**body, "summary": {"total_count": len(items)}}
        if edge == "insights" and method == "POST":
            rows = insight_rows(world, account, params)  # invalid parameters fail now
            run = world.create_report_run(account, dict(params))
            run.rows = rows
            return {"report_run_id": run.id}
        if edge == "insights":
            rows = insight_rows(world, account, params)
            return page(rows, params, next_url, max_limit=ctx.config.max_page_size)
        raise unsupported_get(f"{node}/{edge}")
    _need_user(user)
    if node in world.report_runs:
        run = world.report_runs[node]
        if not edge:
            return _run_json(run, fields, count_poll=True)
        status = _run_json(run, None, count_poll=False)["async_status"]
        if edge != "insights" or status != "Job Completed":
            raise bad_param(f"Report {node} is not ready ({status})")
        rows = run.rows if run.rows is not None else []
        return page(rows, params, next_url, max_limit=ctx.config.max_page_size)
    campaign = world.campaign(node)
    if not edge:
        return campaign_json(campaign, fields)
    if edge == "insights":
        rows = insight_rows(world, campaign.account_id, params, campaign_id=campaign.id)
        return page(rows, params, next_url, max_limit=ctx.config.max_page_size)
    raise unsupported_get(f"{node}/{edge}")


async def graph(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    params = await request_params(request)
    try:
        body = await _dispatch(ctx, request, params)
    except GraphError as exc:
        return graph_error(exc)
    account = request.match_info["tail"].split("/", 1)[0]
    account_id = account.removeprefix("act_") if account.startswith("act_") else None
    return web.json_response(body, headers=usage_headers(account_id))


def graph_routes() -> list[web.RouteDef]:
    path = f"/{_V}/{{tail:.*}}"
    return [web.get(path, graph), web.post(path, graph), web.delete(path, graph)]
