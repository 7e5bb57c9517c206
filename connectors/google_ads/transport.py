"""Blocking Google Ads calls through the stock `google-ads` client (run them in a thread).

Contract: `GoogleAdsTransport` builds `GoogleAdsClient(credentials, developer_token=...,
login_customer_id=..., endpoint=..., use_proto_plus=False, version="v26")` directly (never
`load_from_dict`, which refreshes against Google at construction) and gets its services
with `get_service`, so the library's own interceptors set the `developer-token` and
`login-customer-id` metadata. One client and channel per login customer id, closed by
`close()`. Every call passes an explicit `timeout` and `retry=None` (the connector retries,
see `retry.py`). Before each call the OAuth credentials are refreshed when invalid (or
when the API said the token expired), so refresh failures surface as google-auth
`RefreshError`s here rather than inside gRPC's metadata plugin. An auth rejection forces a
refresh before the next attempt; a rejection of a token refreshed for that very attempt
is `ReconnectRequiredError` (refreshing again cannot help). Token requests time out after
`timeout_s` too. Every failure leaves as a `ConnectorError` (see `error_mapping.py`).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from google.ads.googleads.client import GoogleAdsClient
from google.auth.credentials import Credentials

from connectors.errors import (
    AuthExpiredError,
    ConnectorError,
    MalformedResponseError,
    ReconnectRequiredError,
)
from connectors.google_ads.credentials import TimedRequest
from connectors.google_ads.error_mapping import to_connector_error

__all__ = ["API_VERSION", "GoogleAdsSettings", "GoogleAdsTransport"]

API_VERSION = "v26"
"""The API version the queries, error mapping and sandbox are written and tested for."""

T = TypeVar("T")
_LOGGING_INTERCEPTOR = "google/ads/googleads/interceptors/logging_interceptor.py"


@dataclass(frozen=True)
class GoogleAdsSettings:
    developer_token: str
    endpoint: str | None = None
    """`host:port` of the API (None: googleads.googleapis.com); the sandbox's `.endpoint`."""
    login_customer_id: str | None = None
    """Manager to act through for customers not reached by discovery (10 digits)."""
    timeout_s: float = 60.0
    """Deadline of each unary call (ListAccessibleCustomers, each Search page)."""
    stream_timeout_s: float = 600.0
    """Deadline of a whole SearchStream."""

    def __post_init__(self) -> None:
        if not self.developer_token:
            raise ValueError("a Google Ads developer token is required")
        login = self.login_customer_id
        if login is not None and not (len(login) == 10 and login.isdigit()):
            raise ValueError("login_customer_id must be 10 digits without dashes")
        if self.timeout_s <= 0 or self.stream_timeout_s <= 0:
            raise ValueError("timeouts must be positive")


def _library_logging_failure(exc: Exception) -> ConnectorError | None:
    """google-ads 34's logging interceptor raises `TypeError` (`json.loads(None)`) while
    logging a failed unary call that has no debug string: a response that did not
    deserialize. Seen with the sandbox's malformed pages; typed as such."""
    if not isinstance(exc, TypeError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    if not any(f.filename.endswith(_LOGGING_INTERCEPTOR) for f in frames):
        return None
    message = f"google-ads failed while logging a failed call (undecodable response?): {exc}"
    return MalformedResponseError(message, platform="google_ads")


class GoogleAdsTransport:
    def __init__(self, credentials: Credentials, settings: GoogleAdsSettings) -> None:
        self._credentials = credentials
        self._settings = settings
        self._auth_request = TimedRequest(settings.timeout_s)
        self._token_lock = threading.Lock()
        self._force_refresh = False
        self._refreshed_token: str | None = None
        self._services: dict[tuple[str, str | None], Any] = {}
        self._services_lock = threading.Lock()
        self._closed = False

    def _service(self, name: str, login_customer_id: str | None) -> Any:
        key = (name, login_customer_id)
        with self._services_lock:
            if self._closed:
                raise RuntimeError("the Google Ads transport is closed")
            service = self._services.get(key)
            if service is None:
                client = GoogleAdsClient(
                    self._credentials,
                    developer_token=self._settings.developer_token,
                    login_customer_id=login_customer_id,
                    endpoint=self._settings.endpoint,
                    use_proto_plus=False,
                    version=API_VERSION,
                )
                service = self._services[key] = client.get_service(name)
            return service

    def _ensure_token(self) -> str | None:
        """Refresh when needed; the token this call will send if it was just refreshed."""
        with self._token_lock:
            if self._force_refresh or not self._credentials.valid:
                self._credentials.refresh(self._auth_request)  # type: ignore[no-untyped-call]
                self._force_refresh = False
                self._refreshed_token = self._credentials.token
            return self._refreshed_token

    def _guarded(self, call: Callable[[], T]) -> T:
        refreshed: str | None = None
        try:
            refreshed = self._ensure_token()
            result = call()
        except Exception as exc:
            error = to_connector_error(exc) or _library_logging_failure(exc)
            if error is None:
                raise
            if isinstance(error, AuthExpiredError):
                if refreshed is not None and refreshed == self._credentials.token:
                    message = f"a freshly refreshed token was refused: {error}"
                    raise ReconnectRequiredError(message, platform=error.platform) from exc
                self._force_refresh = True
            if error is exc:
                raise
            raise error from exc
        with self._token_lock:
            self._refreshed_token = None
        return result

    def list_accessible_customers(self) -> list[str]:
        """Customer ids (10 digits) the OAuth user can access directly."""

        def call() -> list[str]:
            service = self._service("CustomerService", None)
            response = service.list_accessible_customers(
                request={}, timeout=self._settings.timeout_s, retry=None
            )
            return [str(name).removeprefix("customers/") for name in response.resource_names]

        return self._guarded(call)

    def search(
        self,
        customer_id: str,
        query: str,
        login_customer_id: str | None,
        convert: Callable[[Any], T],
    ) -> list[T]:
        """`GoogleAdsService.Search`, following page tokens; each row through `convert`."""

        def call() -> list[T]:
            service = self._service("GoogleAdsService", login_customer_id)
            pager = service.search(
                request={"customer_id": customer_id, "query": query},
                timeout=self._settings.timeout_s,
                retry=None,
            )
            return [convert(row) for row in pager]

        return self._guarded(call)

    def search_stream(
        self,
        customer_id: str,
        query: str,
        login_customer_id: str | None,
        convert: Callable[[Any], T],
    ) -> list[T]:
        """`GoogleAdsService.SearchStream` (one API operation), every batch's rows converted."""

        def call() -> list[T]:
            service = self._service("GoogleAdsService", login_customer_id)
            stream: Iterable[Any] = service.search_stream(
                request={"customer_id": customer_id, "query": query},
                timeout=self._settings.stream_timeout_s,
                retry=None,
            )
            return [convert(row) for batch in stream for row in batch.results]

        return self._guarded(call)

    def close(self) -> None:
        """Close every channel and the token-refresh HTTP session (idempotent)."""
        with self._services_lock:
            services, self._services = list(self._services.values()), {}
            self._closed = True
        for service in services:
            service.transport.close()
        session = getattr(self._auth_request, "session", None)
        if session is not None:
            session.close()
