"""Meta (Facebook Login "manual flow") OAuth with Authlib: no hand-written OAuth.

Contract:

- `authorization_url(workspace_id=, redirect_uri=)` saves a random single-use state
  (bound to workspace, platform `meta`, redirect URI; `state_ttl_s`) in the shared
  `connectors.google_oauth.state.StateStore` and returns the `/{version}/dialog/oauth`
  URL (comma-separated scopes).
- `complete(callback_url)` consumes the callback's state (unknown, reused, expired or
  bound to another platform -> `InvalidStateError`), turns a denied consent into
  `ReconnectRequiredError`, exchanges the code (GET `/oauth/access_token`, client id and
  secret in the query: Authlib's `token_endpoint_auth_method="none"` plus explicit
  parameters, as Meta documents), swaps the short-lived token for a long-lived one
  (`grant_type=fb_exchange_token`, about 60 days), checks it with `debug_token` and
  returns a `MetaLogin`: the long-lived `OAuthTokens` (`refresh_token` always None,
  `scope` = the granted permissions), the workspace and the token info.
- Meta issues no refresh tokens. `renew(tokens)` re-exchanges a still-valid token that
  expires within `config.renew_within` (Meta may return the same expiry: then the user
  must reconnect before `expires_at`); an expired or invalid token raises
  `ReconnectRequiredError`. `check(tokens)` runs `debug_token` and raises
  `ReconnectRequiredError` when the token is invalid, expired or lacks required scopes.
- Errors: Graph OAuth errors (bad/used/expired code, code 190, ...) -> non-retryable
  `ReconnectRequiredError`; a bad app id/secret -> `MetaRequestError`; throttling ->
  `RateLimitedError`; 5xx, timeouts and connection errors -> `TransientError`; a token
  endpoint answer that is not JSON -> `MalformedResponseError`. Every call has a timeout.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
    AsyncOAuth2Client,
    OAuthError,
    oauth2_client,
)

from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_oauth.state import PendingAuthorization, StateStore
from connectors.meta.graph_errors import (
    THROTTLE_CODES,
    MetaRequestError,
    error_from_graph,
    redact,
)
from connectors.records import OAuthTokens

__all__ = ["InvalidStateError", "MetaLogin", "MetaOAuth", "MetaOAuthConfig", "MetaTokenInfo"]

PLATFORM = "meta"
_http: Any = oauth2_client.httpx2
"""The HTTP package Authlib runs on (httpx2 when installed, else httpx)."""


class InvalidStateError(ReconnectRequiredError):
    """The callback's state is unknown, already used, expired or not for this flow."""


@dataclass(frozen=True)
class MetaOAuthConfig:
    app_id: str
    app_secret: str
    scopes: tuple[str, ...] = ("ads_read", "ads_management", "business_management")
    """`ads_management` is needed only for webhooks (`/act_<id>/subscribed_apps`)."""
    required_scopes: tuple[str, ...] = ("ads_read",)
    graph_url: str = "https://graph.facebook.com"
    dialog_url: str = "https://www.facebook.com"
    api_version: str = "v26.0"
    timeout_s: float = 10.0
    state_ttl_s: float = 600.0
    renew_within: dt.timedelta = dt.timedelta(days=7)

    @property
    def token_url(self) -> str:
        return f"{self.graph_url.rstrip('/')}/{self.api_version}/oauth/access_token"

    @property
    def authorize_url(self) -> str:
        return f"{self.dialog_url.rstrip('/')}/{self.api_version}/dialog/oauth"


@dataclass(frozen=True)
class MetaTokenInfo:
    """What `debug_token` says about a token."""

    is_valid: bool
    app_id: str | None
    user_id: str | None
    type: str | None
    expires_at: dt.datetime | None
    """None: never expires (e.g. a system-user token)."""
    data_access_expires_at: dt.datetime | None
    scopes: tuple[str, ...]
    error_code: int | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class MetaLogin:
    """A completed login: long-lived tokens for the workspace that started the flow."""

    tokens: OAuthTokens
    workspace_id: str
    redirect_uri: str
    info: MetaTokenInfo


def _ts(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


class MetaOAuth:
    """The Meta login flow and token upkeep for one app."""

    def __init__(
        self,
        config: MetaOAuthConfig,
        state_store: StateStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._states = state_store
        self._clock = clock

    def _client(self) -> Any:
        return AsyncOAuth2Client(
            client_id=self.config.app_id,
            token_endpoint_auth_method="none",
            scope=",".join(self.config.scopes),
            timeout=self.config.timeout_s,
        )

    async def authorization_url(
        self, *, workspace_id: str, redirect_uri: str, rerequest: bool = False
    ) -> str:
        now = dt.datetime.fromtimestamp(self._clock(), dt.UTC)
        state = secrets.token_urlsafe(32)
        await self._states.save(
            PendingAuthorization(
                state=state,
                workspace_id=workspace_id,
                platform=PLATFORM,
                redirect_uri=redirect_uri,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=self.config.state_ttl_s),
                code_verifier="",  # Meta's manual flow has no PKCE
            )
        )
        extra = {"auth_type": "rerequest"} if rerequest else {}
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                self.config.authorize_url, state=state, redirect_uri=redirect_uri, **extra
            )
        return str(url)

    async def complete(self, callback_url: str) -> MetaLogin:
        """The login that `callback_url` (the redirect Meta sent the browser to) ends."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        binding = await self._states.take(query.get("state", ""))
        if (
            binding is None
            or binding.platform != PLATFORM
            or binding.expires_at.timestamp() <= self._clock()
        ):
            raise InvalidStateError(
                "OAuth state is unknown, expired or already used", platform=PLATFORM
            )
        if "error" in query or "code" not in query:
            reason = query.get("error_reason") or query.get("error") or "no code"
            raise ReconnectRequiredError(f"Meta login not granted: {reason}", platform=PLATFORM)
        short = await self.exchange_code(query["code"], binding.redirect_uri)
        tokens = await self.exchange_long_lived(short.access_token)
        info = await self.check(tokens)
        return MetaLogin(
            tokens=tokens.model_copy(update={"scope": list(info.scopes)}),
            workspace_id=binding.workspace_id,
            redirect_uri=binding.redirect_uri,
            info=info,
        )

    async def exchange_code(self, code: str, redirect_uri: str) -> OAuthTokens:
        """The short-lived user token for an authorization code."""
        return await self._fetch(
            grant_type="authorization_code", code=code, redirect_uri=redirect_uri
        )

    async def exchange_long_lived(self, access_token: str) -> OAuthTokens:
        """A long-lived (about 60 days) user token for a valid user token."""
        return await self._fetch(grant_type="fb_exchange_token", fb_exchange_token=access_token)

    async def _fetch(self, **params: str) -> OAuthTokens:
        async with self._client() as client:
            try:
                token = await client.fetch_token(
                    self.config.token_url,
                    method="GET",
                    client_id=self.config.app_id,
                    client_secret=self.config.app_secret,
                    **params,
                )
            except OAuthError as exc:
                raise self._token_error(exc.error, exc.description) from exc
            # httpx errors quote the request URL, which holds the app secret and tokens:
            # they are never chained, and their text is redacted.
            except _http.HTTPStatusError as exc:
                status = exc.response.status_code
                if status >= 500 or status == 429:
                    raise TransientError(
                        f"token endpoint HTTP {status}", platform=PLATFORM
                    ) from None
                raise MalformedResponseError(
                    f"token endpoint HTTP {status} without a JSON error", platform=PLATFORM
                ) from None
            except _http.HTTPError as exc:
                message = redact(f"token endpoint: {exc!r}")
                raise TransientError(message, platform=PLATFORM) from None
            except ValueError as exc:
                raise MalformedResponseError(str(exc), platform=PLATFORM) from exc
        expires_in = token.get("expires_in")
        expires_at = (
            dt.datetime.fromtimestamp(self._clock() + float(expires_in), dt.UTC)
            if isinstance(expires_in, int | float) and expires_in > 0
            else None
        )
        if not token.get("access_token"):
            raise MalformedResponseError("token response without access_token", platform=PLATFORM)
        return OAuthTokens(
            access_token=str(token["access_token"]),
            expires_at=expires_at,
            token_type=str(token.get("token_type") or "bearer"),
        )

    @staticmethod
    def _token_error(error: Any, description: Any) -> ConnectorError:
        if isinstance(error, Mapping):
            code = error.get("code")
            if code in THROTTLE_CODES:
                return error_from_graph(error, http_status=400)
            if code in (1, 101):
                return MetaRequestError(f"Meta rejected the app credentials: {error}", code=code)
            return ReconnectRequiredError(
                f"Meta token exchange failed: {error.get('message')} "
                f"[code={code} subcode={error.get('error_subcode')}]",
                platform=PLATFORM,
            )
        return ReconnectRequiredError(
            f"Meta token exchange failed: {error}: {description}", platform=PLATFORM
        )

    async def debug_token(self, access_token: str) -> MetaTokenInfo:
        """`GET /debug_token` with the app access token."""
        url = f"{self.config.graph_url.rstrip('/')}/{self.config.api_version}/debug_token"
        params = {
            "input_token": access_token,
            "access_token": f"{self.config.app_id}|{self.config.app_secret}",
        }
        async with self._client() as client:
            try:
                resp = await client.request("GET", url, params=params, withhold_token=True)
            except _http.HTTPError as exc:
                message = redact(f"debug_token: {exc!r}")
                raise TransientError(message, platform=PLATFORM) from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if resp.status_code >= 500:
                raise TransientError(f"debug_token HTTP {resp.status_code}", platform=PLATFORM)
            raise MalformedResponseError("debug_token answer is not JSON", platform=PLATFORM)
        if "error" in body:
            raise error_from_graph(
                body["error"], http_status=resp.status_code, headers=dict(resp.headers)
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise MalformedResponseError("debug_token answer has no data", platform=PLATFORM)
        raw_err = data.get("error")
        err: dict[str, Any] = raw_err if isinstance(raw_err, dict) else {}
        return MetaTokenInfo(
            is_valid=data.get("is_valid") is True,
            app_id=str(data["app_id"]) if data.get("app_id") else None,
            user_id=str(data["user_id"]) if data.get("user_id") else None,
            type=str(data["type"]) if data.get("type") else None,
            expires_at=_ts(data.get("expires_at")),
            data_access_expires_at=_ts(data.get("data_access_expires_at")),
            scopes=tuple(str(s) for s in data.get("scopes") or ()),
            error_code=err.get("code") if isinstance(err.get("code"), int) else None,
            error_message=str(err["message"]) if err.get("message") else None,
        )

    async def check(self, tokens: OAuthTokens) -> MetaTokenInfo:
        """`debug_token` info; `ReconnectRequiredError` unless the token is usable."""
        info = await self.debug_token(tokens.access_token)
        if not info.is_valid:
            raise ReconnectRequiredError(
                f"Meta token is not valid: {info.error_message or 'is_valid=false'}",
                platform=PLATFORM,
            )
        if info.app_id is not None and info.app_id != self.config.app_id:
            raise ReconnectRequiredError("Meta token belongs to another app", platform=PLATFORM)
        if info.expires_at is not None and info.expires_at.timestamp() <= self._clock():
            raise ReconnectRequiredError("Meta token has expired", platform=PLATFORM)
        missing = [s for s in self.config.required_scopes if s not in info.scopes]
        if missing:
            raise ReconnectRequiredError(
                f"Meta token lacks required permissions: {', '.join(missing)}",
                platform=PLATFORM,
            )
        return info

    def needs_renewal(self, tokens: OAuthTokens) -> bool:
        if tokens.expires_at is None:
            return False
        remaining = tokens.expires_at.timestamp() - self._clock()
        return remaining <= self.config.renew_within.total_seconds()

    async def renew(self, tokens: OAuthTokens) -> OAuthTokens:
        """Fresh long-lived tokens when `tokens` expire soon; `tokens` otherwise.

        There is no refresh token: an expired or revoked token raises
        `ReconnectRequiredError` and the user must log in again.
        """
        if tokens.expires_at is not None and tokens.expires_at.timestamp() <= self._clock():
            raise ReconnectRequiredError(
                "Meta token expired; Meta has no refresh token, the user must reconnect",
                platform=PLATFORM,
            )
        if not self.needs_renewal(tokens):
            return tokens
        renewed = await self.exchange_long_lived(tokens.access_token)
        return renewed.model_copy(update={"scope": list(tokens.scope)})
