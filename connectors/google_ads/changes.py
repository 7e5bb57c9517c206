"""`change_status` polling state: the cursor of `GoogleAdsConnector.list_changes`.

Contract: the cursor is an opaque string holding, per customer, the newest
`last_change_date_time` seen (account-local, the API's own clock) plus the keys
(`time|resource_name`) of the rows seen within the last `overlap`. Each poll re-reads from
`since - overlap`, because `change_status` can surface a change up to ~3 minutes after
its timestamp, and drops rows already seen, so every row is reported once. When a page
came back full (`LIMIT` rows) the next poll resumes at `since` without the overlap so it
always makes progress. A cursor older than the API's 90-day window is clamped to the
window and flagged, so the caller can schedule a full re-read of that customer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from connectors.errors import MalformedResponseError
from connectors.google_ads.mapping import change_from_row
from connectors.google_ads.queries import format_change_time, parse_change_time
from connectors.records import Change

__all__ = [
    "CHANGE_STATUS_WINDOW",
    "ChangeStatusRow",
    "CustomerCursor",
    "advance",
    "change_converter",
    "decode_cursor",
    "encode_cursor",
    "latest_per_resource",
    "window_start",
]

CHANGE_STATUS_WINDOW = dt.timedelta(days=90)
_WINDOW_MARGIN = dt.timedelta(minutes=5)
_VERSION = 1


@dataclass(frozen=True)
class ChangeStatusRow:
    resource_name: str
    changed_local: dt.datetime
    """`last_change_date_time`, naive, in the account's time zone."""

    @property
    def key(self) -> str:
        return f"{format_change_time(self.changed_local)}|{self.resource_name}"


@dataclass(frozen=True)
class CustomerCursor:
    since: dt.datetime
    seen: frozenset[str] = field(default_factory=frozenset)
    resume: bool = False


def encode_cursor(cursors: Mapping[str, CustomerCursor]) -> str:
    payload = {
        "v": _VERSION,
        "customers": {
            cid: {"since": format_change_time(c.since), "seen": sorted(c.seen), "resume": c.resume}
            for cid, c in sorted(cursors.items())
        },
    }
    return json.dumps(payload, separators=(",", ":"))


def decode_cursor(text: str) -> dict[str, CustomerCursor]:
    """The per-customer cursors; `ValueError` if `text` is not a cursor of this connector."""
    try:
        payload = json.loads(text)
        if payload["v"] != _VERSION:
            raise ValueError(f"unsupported cursor version {payload['v']}")
        return {
            str(cid): CustomerCursor(
                parse_change_time(entry["since"]),
                frozenset(str(key) for key in entry["seen"]),
                bool(entry["resume"]),
            )
            for cid, entry in payload["customers"].items()
        }
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a Google Ads change cursor: {text[:80]!r}") from exc


def window_start(
    cursor: CustomerCursor, now_local: dt.datetime, overlap: dt.timedelta
) -> tuple[dt.datetime, bool]:
    """Where the next query starts, and whether history older than 90 days was skipped."""
    start = cursor.since if cursor.resume else cursor.since - overlap
    oldest = now_local - CHANGE_STATUS_WINDOW + _WINDOW_MARGIN
    if start < oldest:
        return oldest, cursor.since < oldest
    return start, False


def advance(
    cursor: CustomerCursor,
    rows: Iterable[ChangeStatusRow],
    *,
    overlap: dt.timedelta,
    full_page: bool,
    now_local: dt.datetime,
) -> CustomerCursor:
    """The cursor after `rows` (already filtered of seen keys) were reported.

    A quiet account's watermark still moves to `now_local - overlap`, so an idle cursor
    never falls out of the 90-day window.
    """
    rows = list(rows)
    idle = [] if full_page else [now_local - overlap]
    since = max([cursor.since, *idle, *(r.changed_local for r in rows)])
    horizon = since - overlap
    seen = {key for key in cursor.seen if parse_change_time(key.split("|", 1)[0]) >= horizon}
    seen |= {r.key for r in rows if r.changed_local >= horizon}
    return CustomerCursor(since, frozenset(seen), resume=full_page)


def change_converter(
    customer_id: str, zone: ZoneInfo
) -> Callable[[Any], tuple[ChangeStatusRow, Change]]:
    """Reads one raw `change_status` row: its cursor key and its hint (`mapping`)."""

    def convert(row: Any) -> tuple[ChangeStatusRow, Change]:
        status = row.change_status
        try:
            local = parse_change_time(status.last_change_date_time)
        except ValueError as exc:
            message = f"Google Ads response: bad change time: {exc}"
            raise MalformedResponseError(message, platform="google_ads") from exc
        changed_at = local.replace(tzinfo=zone).astimezone(dt.UTC)
        parsed = ChangeStatusRow(status.resource_name, local)
        return parsed, change_from_row(row, customer_id, changed_at)

    return convert


def latest_per_resource(found: Iterable[Change]) -> list[Change]:
    """One hint per resource, its latest (a removal wins a tie), oldest first."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    latest: dict[str, Change] = {}
    for change in found:
        stamp = change.changed_at or oldest
        current = latest.get(change.resource_id)
        current_stamp = (current.changed_at or oldest) if current is not None else None
        removal_tie = stamp == current_stamp and change.change_type == "removed"
        if current_stamp is None or stamp > current_stamp or removal_tie:
            latest[change.resource_id] = change
    return sorted(latest.values(), key=lambda c: (c.changed_at or oldest, c.resource_id))
