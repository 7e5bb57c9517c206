"""Change cursors for Meta campaigns, polled by `updated_time`.

Contract: Graph's `updated_time` has one-second resolution and other writers' changes may
become visible a little late, so a cursor is a low-water mark `t` (Meta's clock) plus the
campaigns already reported at or after it, each with its `updated_time` and a
fingerprint of its status and name. A poll asks for `updated_time >= t` and reports a
campaign unless it was already reported with the same time and fingerprint: nothing is
missed (even two changes in one second, when status or name differ) and repeats are
limited to campaigns changed within `overlap_s` of the newest change. Changes are hints.
Change types: `removed` for DELETED/ARCHIVED, `created` when created at or after `t`,
else `updated`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.records import Change

__all__ = ["ChangeCursor", "parse_graph_time"]

_PREFIX = "meta1:"
_REMOVED = frozenset({"ARCHIVED", "DELETED"})


def parse_graph_time(value: Any) -> dt.datetime | None:
    """Graph's `2026-10-01T12:00:00+0000` (or ISO 8601) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", None):
        try:
            parsed = dt.datetime.strptime(value, fmt) if fmt else dt.datetime.fromisoformat(value)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _fingerprint(campaign: Mapping[str, Any]) -> str:
    raw = f"{campaign.get('effective_status')}|{campaign.get('name')}".encode()
    return hashlib.sha256(raw).hexdigest()[:12]


@dataclass
class ChangeCursor:
    since: int
    """Unix seconds (Meta's clock): report campaigns updated at or after this."""
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Campaign id -> (updated_time, fingerprint) already reported at or after `since`."""

    def encode(self) -> str:
        data = {"t": self.since, "seen": {k: list(v) for k, v in sorted(self.seen.items())}}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return _PREFIX + base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, cursor: str) -> ChangeCursor:
        if not cursor.startswith(_PREFIX):
            raise ValueError(f"not a Meta change cursor: {cursor!r}")
        try:
            data = json.loads(base64.urlsafe_b64decode(cursor[len(_PREFIX) :]))
            seen = {str(k): (int(v[0]), str(v[1])) for k, v in data["seen"].items()}
            return cls(since=int(data["t"]), seen=seen)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"not a Meta change cursor: {cursor!r}") from exc

    def advance(
        self, campaigns: Sequence[Mapping[str, Any]], overlap_s: float
    ) -> tuple[list[Change], ChangeCursor]:
        """The changes among `campaigns` (updated at or after `since`) and the next cursor."""
        changes: list[Change] = []
        current: dict[str, tuple[int, str]] = {}
        for campaign in campaigns:
            updated = parse_graph_time(campaign.get("updated_time"))
            if updated is None or int(updated.timestamp()) < self.since:
                continue
            cid, mark = str(campaign["id"]), (int(updated.timestamp()), _fingerprint(campaign))
            current[cid] = mark
            if self.seen.get(cid) == mark:
                continue
            created = parse_graph_time(campaign.get("created_time"))
            kind: Literal["created", "updated", "removed"] = "updated"
            if str(campaign.get("effective_status")) in _REMOVED:
                kind = "removed"
            elif created is not None and int(created.timestamp()) >= self.since:
                kind = "created"
            changes.append(
                Change(platform="meta", resource_id=cid, change_type=kind, changed_at=updated)
            )
        newest = max((ts for ts, _ in current.values()), default=self.since)
        since = max(self.since, int(newest - overlap_s))
        seen = {cid: mark for cid, mark in current.items() if mark[0] >= since}
        changes.sort(key=lambda c: (c.changed_at.timestamp() if c.changed_at else 0, c.resource_id))
        return changes, ChangeCursor(since=since, seen=seen)
