"""Drive push headers, Retry-After and the HTTP error mapping, as pure functions."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest

from connectors.errors import (
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_drive import (
    GoogleDriveConnector,
    InvalidPushNotificationError,
    error_from_http,
    parse_push_notification,
    plan_query,
)
from connectors.google_oauth import retry_after_seconds
from connectors.records import WatchChannel

HEADERS = {
    "X-Goog-Channel-ID": "mediaplan-1",
    "X-Goog-Channel-Token": "s3cret",
    "X-Goog-Channel-Expiration": "Tue, 07 Jul 2026 12:00:00 GMT",
    "X-Goog-Resource-ID": "res-9",
    "X-Goog-Resource-URI": "https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=7",
    "X-Goog-Resource-State": "change",
    "X-Goog-Message-Number": "42",
}


def test_parse_a_change_notification() -> None:
    lower = {k.lower(): v for k, v in HEADERS.items()}
    got = parse_push_notification(lower, expected_token="s3cret")
    assert (got.channel_id, got.resource_id, got.resource_state, got.message_number) == (
        "mediaplan-1",
        "res-9",
        "change",
        42,
    )
    assert got.channel_expiration == dt.datetime(2026, 7, 7, 12, tzinfo=dt.UTC)
    assert got.needs_sync and got.changed == ()


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"X-Goog-Channel-Token": "S3cret"}, "wrong X-Goog-Channel-Token"),
        ({"X-Goog-Channel-Token": None}, "missing or wrong"),
        ({"X-Goog-Resource-ID": None}, "without x-goog-resource-id"),
        ({"X-Goog-Message-Number": "n/a"}, "bad X-Goog-Message-Number"),
        ({"X-Goog-Channel-Expiration": "soon"}, "bad X-Goog-Channel-Expiration"),
    ],
)
def test_bad_notifications_are_refused(change: dict[str, str | None], match: str) -> None:
    headers = {k: v for k, v in (HEADERS | change).items() if v is not None}
    with pytest.raises(InvalidPushNotificationError, match=match):
        parse_push_notification(headers, expected_token="s3cret")


def test_the_connector_checks_the_channel_id() -> None:
    channel = WatchChannel(
        platform="google_drive",
        channel_id="mediaplan-2",
        resource_id="res-9",
        address="https://example.com/hook",
        expires_at=None,
        token="s3cret",
    )
    with pytest.raises(InvalidPushNotificationError, match="another channel"):
        GoogleDriveConnector.parse_push_notification(HEADERS, channel)


def _body(reason: str) -> bytes:
    return (
        f'{{"error": {{"code": 0, "message": "m", "errors": [{{"reason": "{reason}"}}]}}}}'.encode()
    )


@pytest.mark.parametrize(
    ("status", "reason", "headers", "kind", "retry_after"),
    [
        (429, "rateLimitExceeded", {"retry-after": "12"}, RateLimitedError, 12.0),
        (403, "userRateLimitExceeded", {}, RateLimitedError, None),
        (503, "backendError", {}, TransientError, None),
        (500, "", {}, TransientError, None),
        (401, "authError", {}, ReconnectRequiredError, None),
        (403, "insufficientPermissions", {}, ReconnectRequiredError, None),
        (404, "notFound", {}, NotFoundError, None),
        (400, "invalid", {}, ConnectorError, None),
    ],
)
def test_error_from_http(
    status: int,
    reason: str,
    headers: dict[str, str],
    kind: type[ConnectorError],
    retry_after: float | None,
) -> None:
    error = error_from_http(status, headers, _body(reason), what="files.list")
    assert type(error) is kind and error.retry_after_s == retry_after
    assert error.platform == "google_drive" and str(error).startswith(f"files.list: HTTP {status}")


def test_error_from_http_survives_a_non_json_body() -> None:
    error = error_from_http(502, {}, b"<html>Bad Gateway</html>", what="x")
    assert isinstance(error, TransientError) and "Bad Gateway" in str(error)


def test_retry_after_seconds() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    assert 25 < (retry_after_seconds(email.utils.format_datetime(later, usegmt=True)) or 0) <= 30
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_plan_query_escapes_terms() -> None:
    assert plan_query(("plan", "it's")) == (
        "mimeType = 'application/vnd.google-apps.spreadsheet' and trashed = false"
        " and (name contains 'plan' or name contains 'it\\'s')"
    )
    assert plan_query(()).endswith("trashed = false")
