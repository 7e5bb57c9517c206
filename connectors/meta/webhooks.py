"""Meta webhooks: the subscription handshake, the signature check, the payload parser.

Contract:

- `verify_subscription(params, verify_token)` handles Meta's verification GET
  (`hub.mode=subscribe&hub.challenge=...&hub.verify_token=...`): it returns the raw
  challenge to answer with (HTTP 200) or None (answer 403).
- `verify_signature(body, header, app_secret)` checks `X-Hub-Signature-256:
  sha256=<hex HMAC-SHA256(app_secret, raw body)>` in constant time. Call it on the raw
  bytes BEFORE parsing them; reject the request when it returns False.
- `parse_webhook(body)` turns a verified `ad_account` notification into `Change` hints
  (other objects give `[]`; a body that is not a notification raises
  `MalformedResponseError`). Campaign-level events (`in_process_ad_objects`,
  `with_issues_ad_objects`, `subscriptions`/`ads_rules_engine` with a CAMPAIGN object)
  name the campaign (`removed` when its status is DELETED/ARCHIVED, `created` for a
  METADATA_CREATION trigger); everything else (ad set/ad events, metric and insights
  triggers, account fields) names the ad account `act_<id>`, meaning "re-read it".
  Meta sends no metric values by webhook: polling stays the source of truth.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Literal

from connectors.errors import MalformedResponseError
from connectors.records import Change

__all__ = [
    "SIGNATURE_HEADER",
    "parse_webhook",
    "sign_body",
    "verify_signature",
    "verify_subscription",
]

SIGNATURE_HEADER = "X-Hub-Signature-256"
_REMOVED_STATUSES = frozenset({"DELETED", "ARCHIVED"})


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo when this is a valid subscribe request, else None."""
    if params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token") or ""
    if not verify_token or not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge")
    return challenge if challenge else None


def sign_body(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header value Meta sends for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is the app's HMAC-SHA256 signature of exactly `body`."""
    if not header or not app_secret:
        return False
    expected = sign_body(body, app_secret).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))


def _account_id(raw: Any) -> str:
    value = str(raw or "")
    return value if value.startswith("act_") else f"act_{value}"


def _change_for(account: str, value: Any, changed_at: dt.datetime | None) -> Change:
    kind: Literal["created", "updated", "removed"] = "updated"
    resource = account
    if isinstance(value, dict):
        level = str(value.get("level") or value.get("object_type") or "").upper()
        object_id = value.get("id") or value.get("object_id")
        trigger = str(value.get("trigger_type") or "").upper()
        is_stats = trigger.startswith("STATS") or trigger == "DELIVERY_INSIGHTS_CHANGE"
        if level == "CAMPAIGN" and object_id and not is_stats:
            resource = str(object_id)
            if str(value.get("status_name") or "").upper() in _REMOVED_STATUSES:
                kind = "removed"
            elif trigger == "METADATA_CREATION":
                kind = "created"
    return Change(platform="meta", resource_id=resource, change_type=kind, changed_at=changed_at)


def parse_webhook(body: bytes) -> list[Change]:
    """The change hints of one (already signature-checked) notification body."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise MalformedResponseError("webhook body is not JSON", platform="meta") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise MalformedResponseError("webhook body has no entry list", platform="meta")
    if payload.get("object") != "ad_account":
        return []
    changes: list[Change] = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise MalformedResponseError("webhook entry without id", platform="meta")
        account = _account_id(entry["id"])
        when = entry.get("time")
        changed_at = (
            dt.datetime.fromtimestamp(when, dt.UTC) if isinstance(when, int | float) else None
        )
        items = entry.get("changes")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                changes.append(_change_for(account, item.get("value"), changed_at))
    unique: dict[tuple[str, str], Change] = {}
    for change in changes:
        unique.setdefault((change.resource_id, change.change_type), change)
    return list(unique.values())
