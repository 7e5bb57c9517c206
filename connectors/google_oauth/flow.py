"""Google OAuth 2.0 for any Google API (Drive/Sheets, Google Ads): connect, refresh, revoke.

Contract: one `GoogleOAuthFlow` per platform and set of required scopes. `start` issues
a single-use state bound to (workspace_id, platform, PKCE code_verifier, redirect_uri),
saves it in the `StateStore` and returns the consent URL (authorization code flow,
PKCE S256, ``access_type=offline``, ``prompt=consent``). `complete` takes the callback
(URL or query parameters), consumes the state exactly once (unknown, reused, expired or
other-platform states raise `OAuthStateError`), exchanges the code with the stored
verifier and checks the granted scopes (a subset raises `MissingScopesError`).
`refresh` returns new tokens, keeping the refresh token when Google sends none;
``invalid_grant`` raises `ReconnectRequiredError`. All HTTP goes through Authlib's
`AsyncOAuth2Client` with a timeout; failures become typed `ConnectorError`s (429 →
`RateLimitedError`, 5xx/network → `TransientError`, unparseable → `MalformedResponseError`).
Endpoints default to Google's and are configurable (the sandbox, tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit

import httpx2
from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
    AsyncOAuth2Client,
    OAuthError,
)
from authlib.oauth2.client import OAuth2Client  # type: ignore[import-untyped]

from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_oauth.errors import (
    AuthorizationDeniedError,
    MissingScopesError,
    OAuthStateError,
    retry_after_seconds,
)
from connectors.google_oauth.state import PendingAuthorization, StateStore, utc_now
from connectors.records import OAuthTokens, Platform

__all__ = [
    "GOOGLE_AUTH_URL",
    "GOOGLE_REVOKE_URL",
    "GOOGLE_TOKEN_URL",
    "SCOPE_ADWORDS",
    "SCOPE_DRIVE_METADATA_READONLY",
    "SCOPE_SPREADSHEETS_READONLY",
    "AuthorizationRequest",
    "CompletedAuthorization",
    "GoogleOAuthConfig",
    "GoogleOAuthFlow",
]

GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_REVOKE_URL = "https://oauth2.googleapis.com/revoke"

SCOPE_DRIVE_METADATA_READONLY = "https://www.googleapis.com/auth/drive.metadata.readonly"
SCOPE_SPREADSHEETS_READONLY = "https://www.googleapis.com/auth/spreadsheets.readonly"
SCOPE_ADWORDS = "https://www.googleapis.com/auth/adwords"


@dataclass(frozen=True)
class GoogleOAuthConfig:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    """Required scopes: all are requested, and a grant missing any is refused."""
    redirect_uri: str
    auth_url: str = GOOGLE_AUTH_URL
    token_url: str = GOOGLE_TOKEN_URL
    revoke_url: str = GOOGLE_REVOKE_URL
    state_ttl: dt.timedelta = dt.timedelta(minutes=10)
    timeout_s: float = 10.0
    extra_auth_params: Mapping[str, str] = field(default_factory=dict)
    """More consent-URL parameters, e.g. ``{"include_granted_scopes": "true"}``."""
    require_refresh_token: bool = True


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class CompletedAuthorization:
    workspace_id: str
    platform: Platform
    tokens: OAuthTokens = field(repr=False)


class GoogleOAuthFlow:
    """See the module docstring."""

    def __init__(
        self,
        config: GoogleOAuthConfig,
        states: StateStore,
        *,
        platform: Platform,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.config = config
        self.platform: Platform = platform
        self._states = states
        self._clock = clock

    async def start(
        self, workspace_id: str, *, redirect_uri: str | None = None, login_hint: str | None = None
    ) -> AuthorizationRequest:
        cfg = self.config
        verifier = secrets.token_urlsafe(64)
        state = secrets.token_urlsafe(32)
        redirect = redirect_uri or cfg.redirect_uri
        extra = dict(cfg.extra_auth_params) | ({"login_hint": login_hint} if login_hint else {})
        builder = OAuth2Client(  # URL building only: no HTTP session needed
            None,
            client_id=cfg.client_id,
            scope=" ".join(cfg.scopes),
            redirect_uri=redirect,
            code_challenge_method="S256",
        )
        url, _ = builder.create_authorization_url(
            cfg.auth_url,
            state=state,
            code_verifier=verifier,
            access_type="offline",
            prompt="consent",
            **extra,
        )
        now = self._clock()
        pending = PendingAuthorization(
            state=state,
            workspace_id=workspace_id,
            platform=self.platform,
            redirect_uri=redirect,
            created_at=now,
            expires_at=now + cfg.state_ttl,
            code_verifier=verifier,
        )
        await self._states.save(pending)
        return AuthorizationRequest(url=str(url), state=state, expires_at=pending.expires_at)

    async def complete(self, callback: str | Mapping[str, str]) -> CompletedAuthorization:
        params = (
            dict(parse_qsl(urlsplit(callback).query)) if isinstance(callback, str) else callback
        )
        pending = await self._take_state(params.get("state"))
        if "error" in params:
            raise AuthorizationDeniedError(
                params["error"], params.get("error_description"), platform=self.platform
            )
        code = params.get("code")
        if not code:
            raise AuthorizationDeniedError("invalid_request", "no code", platform=self.platform)

        async def exchange(client: Any) -> Any:
            return await client.fetch_token(
                self.config.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
                redirect_uri=pending.redirect_uri,
            )

        token = await self._token_call(exchange, redirect_uri=pending.redirect_uri)
        tokens = self._tokens(token, previous_refresh=None)
        if self.config.require_refresh_token and tokens.refresh_token is None:
            raise ReconnectRequiredError(
                "Google issued no refresh token; offline access is required", platform=self.platform
            )
        return CompletedAuthorization(pending.workspace_id, self.platform, tokens)

    async def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        refresh_token = tokens.refresh_token
        if not refresh_token:
            raise ReconnectRequiredError("no refresh token stored", platform=self.platform)

        async def refresh_call(client: Any) -> Any:
            return await client.refresh_token(self.config.token_url, refresh_token=refresh_token)

        token = await self._token_call(refresh_call)
        return self._tokens(token, previous_refresh=refresh_token)

    async def revoke(self, token: str) -> None:
        """Revoke a refresh or access token (and so the grant); unknown tokens are ignored."""

        async def revoke_call(client: Any) -> Any:
            return await client.revoke_token(self.config.revoke_url, token=token)

        response = await self._token_call(revoke_call)
        if isinstance(response, httpx2.Response) and response.status_code >= 400:
            if response.status_code == 400:
                return  # invalid_token: already revoked or expired
            self._raise_for_status(response)

    # -- internals ---------------------------------------------------------------------------

    async def _take_state(self, state: str | None) -> PendingAuthorization:
        if not state:
            raise OAuthStateError("the callback has no state", platform=self.platform)
        pending = await self._states.take(state)
        if pending is None:
            raise OAuthStateError(
                "unknown or already used OAuth state; start the connection again",
                platform=self.platform,
            )
        if pending.expires_at <= self._clock():
            raise OAuthStateError(
                "the OAuth state expired; start the connection again", platform=self.platform
            )
        if pending.platform != self.platform:
            raise OAuthStateError(
                f"the OAuth state belongs to {pending.platform}, not {self.platform}",
                platform=self.platform,
            )
        return pending

    @functools.cached_property
    def _tls(self) -> ssl.SSLContext:
        return httpx2.create_ssl_context()  # once per flow: building it costs ~20 ms

    def _client(self, **kwargs: Any) -> Any:
        client = AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            timeout=self.config.timeout_s,
            verify=self._tls,
            **kwargs,
        )
        client.register_compliance_hook("access_token_response", self._check_http)
        client.register_compliance_hook("refresh_token_response", self._check_http)
        return client

    def _check_http(self, response: httpx2.Response) -> httpx2.Response:
        if response.status_code == 429 or response.status_code >= 500:
            self._raise_for_status(response)
        return response

    def _raise_for_status(self, response: httpx2.Response) -> NoReturn:
        status = response.status_code
        message = f"Google token endpoint answered HTTP {status}"
        if status == 429:
            retry = retry_after_seconds(response.headers.get("Retry-After"))
            raise RateLimitedError(message, platform=self.platform, retry_after_s=retry)
        if status >= 500:
            raise TransientError(message, platform=self.platform)
        raise ConnectorError(message, platform=self.platform)

    async def _token_call(self, op: Callable[[Any], Awaitable[Any]], **client_kwargs: Any) -> Any:
        try:
            async with self._client(**client_kwargs) as client:
                return await op(client)
        except OAuthError as exc:
            raise self._oauth_error(str(exc.error), exc.description) from exc
        except httpx2.HTTPStatusError as exc:
            self._raise_for_status(exc.response)
        except httpx2.TransportError as exc:
            raise TransientError(
                f"Google token endpoint unreachable: {type(exc).__name__}", platform=self.platform
            ) from exc
        except ValueError as exc:
            raise MalformedResponseError(
                f"Google token endpoint answered something unparseable: {exc}",
                platform=self.platform,
            ) from exc

    def _oauth_error(self, error: str, description: str | None) -> ConnectorError:
        text = f"{error}: {description}" if description else error
        if error == "invalid_grant":
            return ReconnectRequiredError(
                f"Google rejected the grant ({text}); the user must connect again",
                platform=self.platform,
            )
        if error in ("temporarily_unavailable", "server_error"):
            return TransientError(f"Google token endpoint: {text}", platform=self.platform)
        return ConnectorError(
            f"Google token endpoint refused the request ({text})", platform=self.platform
        )

    def _tokens(self, token: Mapping[str, Any], *, previous_refresh: str | None) -> OAuthTokens:
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise MalformedResponseError(
                "token response has no access_token", platform=self.platform
            )
        raw_scope = token.get("scope")
        granted = (
            raw_scope.split()
            if isinstance(raw_scope, str)
            else list(raw_scope or self.config.scopes)
        )
        missing = set(self.config.scopes) - set(granted)
        if missing:
            raise MissingScopesError(missing, granted, platform=self.platform)
        expires_at = token.get("expires_at")
        refresh = token.get("refresh_token") or previous_refresh
        token_type = str(token.get("token_type") or "Bearer")
        return OAuthTokens(
            access_token=access,
            refresh_token=str(refresh) if refresh else None,
            expires_at=(
                dt.datetime.fromtimestamp(int(expires_at), dt.UTC)
                if expires_at is not None
                else None
            ),
            scope=granted,
            token_type="Bearer" if token_type.lower() == "bearer" else token_type,
        )
