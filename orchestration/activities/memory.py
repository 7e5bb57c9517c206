"""`InMemoryPlanStore`: a `PlanStore` in a dict, for tests, benchmarks and demos.

Contract: behaves like `orchestration.store.Store` for the port's methods (workspace
scoping, the history window, platform and channel filters, a cache key that changes with
the brief, the parameters and any data change, TTL expiry by `clock`, append-only audit)
without a database. Load data with `add_planning_input(workspace_id, document)`; every
call is counted in `calls` (method name -> count) so tests can assert what ran.
Thread-safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.contract import DistributionPlan, PlanningInput
from connectors.records import CampaignBrief, ChannelBound

__all__ = ["InMemoryPlanStore", "MemoryAuditEntry", "MemoryCachedPlan", "MemoryOverrides"]

_DEFAULT_HISTORY_DAYS = 730


@dataclass(frozen=True)
class MemoryCachedPlan:
    cache_key: str
    plan: DistributionPlan
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class MemoryOverrides:
    version: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class MemoryAuditEntry:
    workspace_id: str
    action: str
    actor: str
    subject: str | None
    details: dict[str, Any]
    at: dt.datetime


@dataclass
class _Workspace:
    briefs: dict[str, CampaignBrief] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    kpi: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    cache: dict[str, tuple[str, MemoryCachedPlan]] = field(default_factory=dict)
    audit: list[MemoryAuditEntry] = field(default_factory=list)
    version: int = 0


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _brief(doc: Mapping[str, Any]) -> CampaignBrief:
    goal = doc.get("goal") or {}
    return CampaignBrief(
        source_id=f"memory:{doc['campaign_id']}",
        campaign_id=doc["campaign_id"],
        name=doc.get("name"),
        objective=doc["objective"],
        total_budget=doc["total_budget"],
        currency=doc.get("currency", "USD"),
        start_date=doc["start_date"],
        end_date=doc["end_date"],
        channels=[ChannelBound.model_validate(c) for c in doc.get("channels") or []],
        goal_kind=goal.get("kind", "max_outcome"),
        goal_value=goal.get("value"),
        industry=doc.get("industry"),
        region=doc.get("region"),
    )


class InMemoryPlanStore:
    """See the module docstring."""

    def __init__(self, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._spaces: dict[str, _Workspace] = {}

    def _space(self, workspace_id: str) -> _Workspace:
        return self._spaces.setdefault(workspace_id, _Workspace())

    def _count(self, name: str) -> None:
        self.calls[name] += 1

    # -- loading --------------------------------------------------------------------

    def add_planning_input(self, workspace_id: str, document: Mapping[str, Any]) -> str:
        """Load a `PlanningInput` document (validated) into `workspace_id`; its campaign id."""
        doc = PlanningInput.model_validate(document).model_dump(mode="json")
        with self._lock:
            space = self._space(workspace_id)
            space.briefs[doc["campaign"]["campaign_id"]] = _brief(doc["campaign"])
            keys = {(r["date"], r["channel"]) for r in doc["history"]}
            space.history = [
                r for r in space.history if (r["date"], r["channel"]) not in keys
            ] + list(doc["history"])
            days = {r["date"] for r in doc.get("kpi") or []}
            space.kpi = [r for r in space.kpi if r["date"] not in days] + list(doc.get("kpi") or [])
            if doc.get("market"):
                space.overrides.append(dict(doc["market"]))
            space.version += 1
        return str(doc["campaign"]["campaign_id"])

    def set_market_overrides(self, workspace_id: str, overrides: Mapping[str, Any]) -> int:
        with self._lock:
            space = self._space(workspace_id)
            space.overrides.append(dict(overrides))
            space.version += 1
            return len(space.overrides)

    def touch(self, workspace_id: str) -> None:
        """Pretend the workspace's data changed (the cache key changes)."""
        with self._lock:
            self._space(workspace_id).version += 1

    # -- the port -------------------------------------------------------------------

    def get_campaign(self, workspace_id: str, campaign_id: str) -> CampaignBrief:
        self._count("get_campaign")
        return self._brief(workspace_id, campaign_id)

    def _brief(self, workspace_id: str, campaign_id: str) -> CampaignBrief:
        with self._lock:
            brief = self._spaces.get(workspace_id, _Workspace()).briefs.get(campaign_id)
        if brief is None:
            raise LookupError(f"campaign {campaign_id!r} not found in workspace {workspace_id!r}")
        return brief

    def planning_input(
        self,
        workspace_id: str,
        campaign_id: str,
        *,
        include_historical: bool = True,
        history_days: int = _DEFAULT_HISTORY_DAYS,
        platforms: Collection[str] | None = None,
        history_end: dt.date | None = None,
    ) -> dict[str, Any]:
        self._count("planning_input")
        brief = self._brief(workspace_id, campaign_id)
        campaign: dict[str, Any] = {
            "campaign_id": brief.campaign_id,
            "workspace_id": workspace_id,
            "objective": brief.objective,
            "total_budget": brief.total_budget,
            "currency": brief.currency,
            "start_date": brief.start_date.isoformat(),
            "end_date": brief.end_date.isoformat(),
            "goal": {"kind": brief.goal_kind}
            | ({} if brief.goal_value is None else {"value": brief.goal_value}),
        }
        if brief.channels:
            campaign["channels"] = [b.model_dump(exclude_none=True) for b in brief.channels]
        for name in ("industry", "region"):
            if getattr(brief, name) is not None:
                campaign[name] = getattr(brief, name)
        doc: dict[str, Any] = {"campaign": campaign, "history": []}
        with self._lock:
            space = self._space(workspace_id)
            if include_historical:
                end = history_end or brief.start_date - dt.timedelta(days=1)
                start = end - dt.timedelta(days=history_days - 1)
                lo, hi = start.isoformat(), end.isoformat()
                listed = {b.channel for b in brief.channels}
                doc["history"] = sorted(
                    (
                        dict(r)
                        for r in space.history
                        if lo <= r["date"] <= hi
                        and (not listed or r["channel"] in listed)
                        and (platforms is None or r["channel"].split(":", 1)[0] in platforms)
                    ),
                    key=lambda r: (r["date"], r["channel"]),
                )
                kpi = [dict(r) for r in space.kpi if lo <= r["date"] <= hi]
                if kpi:
                    doc["kpi"] = sorted(kpi, key=lambda r: r["date"])
            if space.overrides:
                doc["market"] = dict(space.overrides[-1])
        return doc  # valid by construction: the loaded documents were validated

    def get_market_overrides(
        self, workspace_id: str, version: int | None = None
    ) -> MemoryOverrides | None:
        self._count("get_market_overrides")
        with self._lock:
            versions = self._space(workspace_id).overrides
            if not versions:
                return None
            n = len(versions) if version is None else version
            return MemoryOverrides(version=n, overrides=dict(versions[n - 1]))

    def plan_cache_key(
        self, workspace_id: str, campaign_id: str, params: Mapping[str, Any] | None = None
    ) -> str:
        self._count("plan_cache_key")
        brief = self._brief(workspace_id, campaign_id)
        with self._lock:
            version = self._space(workspace_id).version
        text = json.dumps(
            {
                "campaign": brief.model_dump(mode="json"),
                "params": dict(params or {}),
                "data": version,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def get_cached_plan(
        self, workspace_id: str, campaign_id: str, cache_key: str
    ) -> MemoryCachedPlan | None:
        self._count("get_cached_plan")
        with self._lock:
            entry = self._space(workspace_id).cache.get(cache_key)
        if entry is None or entry[0] != campaign_id or self.clock() >= entry[1].expires_at:
            return None
        return entry[1]

    def cache_plan(
        self,
        workspace_id: str,
        campaign_id: str,
        cache_key: str,
        plan: DistributionPlan | Mapping[str, Any],
        *,
        ttl: dt.timedelta,
    ) -> MemoryCachedPlan:
        self._count("cache_plan")
        if ttl <= dt.timedelta(0):
            raise ValueError(f"plan cache ttl must be positive, got {ttl}")
        model = (
            plan if isinstance(plan, DistributionPlan) else DistributionPlan.model_validate(plan)
        )
        now = self.clock()
        entry = MemoryCachedPlan(cache_key, model, now, now + ttl)
        with self._lock:
            self._space(workspace_id).cache[cache_key] = (campaign_id, entry)
        return entry

    def audit(
        self,
        workspace_id: str,
        action: str,
        *,
        actor: str = "system",
        subject: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> MemoryAuditEntry:
        self._count("audit")
        entry = MemoryAuditEntry(
            workspace_id, action, actor, subject, dict(details or {}), self.clock()
        )
        with self._lock:
            self._space(workspace_id).audit.append(entry)
        return entry

    def list_audit(
        self,
        workspace_id: str,
        *,
        action: str | None = None,
        subject: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[MemoryAuditEntry]:
        self._count("list_audit")
        with self._lock:
            entries = list(reversed(self._space(workspace_id).audit))
        out = [
            e
            for e in entries
            if (action is None or e.action == action)
            and (subject is None or e.subject == subject)
            and (since is None or e.at >= since)
        ]
        return out[:limit]
