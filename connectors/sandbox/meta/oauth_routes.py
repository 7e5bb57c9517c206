"""Facebook Login as the Meta sandbox serves it: consent dialog, token endpoint, debug_token.

Contract (paths carry any Graph version, e.g. ``/v26.0/...``):

- ``GET /{v}/dialog/oauth?client_id&redirect_uri&state&scope[&response_type=code]``
  renders a consent page: an HTML form (hidden `client_id`, `redirect_uri`, `state`,
  one checked `scope` checkbox per requested permission, buttons `decision=allow|deny`)
  that POSTs back to the same path. With `config.auto_approve` or the query parameter
  ``sandbox_auto_approve=1`` it approves at once. Approval redirects (302) to
  ``redirect_uri?code=...&state=...#_=_``, denial to
  ``redirect_uri?error=access_denied&error_code=200&error_reason=user_denied&...``.
- ``GET|POST /{v}/oauth/access_token``: `client_id` + `client_secret` and either `code` +
  `redirect_uri` (single-use, 10-minute codes -> a 2-hour token) or
  ``grant_type=fb_exchange_token&fb_exchange_token=`` (a valid token -> a ~60-day token).
  Answers ``{"access_token", "token_type": "bearer", "expires_in"}`` or a Graph error.
- ``GET /{v}/debug_token?input_token=`` with the app token ``{app_id}|{app_secret}`` (or
  a valid user token) answers ``{"data": {app_id, type, application, expires_at,
  data_access_expires_at, is_valid, issued_at, scopes, user_id[, error]}}``.
"""

from __future__ import annotations

import html
from typing import NoReturn
from urllib.parse import urlencode

from aiohttp import web

from connectors.sandbox.meta.context import CONTEXT, request_params
from connectors.sandbox.meta.errors import GraphError, graph_error
from connectors.sandbox.meta.world import DEMO_USER_ID, TokenRecord

__all__ = ["oauth_routes"]

_V = r"{version:v\d+\.\d+}"


def _scopes(raw: str | None) -> tuple[str, ...]:
    parts = (raw or "").replace(" ", ",").split(",")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _page(message: str, status: int = 400) -> web.Response:
    body = f"<html><body><h1>Sandbox Facebook Login</h1><p>{html.escape(message)}</p></body></html>"
    return web.Response(text=body, status=status, content_type="text/html")


def _consent_page(params: dict[str, str], scopes: tuple[str, ...]) -> web.Response:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(params.get(k, ""))}">'
        for k in ("client_id", "redirect_uri", "state", "response_type")
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="scope" value="{html.escape(s)}" checked>'
        f"{html.escape(s)}</label><br>"
        for s in scopes
    )
    body = (
        "<html><body><h1>Sandbox Facebook Login</h1>"
        "<p>Sandbox Demo App wants to access your ad accounts.</p>"
        f'<form method="post">{hidden}{boxes}'
        '<button name="decision" value="allow">Continue</button>'
        '<button name="decision" value="deny">Cancel</button></form></body></html>'
    )
    return web.Response(text=body, content_type="text/html")


def _redirect(redirect_uri: str, query: dict[str, str]) -> NoReturn:
    sep = "&" if "?" in redirect_uri else "?"
    raise web.HTTPFound(f"{redirect_uri}{sep}{urlencode(query)}#_=_")


async def dialog(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    params = dict(request.query)
    granted: tuple[str, ...] = ()
    if request.method == "POST":
        form = await request.post()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        granted = tuple(str(v) for v in form.getall("scope", []))
    if params.get("client_id") != ctx.config.app_id:
        return _page("Invalid App ID: the app id in the request is not a valid app.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")):
        return _page("URL blocked: redirect_uri is missing or not an absolute URL.")
    if params.get("response_type", "code") != "code":
        return _page("The sandbox supports response_type=code only.")
    state = params.get("state", "")
    requested = _scopes(params.get("scope"))
    auto = ctx.config.auto_approve or params.get("sandbox_auto_approve") == "1"
    if request.method == "GET" and not auto:
        return _consent_page(params, requested)
    if request.method == "POST" and params.get("decision") != "allow":
        _redirect(
            redirect_uri,
            {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            },
        )
    scopes = requested if request.method == "GET" else granted
    code = ctx.world.issue_code(redirect_uri, scopes)
    _redirect(redirect_uri, {"code": code, "state": state})


def _token_json(record: TokenRecord, now: float) -> web.Response:
    body: dict[str, object] = {"access_token": record.token, "token_type": "bearer"}
    if record.expires_at is not None:
        body["expires_in"] = int(record.expires_at - now)
    return web.json_response(body)


async def access_token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    params = await request_params(request)
    try:
        if params.get("client_id") != ctx.config.app_id:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        if params.get("client_secret") != ctx.config.app_secret:
            raise GraphError(1, "Error validating client secret.")
        world = ctx.world
        if params.get("grant_type") == "fb_exchange_token":
            old = world.user_token(params.get("fb_exchange_token", ""))
            record = world.issue_token("long", old.scopes)
        else:
            if not params.get("code"):
                raise GraphError(100, "Missing authorization code")
            code = world.redeem_code(params["code"], params.get("redirect_uri", ""))
            record = world.issue_token("short", code.scopes)
    except GraphError as exc:
        return graph_error(exc)
    return _token_json(record, ctx.world.now())


async def debug_token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    params = await request_params(request)
    world = ctx.world
    caller = params.get("access_token", "")
    try:
        if caller != f"{ctx.config.app_id}|{ctx.config.app_secret}":
            world.user_token(caller)
        if not params.get("input_token"):
            raise GraphError(100, "The parameter input_token is required")
    except GraphError as exc:
        return graph_error(exc)
    record = world.tokens.get(params["input_token"])
    if record is None:
        error = {"code": 190, "message": "Invalid OAuth access token."}
        return web.json_response({"data": {"error": error, "is_valid": False, "scopes": []}})
    data: dict[str, object] = {
        "app_id": ctx.config.app_id,
        "type": "USER",
        "application": "Sandbox Demo App",
        "data_access_expires_at": int(record.issued_at + 90 * 86400),
        "expires_at": int(record.expires_at) if record.expires_at is not None else 0,
        "is_valid": True,
        "issued_at": int(record.issued_at),
        "scopes": list(record.scopes),
        "granular_scopes": [{"scope": s} for s in record.scopes],
        "user_id": DEMO_USER_ID,
    }
    try:
        world.user_token(record.token)
    except GraphError as exc:
        data["is_valid"] = False
        data["error"] = {"code": exc.code, "message": exc.message, "subcode": exc.subcode}
    return web.json_response({"data": data})


def oauth_routes() -> list[web.RouteDef]:
    return [
        web.get(f"/{_V}/dialog/oauth", dialog),
        web.post(f"/{_V}/dialog/oauth", dialog),
        web.get(f"/{_V}/oauth/access_token", access_token),
        web.post(f"/{_V}/oauth/access_token", access_token),
        web.get(f"/{_V}/debug_token", debug_token),
    ]
