"""Drive push notifications: parse the headers of a channel POST and verify its token.

Contract: `parse_push_notification(headers, expected_token=...)` reads Drive's headers
(names case-insensitive): ``X-Goog-Channel-ID``, ``X-Goog-Resource-ID``,
``X-Goog-Resource-State`` and ``X-Goog-Message-Number`` are required;
``X-Goog-Channel-Token``, ``X-Goog-Channel-Expiration`` (RFC 1123), ``X-Goog-Resource-URI``
and ``X-Goog-Changed`` are optional. The channel token is compared with `expected_token`
in constant time; a missing or wrong token, a missing header or a bad number raises
`InvalidPushNotificationError` (answer 4xx and do nothing). Notifications carry no body
and do not say what changed: on anything but ``sync``, run `list_changes` from the
stored cursor.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hmac
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from connectors.errors import ConnectorError

__all__ = ["InvalidPushNotificationError", "PushNotification", "parse_push_notification"]


class InvalidPushNotificationError(ConnectorError):
    retryable = False


class PushNotification(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel_id: str
    resource_id: str
    resource_state: str
    """``sync`` (the channel was created) or ``change`` (for file watches: ``add``,
    ``remove``, ``update``, ``trash``, ``untrash``)."""
    message_number: int
    resource_uri: str | None = None
    channel_expiration: dt.datetime | None = None
    changed: tuple[str, ...] = ()

    @property
    def needs_sync(self) -> bool:
        """Whether to run `list_changes` now (everything but the ``sync`` handshake)."""
        return self.resource_state != "sync"


def parse_push_notification(headers: Mapping[str, str], *, expected_token: str) -> PushNotification:
    h = {k.lower(): v for k, v in headers.items()}

    def fail(message: str) -> InvalidPushNotificationError:
        return InvalidPushNotificationError(message, platform="google_drive")

    token = h.get("x-goog-channel-token")
    if token is None or not hmac.compare_digest(token.encode(), expected_token.encode()):
        raise fail("Drive notification with a missing or wrong X-Goog-Channel-Token")
    missing = [
        name
        for name in ("x-goog-channel-id", "x-goog-resource-id", "x-goog-resource-state")
        if not h.get(name)
    ]
    if missing:
        raise fail(f"Drive notification without {', '.join(missing)}")
    try:
        number = int(h.get("x-goog-message-number", ""))
    except ValueError as exc:
        raise fail("Drive notification with a bad X-Goog-Message-Number") from exc
    expiration = None
    if h.get("x-goog-channel-expiration"):
        try:
            expiration = email.utils.parsedate_to_datetime(h["x-goog-channel-expiration"])
        except (TypeError, ValueError) as exc:
            raise fail("Drive notification with a bad X-Goog-Channel-Expiration") from exc
    changed = tuple(p.strip() for p in h.get("x-goog-changed", "").split(",") if p.strip())
    return PushNotification(
        channel_id=h["x-goog-channel-id"],
        resource_id=h["x-goog-resource-id"],
        resource_state=h["x-goog-resource-state"],
        message_number=number,
        resource_uri=h.get("x-goog-resource-uri"),
        channel_expiration=expiration,
        changed=changed,
    )
