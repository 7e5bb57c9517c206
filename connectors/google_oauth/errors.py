"""OAuth-specific errors, all `connectors.errors.ConnectorError` subclasses (not retryable).

Contract: `OAuthStateError` (the callback's state is unknown, already used, expired or
for another platform: start again), `AuthorizationDeniedError` (the user or a policy
refused consent: ``error=`` on the callback), `MissingScopesError` (the grant lacks
required scopes: the user must reconnect and tick every box; `.missing` names them).
`retry_after_seconds` reads a ``Retry-After`` header for `RateLimitedError.retry_after_s`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable

from connectors.errors import ConnectorError, ReconnectRequiredError

__all__ = [
    "AuthorizationDeniedError",
    "MissingScopesError",
    "OAuthStateError",
    "retry_after_seconds",
]


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class OAuthStateError(ConnectorError):
    retryable = False


class AuthorizationDeniedError(ConnectorError):
    retryable = False

    def __init__(self, error: str, description: str | None, *, platform: str) -> None:
        detail = f": {description}" if description else ""
        super().__init__(f"authorization was refused ({error}){detail}", platform=platform)
        self.error = error


class MissingScopesError(ReconnectRequiredError):
    def __init__(self, missing: Iterable[str], granted: Iterable[str], *, platform: str) -> None:
        self.missing = sorted(missing)
        self.granted = sorted(granted)
        super().__init__(
            "the user did not grant every required scope; reconnect and allow all of them. "
            f"Missing: {', '.join(self.missing)}; granted: {', '.join(self.granted) or 'none'}",
            platform=platform,
        )
