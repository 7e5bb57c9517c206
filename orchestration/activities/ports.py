"""What the planning activities need from the outside world: a store and a planner.

Contract:

- `PlanStore` is the subset of `orchestration.store.Store` the activities call, with the
  same names and signatures, so the SQL store satisfies it as is (checked by mypy below)
  and tests pass `InMemoryPlanStore`. Methods are blocking (the activities run them in a
  thread). Every method is scoped by ``workspace_id``. Errors: an unknown campaign is a
  `LookupError`; data that cannot be planned (infeasible bounds, mixed currencies, bad
  overrides) is a `ValueError`; anything else is treated as transient and retried.
- `Planner` turns a `PlanningInput` (or its JSON document, validated by the planner:
  invalid input raises `ValueError`) into a `DistributionPlan`, calling `on_progress`
  (on the caller's event loop) with each agent's name as it finishes, and stopping at the
  next agent boundary once `cancelled` is set (raising any exception).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from agents.contract import DistributionPlan, PlanningInput
from connectors.records import CampaignBrief

__all__ = [
    "CachedPlanRecord",
    "MarketOverridesRecord",
    "PlanStore",
    "Planner",
    "ProgressCallback",
]

ProgressCallback = Callable[[str, Mapping[str, Any]], None]
"""``(agent name, info such as {"round": 1})``."""


class CachedPlanRecord(Protocol):
    """A cached plan as the store returns it."""

    @property
    def cache_key(self) -> str: ...
    @property
    def plan(self) -> DistributionPlan: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


class MarketOverridesRecord(Protocol):
    """One version of a workspace's market overrides (`agents.market` schema)."""

    @property
    def version(self) -> int: ...
    @property
    def overrides(self) -> dict[str, Any]: ...


class PlanStore(Protocol):
    """The store as the planning activities use it (see the module docstring)."""

    def get_campaign(self, workspace_id: str, campaign_id: str) -> CampaignBrief:
        """The campaign brief; `LookupError` when unknown."""
        ...

    def planning_input(
        self,
        workspace_id: str,
        campaign_id: str,
        *,
        include_historical: bool = ...,
        history_days: int = ...,
        platforms: Collection[str] | None = ...,
        history_end: date | None = ...,
    ) -> dict[str, Any]:
        """A valid `PlanningInput` document: campaign, history window, KPI, market overrides.

        History rows end at `history_end` (default: the day before the flight) and span
        `history_days`; only the brief's channels and `platforms` (when given) are read.
        """
        ...

    def get_market_overrides(
        self, workspace_id: str, version: int | None = ...
    ) -> MarketOverridesRecord | None:
        """The latest (or given) version of the workspace's market overrides, if any."""
        ...

    def plan_cache_key(
        self, workspace_id: str, campaign_id: str, params: Mapping[str, Any] | None = ...
    ) -> str:
        """A key that changes with the brief, `params` and the campaign's data version."""
        ...

    def get_cached_plan(
        self, workspace_id: str, campaign_id: str, cache_key: str
    ) -> CachedPlanRecord | None:
        """The unexpired plan cached under `cache_key`, if any."""
        ...

    def cache_plan(
        self,
        workspace_id: str,
        campaign_id: str,
        cache_key: str,
        plan: DistributionPlan | Mapping[str, Any],
        *,
        ttl: timedelta,
    ) -> object:
        """Store (or replace) the plan under `cache_key` for `ttl`."""
        ...

    def audit(
        self,
        workspace_id: str,
        action: str,
        *,
        actor: str = ...,
        subject: str | None = ...,
        details: Mapping[str, Any] | None = ...,
    ) -> object:
        """Append an audit entry."""
        ...

    def list_audit(
        self,
        workspace_id: str,
        *,
        action: str | None = ...,
        subject: str | None = ...,
        since: datetime | None = ...,
        limit: int = ...,
    ) -> Sequence[object]:
        """Entries newest first (used to keep the audit activity idempotent)."""
        ...


class Planner(Protocol):
    """Runs the planning engine (see the module docstring)."""

    async def plan(
        self,
        inp: PlanningInput | Mapping[str, Any],
        *,
        narrate: bool,
        on_progress: ProgressCallback,
        cancelled: threading.Event,
    ) -> DistributionPlan: ...


if TYPE_CHECKING:
    from orchestration.store import Store

    def _sql_store_is_a_plan_store(store: Store) -> PlanStore:
        return store  # mypy fails here if the store's signatures drift from the port
