"""Translate what the google-ads stack raises into `connectors.errors` types.

Contract: `to_connector_error(exc)` returns the `ConnectorError` for a platform failure, or
None for anything else (a programming error, which must surface unchanged). Rules:

- `GoogleAdsException` (non-retryable gRPC codes with a `GoogleAdsFailure` trailer) is
  classified by its error codes: `quota_error` -> `RateLimitedError` (retry delay from
  `quota_error_details`), `OAUTH_TOKEN_EXPIRED` / `_INVALID` / `_HEADER_INVALID` ->
  `AuthExpiredError` (a refresh may fix it; the transport escalates to
  `ReconnectRequiredError` when a freshly refreshed token is refused), revoked/disabled
  tokens and Google account errors -> `ReconnectRequiredError`, developer-token and
  `authorization_error` (`CUSTOMER_NOT_ENABLED`, `USER_PERMISSION_DENIED`, ...) ->
  non-retryable `ConnectorError`, `CUSTOMER_NOT_FOUND` -> `NotFoundError`,
  `internal_error` and expired/invalid page tokens -> `TransientError`.
- `RESOURCE_EXHAUSTED` is *not* wrapped by the library (research §4): it arrives as
  `google.api_core.exceptions.ResourceExhausted`; the delay comes from the
  `GoogleAdsFailure` trailer on `exc.response` or a `google.rpc.RetryInfo` detail.
- `UNAVAILABLE`, `DEADLINE_EXCEEDED`, `INTERNAL`, `ABORTED`, `UNKNOWN` -> `TransientError`,
  except a response that failed to deserialize -> `MalformedResponseError`.
- google-auth `RefreshError`: `invalid_grant` or any non-retryable refresh failure ->
  `ReconnectRequiredError`; retryable ones and `TransportError` -> `TransientError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types import errors as ads_errors
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions

from connectors.errors import (
    AuthExpiredError,
    ConnectorError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)

__all__ = ["AdsErrorCode", "ads_error_codes", "to_connector_error"]

PLATFORM = "google_ads"
_FAILURE_SUFFIX = "errors.googleadsfailure-bin"
_TRANSIENT_STATUSES = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "ABORTED", "UNKNOWN"}
_NOT_FOUND = {"CUSTOMER_NOT_FOUND", "CLIENT_CUSTOMER_ID_INVALID"}
_CONFIG_AUTH = {"DEVELOPER_TOKEN_INVALID"}
_CONFIG_AUTH |= {
    "ORGANIZATION_NOT_RECOGNIZED",
    "ORGANIZATION_NOT_APPROVED",
    "ORGANIZATION_NOT_ASSOCIATED_WITH_DEVELOPER_TOKEN",
}
_REFRESHABLE = {"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_INVALID", "OAUTH_TOKEN_HEADER_INVALID"}
_TRANSIENT_REQUEST = {"EXPIRED_PAGE_TOKEN", "INVALID_PAGE_TOKEN", "RPC_DEADLINE_TOO_SHORT"}
_DESERIALIZE = "Exception deserializing response"
_GoogleAdsFailure: Any = ads_errors.GoogleAdsFailure.pb()


@dataclass(frozen=True)
class AdsErrorCode:
    category: str
    """The `ErrorCode` oneof field, e.g. `quota_error`."""
    name: str
    """The enum value name, e.g. `RESOURCE_TEMPORARILY_EXHAUSTED`."""
    message: str
    retry_delay_s: float | None


def ads_error_codes(failure: Any) -> list[AdsErrorCode]:
    """The errors of a `GoogleAdsFailure` (proto-plus or raw protobuf)."""
    message = type(failure).pb(failure) if hasattr(type(failure), "pb") else failure
    codes: list[AdsErrorCode] = []
    for error in message.errors:
        for field, value in error.error_code.ListFields():
            enum = field.enum_type
            name = enum.values_by_number[value].name if enum is not None else str(value)
            delay = None
            details = error.details
            if details.HasField("quota_error_details"):
                quota = details.quota_error_details
                if quota.HasField("retry_delay"):
                    delay = quota.retry_delay.ToTimedelta().total_seconds()
            codes.append(AdsErrorCode(field.name, name, error.message, delay))
    return codes


def _failure_from_trailers(metadata: Iterable[Any] | None) -> Any:
    for key, value in metadata or ():
        if str(key).endswith(_FAILURE_SUFFIX) and isinstance(value, bytes):
            try:
                return _GoogleAdsFailure.FromString(value)
            except Exception:  # a corrupt trailer: no details, same status
                return None
    return None


def _delay(codes: Iterable[AdsErrorCode]) -> float | None:
    delays = [c.retry_delay_s for c in codes if c.retry_delay_s is not None]
    return max(delays) if delays else None


def _from_codes(codes: list[AdsErrorCode], summary: str) -> ConnectorError | None:
    by_category = {c.category: c for c in codes}
    if "quota_error" in by_category:
        quota = by_category["quota_error"]
        if quota.name == "ACCESS_PROHIBITED":
            return ConnectorError(summary, platform=PLATFORM)
        return RateLimitedError(summary, platform=PLATFORM, retry_after_s=_delay(codes))
    auth = by_category.get("authentication_error")
    if auth is not None:
        if auth.name in _REFRESHABLE:
            return AuthExpiredError(summary, platform=PLATFORM)
        if auth.name in _NOT_FOUND:
            return NotFoundError(summary, platform=PLATFORM)
        if auth.name in _CONFIG_AUTH:
            return ConnectorError(summary, platform=PLATFORM)
        return ReconnectRequiredError(summary, platform=PLATFORM)
    if "authorization_error" in by_category:
        return ConnectorError(summary, platform=PLATFORM)
    if "internal_error" in by_category:
        return TransientError(summary, platform=PLATFORM)
    request = by_category.get("request_error")
    if request is not None and request.name in _TRANSIENT_REQUEST:
        return TransientError(summary, platform=PLATFORM)
    return None


def _from_status(status: str, summary: str, retry_after_s: float | None) -> ConnectorError:
    if status == "RESOURCE_EXHAUSTED":
        return RateLimitedError(summary, platform=PLATFORM, retry_after_s=retry_after_s)
    if status == "INTERNAL" and _DESERIALIZE in summary:
        return MalformedResponseError(summary, platform=PLATFORM)
    if status in _TRANSIENT_STATUSES:
        if "invalid_grant" in summary:  # the auth metadata plugin failed to refresh
            return ReconnectRequiredError(summary, platform=PLATFORM)
        return TransientError(summary, platform=PLATFORM, retry_after_s=retry_after_s)
    if status == "UNAUTHENTICATED":
        return AuthExpiredError(summary, platform=PLATFORM)
    if status == "NOT_FOUND":
        return NotFoundError(summary, platform=PLATFORM)
    return ConnectorError(summary, platform=PLATFORM)


def _summary(status: str, codes: list[AdsErrorCode], detail: str, request_id: str | None) -> str:
    names = ", ".join(f"{c.category}.{c.name}" for c in codes) or detail
    messages = "; ".join(c.message for c in codes if c.message)
    text = f"Google Ads {status}: {names}"
    if messages and messages != names:
        text += f" ({messages})"
    return f"{text} [request_id={request_id}]" if request_id else text


def _status_name(code: Any) -> str:
    return str(getattr(code, "name", code or "UNKNOWN"))


def _retry_info_delay(details: Iterable[Any]) -> float | None:
    for detail in details:
        descriptor = getattr(detail, "DESCRIPTOR", None)
        if getattr(descriptor, "full_name", "") == "google.rpc.RetryInfo":
            return float(detail.retry_delay.ToTimedelta().total_seconds())
    return None


def _from_api_error(exc: api_exceptions.GoogleAPICallError) -> ConnectorError:
    status = _status_name(exc.grpc_status_code)
    response: Any = exc.response
    trailers = None
    if response is not None and hasattr(response, "trailing_metadata"):
        trailers = response.trailing_metadata()
    failure = _failure_from_trailers(trailers)
    codes = ads_error_codes(failure) if failure is not None else []
    request_id = failure.request_id if failure is not None else None
    summary = _summary(status, codes, exc.message or str(exc), request_id)
    delay = _delay(codes) or _retry_info_delay(exc.details or ())
    if status == "RESOURCE_EXHAUSTED" or "quota_error" in {c.category for c in codes}:
        return RateLimitedError(summary, platform=PLATFORM, retry_after_s=delay)
    return _from_codes(codes, summary) or _from_status(status, summary, delay)


def _from_ads_exception(exc: GoogleAdsException) -> ConnectorError:
    status = _status_name(exc.error.code() if hasattr(exc.error, "code") else None)
    codes = ads_error_codes(exc.failure)
    summary = _summary(status, codes, str(exc.error), exc.request_id)
    return _from_codes(codes, summary) or _from_status(status, summary, _delay(codes))


def _from_refresh_error(exc: auth_exceptions.RefreshError) -> ConnectorError:
    text = f"Google OAuth refresh failed: {exc}"
    if "invalid_grant" in str(exc) or not exc.retryable:
        return ReconnectRequiredError(text, platform=PLATFORM)
    return TransientError(text, platform=PLATFORM)


def to_connector_error(exc: BaseException) -> ConnectorError | None:
    """The `ConnectorError` for a google-ads/gRPC/google-auth failure; None if not one."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, GoogleAdsException):
        return _from_ads_exception(exc)
    if isinstance(exc, auth_exceptions.RefreshError):
        return _from_refresh_error(exc)
    if isinstance(exc, auth_exceptions.TransportError):
        return TransientError(f"Google OAuth endpoint unreachable: {exc}", platform=PLATFORM)
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return _from_api_error(exc)
    code = getattr(exc, "code", None)
    if callable(code) and hasattr(exc, "details"):  # a bare grpc.RpcError
        details = exc.details()
        return _from_status(_status_name(code()), f"Google Ads gRPC error: {details}", None)
    return None
