"""What the store returns besides the connectors' and agents' own records.

Contract: frozen dataclasses, detached from any session. None of them carries a secret:
`Integration` describes a connection (status, scopes, resources), and tokens are only
returned by `Store.get_tokens`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from agents.contract import DistributionPlan
from connectors.records import Resource

__all__ = [
    "AuditEntry",
    "CachedPlan",
    "Integration",
    "MarketOverridesVersion",
    "UpsertCounts",
    "Workspace",
]


@dataclass(frozen=True)
class UpsertCounts:
    """How an upsert changed the table: new rows, changed rows, rows already identical."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.updated

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Integration:
    """A connected platform, without its tokens."""

    workspace_id: str
    platform: str
    status: str
    scopes: list[str]
    expires_at: dt.datetime | None
    resources: list[Resource]
    key_id: str
    """Fingerprint of the key that encrypted the tokens (not secret)."""
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class MarketOverridesVersion:
    """One saved version of a workspace's market overrides (`agents.market` schema)."""

    workspace_id: str
    version: int
    overrides: dict[str, Any]
    actor: str
    created_at: dt.datetime


@dataclass(frozen=True)
class CachedPlan:
    workspace_id: str
    campaign_id: str
    cache_key: str
    plan: DistributionPlan
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    workspace_id: str
    actor: str
    action: str
    subject: str | None
    details: dict[str, Any]
    at: dt.datetime
