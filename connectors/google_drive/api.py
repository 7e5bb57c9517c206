"""google-api-python-client calls for Drive v3 and Sheets v4: threads, timeouts, typed errors.

Contract: `GoogleApiSession.execute(api, make)` builds a request with ``make(service)``
and executes it in a worker thread (`asyncio.to_thread`); it returns the parsed JSON or
raises a `ConnectorError` (mapping in `error_from_http` and `_run`). Services are built
once from the bundled discovery documents (never fetched) with
``client_options={"api_endpoint": ...}``; every thread gets its own
`google_auth_httplib2.AuthorizedHttp` over ``httplib2.Http(timeout=timeout_s)``
(httplib2 is not thread-safe), all sharing one google-auth `Credentials`, which
refreshes itself before expiry and on a 401. `tokens()` reports the current tokens so a
refresh can be persisted; `close()` closes every HTTP connection opened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_oauth import retry_after_seconds
from connectors.records import OAuthTokens

__all__ = ["Api", "GoogleApiSession", "error_from_http"]

Api = Literal["drive", "sheets"]
PLATFORM = "google_drive"
_RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
_SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})


def _google_reason(content: bytes) -> tuple[str, str]:
    """(reason, message) from Google's JSON error envelope, empty when absent."""
    try:
        error = json.loads(content.decode("utf-8"))["error"]
        message = str(error.get("message", ""))
        details = error.get("errors") or error.get("details") or [{}]
        return str(details[0].get("reason", "")), message
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return "", content[:200].decode("utf-8", "replace")


def error_from_http(
    status: int, headers: Mapping[str, str], content: bytes, *, what: str
) -> ConnectorError:
    """The typed error for a failed Google API response (headers with lowercase names)."""
    reason, message = _google_reason(content)
    text = f"{what}: HTTP {status} {reason} {message}".strip()
    retry_after = retry_after_seconds(headers.get("retry-after"))
    if status == 429 or (status == 403 and reason in _RATE_LIMIT_REASONS):
        return RateLimitedError(text, platform=PLATFORM, retry_after_s=retry_after)
    if status >= 500 or status == 408:
        return TransientError(text, platform=PLATFORM, retry_after_s=retry_after)
    if status == 401 or (status == 403 and reason in _SCOPE_REASONS):
        return ReconnectRequiredError(
            f"{text} (the token was refused after refreshing; reconnect the account)",
            platform=PLATFORM,
        )
    if status == 404:
        return NotFoundError(text, platform=PLATFORM)
    return ConnectorError(text, platform=PLATFORM)


def _refresh_error(exc: RefreshError) -> ConnectorError:
    text = f"refreshing the Google access token failed: {exc.args[0] if exc.args else exc}"
    if exc.retryable:
        return TransientError(text, platform=PLATFORM)
    if "invalid_client" in text:
        return ConnectorError(text, platform=PLATFORM)
    return ReconnectRequiredError(text, platform=PLATFORM)


class GoogleApiSession:
    """See the module docstring."""

    def __init__(
        self,
        tokens: OAuthTokens,
        *,
        client_id: str,
        client_secret: str,
        token_url: str,
        endpoints: Mapping[Api, str],
        timeout_s: float,
    ) -> None:
        expiry = tokens.expires_at
        self.credentials = Credentials(  # type: ignore[no-untyped-call]
            token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_uri=token_url,
            client_id=client_id,
            client_secret=client_secret,
            scopes=list(tokens.scope) or None,
            expiry=None if expiry is None else expiry.astimezone(dt.UTC).replace(tzinfo=None),
        )
        self._scope = list(tokens.scope)
        self._endpoints = dict(endpoints)
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._local = threading.local()
        self._https: list[Any] = []
        self._services: dict[Api, Any] = {}

    def tokens(self) -> OAuthTokens:
        creds = self.credentials
        expiry = creds.expiry
        granted = creds.granted_scopes
        return OAuthTokens(
            access_token=str(creds.token),
            refresh_token=creds.refresh_token,
            expires_at=None if expiry is None else expiry.replace(tzinfo=dt.UTC),
            scope=list(granted) if granted else self._scope,
        )

    async def execute(self, api: Api, make: Callable[[Any], Any], *, what: str) -> Any:
        return await asyncio.to_thread(self._run, api, make, what)

    def close(self) -> None:
        """Close every connection; a later call opens (and tracks) new ones."""
        with self._lock:
            https, self._https = self._https, []
            self._local = threading.local()
        for http in https:
            http.close()

    # -- in worker threads ----------------------------------------------------------------

    def _service(self, api: Api) -> Any:
        with self._lock:
            if api not in self._services:
                name, version = ("drive", "v3") if api == "drive" else ("sheets", "v4")
                self._services[api] = build(
                    name,
                    version,
                    http=httplib2.Http(timeout=self._timeout_s),  # never used: see _http
                    client_options={"api_endpoint": self._endpoints[api]},
                    static_discovery=True,
                    cache_discovery=False,
                )
            return self._services[api]

    def _http(self) -> Any:
        http = getattr(self._local, "http", None)
        if http is None:
            http = google_auth_httplib2.AuthorizedHttp(
                self.credentials, http=httplib2.Http(timeout=self._timeout_s)
            )
            self._local.http = http
            with self._lock:
                self._https.append(http)
        return http

    def _run(self, api: Api, make: Callable[[Any], Any], what: str) -> Any:
        request = make(self._service(api))
        try:
            return request.execute(http=self._http(), num_retries=0)
        except HttpError as exc:
            raise error_from_http(exc.resp.status, exc.resp, exc.content, what=what) from exc
        except RefreshError as exc:
            raise _refresh_error(exc) from exc
        except TimeoutError as exc:
            raise TransientError(
                f"{what}: no answer within {self._timeout_s:g}s", platform=PLATFORM
            ) from exc
        except (httplib2.HttpLib2Error, TransportError, OSError) as exc:
            raise TransientError(f"{what}: {type(exc).__name__}: {exc}", platform=PLATFORM) from exc
        except ValueError as exc:  # the body did not parse as JSON
            raise MalformedResponseError(
                f"{what}: unparseable response: {exc}", platform=PLATFORM
            ) from exc
