"""Google's OAuth 2.0 endpoints as the sandbox serves them (what Authlib and google-auth call).

Contract:
- ``GET /o/oauth2/v2/auth`` validates the request (client, redirect URI, scope, PKCE
  method) and answers an HTML consent page: a form that posts back the request's
  parameters, one checked ``granted_scope`` checkbox per requested scope (unchecking
  grants a subset, like Google's granular consent) and ``decision`` buttons
  ``approve`` / ``deny``. With ``auto_approve`` (config) or ``sandbox_auto_approve=1``
  (query) it redirects at once, granting every scope.
- ``POST /o/oauth2/v2/auth`` (the form) redirects to ``redirect_uri?code&scope&state``,
  or ``?error=access_denied&state`` on deny.
- ``POST /token``: ``authorization_code`` (single-use code, redirect URI match, PKCE
  S256/plain verification) and ``refresh_token`` (``invalid_grant`` when unknown or
  revoked); client credentials by HTTP Basic or in the body; answers Google's JSON with
  ``scope`` (granted) and ``expires_in``; a refresh token only for ``access_type=offline``.
- ``POST /revoke?token=`` (or form): revokes the grant behind an access or refresh token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
from collections.abc import Mapping
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from aiohttp import web

from connectors.sandbox.google.context import CONTEXT, SandboxContext
from connectors.sandbox.google.world import Grant

__all__ = ["oauth_routes"]

AUTH_PATH = "/o/oauth2/v2/auth"


def _redirect(redirect_uri: str, params: Mapping[str, str]) -> web.Response:
    parts = urlsplit(redirect_uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return web.Response(status=302, headers={"Location": location})


def _error_page(status: int, error: str, detail: str) -> web.Response:
    body = f"<!doctype html><title>Error {status}: {error}</title><h1>Error {status}: {error}</h1>"
    return web.Response(
        status=status, text=body + f"<p>{html.escape(detail)}</p>", content_type="text/html"
    )


def _check_auth_request(ctx: SandboxContext, p: Mapping[str, str]) -> web.Response | None:
    if p.get("client_id") != ctx.config.client_id:
        return _error_page(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = p.get("redirect_uri", "")
    allowed = ctx.config.redirect_uris
    if not redirect_uri.startswith(("http://", "https://")) or (
        allowed is not None and redirect_uri not in allowed
    ):
        return _error_page(400, "redirect_uri_mismatch", f"redirect_uri {redirect_uri!r}")
    if not p.get("scope", "").split():
        return _error_page(400, "invalid_request", "Missing required parameter: scope")
    method = p.get("code_challenge_method")
    if method is not None and (method not in ("S256", "plain") or not p.get("code_challenge")):
        return _error_page(400, "invalid_request", "Invalid code_challenge_method or challenge")
    if p.get("response_type") != "code":
        return _redirect(
            redirect_uri, {"error": "unsupported_response_type", "state": p.get("state", "")}
        )
    return None


def _approve(ctx: SandboxContext, p: Mapping[str, str], granted: list[str]) -> web.Response:
    requested = p["scope"].split()
    scopes = tuple(s for s in requested if s in granted)
    state = {"state": p["state"]} if "state" in p else {}
    if not scopes:
        return _redirect(p["redirect_uri"], {"error": "access_denied", **state})
    challenge = p.get("code_challenge")
    code = ctx.world.issue_code(
        client_id=p["client_id"],
        redirect_uri=p["redirect_uri"],
        scopes=scopes,
        offline=p.get("access_type") == "offline",
        code_challenge=challenge,
        code_challenge_method=(p.get("code_challenge_method") or "plain") if challenge else None,
    )
    return _redirect(p["redirect_uri"], {"code": code.code, "scope": " ".join(scopes), **state})


def _consent_page(p: Mapping[str, str]) -> web.Response:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in p.items()
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="granted_scope" value="{html.escape(s)}" checked>'
        f" {html.escape(s)}</label><br>"
        for s in p["scope"].split()
    )
    body = (
        "<!doctype html><title>Sign in - Google Accounts (sandbox)</title>"
        f"<h1>{html.escape(p['client_id'])} wants to access your Google Account</h1>"
        f'<form method="post" action="{AUTH_PATH}">{hidden}{boxes}'
        '<button type="submit" name="decision" value="approve">Allow</button>'
        '<button type="submit" name="decision" value="deny">Cancel</button></form>'
    )
    return web.Response(text=body, content_type="text/html")


async def authorize_page(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    params = dict(request.query)
    auto = params.pop("sandbox_auto_approve", "") in ("1", "true")
    problem = _check_auth_request(ctx, params)
    if problem is not None:
        return problem
    if auto or ctx.config.auto_approve:
        return _approve(ctx, params, params["scope"].split())
    return _consent_page(params)


async def authorize_submit(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    form = await request.post()
    params = {
        k: v
        for k, v in form.items()
        if isinstance(v, str) and k not in ("decision", "granted_scope")
    }
    problem = _check_auth_request(ctx, params)
    if problem is not None:
        return problem
    if form.get("decision") != "approve":
        state = {"state": params["state"]} if "state" in params else {}
        return _redirect(params["redirect_uri"], {"error": "access_denied", **state})
    granted = [v for v in form.getall("granted_scope", []) if isinstance(v, str)]
    return _approve(ctx, params, granted)


def _token_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


def _client_credentials(request: web.Request, form: Mapping[str, str]) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            raw = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = raw.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _pkce_ok(method: str, challenge: str, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(verifier, challenge)


def _token_response(ctx: SandboxContext, grant: Grant, *, with_refresh: bool) -> web.Response:
    lifetime = ctx.config.access_token_lifetime
    access = ctx.world.issue_access_token(grant, lifetime)
    body: dict[str, object] = {
        "access_token": access.token,
        "expires_in": int(lifetime.total_seconds()) - 1,
        "scope": " ".join(grant.scopes),
        "token_type": "Bearer",
    }
    if with_refresh and grant.refresh_token is not None:
        body["refresh_token"] = grant.refresh_token
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    client_id, secret = _client_credentials(request, form)
    if client_id != ctx.config.client_id or not hmac.compare_digest(
        secret, ctx.config.client_secret
    ):
        return _token_error("invalid_client", "The OAuth client was not found.", 401)
    grant_type = form.get("grant_type")
    world = ctx.world
    if grant_type == "authorization_code":
        code = world.codes.pop(form.get("code", ""), None)
        if code is None or code.expires_at <= world.now() or code.client_id != client_id:
            return _token_error("invalid_grant", "Bad Request")
        if form.get("redirect_uri") != code.redirect_uri:
            return _token_error("redirect_uri_mismatch", "Bad Request")
        if code.code_challenge is not None and code.code_challenge_method is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                return _token_error("invalid_grant", "Missing code verifier.")
            if not _pkce_ok(code.code_challenge_method, code.code_challenge, verifier):
                return _token_error("invalid_grant", "Invalid code verifier.")
        grant = world.new_grant(client_id, code.scopes, code.offline)
        return _token_response(ctx, grant, with_refresh=True)
    if grant_type == "refresh_token":
        grant_or_none = world.grants_by_refresh.get(form.get("refresh_token", ""))
        if grant_or_none is None or grant_or_none.revoked or grant_or_none.client_id != client_id:
            return _token_error("invalid_grant", "Token has been expired or revoked.")
        asked = form.get("scope", "").split()
        if any(s not in grant_or_none.scopes for s in asked):
            return _token_error("invalid_scope", "Some requested scopes were not granted.")
        return _token_response(ctx, grant_or_none, with_refresh=False)
    return _token_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")


async def revoke(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    form = await request.post()
    value = request.query.get("token") or form.get("token")
    world = ctx.world
    access = world.access_tokens.get(value) if isinstance(value, str) else None
    grant = access.grant if access else world.grants_by_refresh.get(str(value))
    if grant is None or grant.revoked:
        return _token_error("invalid_token", "Token expired or revoked")
    world.revoke_grant(grant)
    return web.json_response({})


def oauth_routes() -> list[web.RouteDef]:
    return [
        web.get(AUTH_PATH, authorize_page),
        web.post(AUTH_PATH, authorize_submit),
        web.post("/token", token),
        web.post("/revoke", revoke),
    ]
