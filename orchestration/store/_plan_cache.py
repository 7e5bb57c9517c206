"""The plan cache: finished `DistributionPlan`s by a key that changes with their inputs.

Contract: `plan_cache_key(campaign, params, data_version)` is the SHA-256 (hex) of the
canonical JSON of the three (sorted keys, dates as ISO strings, pydantic models dumped),
so equal inputs give equal keys across processes and Python versions. `cache_plan`
stores a plan under (workspace, key) for `ttl` (> 0), replacing an entry with the same
key; non-finite numbers are stored as the strings ``"Infinity"`` / ``"NaN"`` and read
back as floats where the plan has a float field. `get_cached_plan` returns the entry only
while ``now < expires_at`` and only for the same workspace and campaign;
`purge_expired_plans` deletes a workspace's expired entries and says how many.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from agents.contract import DistributionPlan
from orchestration.store._errors import InvalidRecord
from orchestration.store._models import PlanCacheRow, table_of
from orchestration.store._records import CachedPlan
from orchestration.store._upsert import upsert
from orchestration.store._workspaces import check_id, require_workspace

__all__ = ["cache_plan", "get_cached_plan", "plan_cache_key", "purge_expired_plans"]

_C = PlanCacheRow


def _canonical(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot put {type(value).__name__} in a cache key")


def plan_cache_key(campaign: Any, params: Mapping[str, Any] | None, data_version: str) -> str:
    """Stable hash of (campaign brief, analysis params, data version)."""
    document = {"campaign": campaign, "params": dict(params or {}), "data": data_version}
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), default=_canonical, allow_nan=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _json_safe(value: Any) -> Any:
    """`value` with non-finite floats spelled as strings (``"Infinity"``, ``"NaN"``), which
    JSON (and PostgreSQL's JSONB) cannot hold and pydantic reads back as floats."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _cached(row: PlanCacheRow) -> CachedPlan:
    return CachedPlan(
        workspace_id=row.workspace_id,
        campaign_id=row.campaign_id,
        cache_key=row.cache_key,
        plan=DistributionPlan.model_validate(row.plan),
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def cache_plan(
    session: Session,
    workspace_id: str,
    campaign_id: str,
    cache_key: str,
    plan: DistributionPlan | Mapping[str, Any],
    *,
    ttl: dt.timedelta,
    now: dt.datetime,
) -> CachedPlan:
    require_workspace(session, workspace_id)
    check_id(campaign_id, "campaign_id", 255)
    check_id(cache_key, "cache_key", 64)
    if ttl <= dt.timedelta(0):
        raise InvalidRecord(f"plan cache ttl must be positive, got {ttl}")
    model = plan if isinstance(plan, DistributionPlan) else DistributionPlan.model_validate(plan)
    if model.campaign_id != campaign_id:
        raise InvalidRecord(
            f"plan is for campaign {model.campaign_id!r}, not {campaign_id!r} "
            f"(workspace {workspace_id!r})"
        )
    row = {
        "workspace_id": workspace_id,
        "cache_key": cache_key,
        "campaign_id": campaign_id,
        "plan": _json_safe(model.model_dump(mode="json")),
        "created_at": now,
        "expires_at": now + ttl,
    }
    upsert(
        session,
        table_of(_C),
        [row],
        key=("workspace_id", "cache_key"),
        compare=("campaign_id", "plan", "created_at", "expires_at"),
    )
    stored = session.get(_C, (workspace_id, cache_key), populate_existing=True)
    assert stored is not None
    return _cached(stored)


def get_cached_plan(
    session: Session, workspace_id: str, campaign_id: str, cache_key: str, now: dt.datetime
) -> CachedPlan | None:
    check_id(workspace_id, "workspace_id")
    stmt = select(_C).where(
        _C.workspace_id == workspace_id,
        _C.campaign_id == campaign_id,
        _C.cache_key == cache_key,
        _C.expires_at > now,
    )
    row = session.scalars(stmt).first()
    return None if row is None else _cached(row)


def purge_expired_plans(session: Session, workspace_id: str, now: dt.datetime) -> int:
    check_id(workspace_id, "workspace_id")
    stmt = delete(_C).where(_C.workspace_id == workspace_id, _C.expires_at <= now)
    result = cast(CursorResult[Any], session.execute(stmt))
    return result.rowcount or 0
