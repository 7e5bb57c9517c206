"""Typed connector errors: every failure says whether retrying can help.

Contract: connectors raise only `ConnectorError` subclasses for platform problems.
`retryable` tells the orchestration layer whether a Temporal retry can succeed;
`retry_after_s` carries the platform's own back-off hint when it gives one.
"""

from __future__ import annotations

__all__ = [
    "AuthExpiredError",
    "ConnectorError",
    "MalformedResponseError",
    "NotFoundError",
    "RateLimitedError",
    "ReconnectRequiredError",
    "SheetFormatError",
    "TransientError",
]


class ConnectorError(Exception):
    retryable: bool = False

    def __init__(self, message: str, *, platform: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.platform = platform
        self.retry_after_s = retry_after_s


class TransientError(ConnectorError):
    """5xx, timeouts, connection resets: try again with back-off."""

    retryable = True


class RateLimitedError(ConnectorError):
    """The platform throttled us (HTTP 429, Meta codes 4/17/32/613/80004, RESOURCE_EXHAUSTED)."""

    retryable = True


class AuthExpiredError(ConnectorError):
    """The access token expired; refreshing it (where the platform can) fixes this."""

    retryable = True


class ReconnectRequiredError(ConnectorError):
    """The grant is gone (`invalid_grant`, revoked, Meta token invalid): the user must reconnect."""

    retryable = False


class NotFoundError(ConnectorError):
    retryable = False


class MalformedResponseError(ConnectorError):
    """The platform answered with something that does not parse; retrying may help."""

    retryable = True


class SheetFormatError(ConnectorError):
    """A spreadsheet is not a campaign plan this connector can read; the message says where."""

    retryable = False
