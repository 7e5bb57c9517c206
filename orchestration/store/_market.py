"""Per-workspace market benchmark overrides, kept as numbered versions.

Contract: `save_market_overrides` validates the document with `agents.market.parse_overrides`
(an invalid one raises `InvalidRecord` naming the offending key) and appends version
``latest + 1``, unless it equals the latest version, which is then returned unchanged
(so a retried save does not add versions). `get_market_overrides` returns the latest
version, or the one asked for, or None. Versions are numbered per workspace from 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.market import parse_overrides
from orchestration.store._errors import InvalidRecord
from orchestration.store._json import json_document
from orchestration.store._models import MarketBenchmarkRow
from orchestration.store._records import MarketOverridesVersion
from orchestration.store._workspaces import check_id, lock_workspace

__all__ = ["get_market_overrides", "save_market_overrides"]

_M = MarketBenchmarkRow


def _record(row: MarketBenchmarkRow) -> MarketOverridesVersion:
    return MarketOverridesVersion(
        workspace_id=row.workspace_id,
        version=row.version,
        overrides=dict(row.overrides),
        actor=row.actor,
        created_at=row.created_at,
    )


def _latest(session: Session, workspace_id: str) -> MarketBenchmarkRow | None:
    stmt = select(_M).where(_M.workspace_id == workspace_id).order_by(_M.version.desc()).limit(1)
    return session.scalars(stmt).first()


def save_market_overrides(
    session: Session,
    workspace_id: str,
    overrides: Mapping[str, Any],
    actor: str,
    now: dt.datetime,
) -> MarketOverridesVersion:
    try:
        parse_overrides(overrides)
    except ValueError as exc:
        raise InvalidRecord(
            f"workspace {workspace_id!r}: invalid market overrides: {exc}"
        ) from None
    # the stored form (month keys become strings), so equal documents compare equal
    document = json_document(dict(overrides), f"workspace {workspace_id!r}: market overrides")
    lock_workspace(session, workspace_id)
    latest = _latest(session, workspace_id)
    if latest is not None and latest.overrides == document:
        return _record(latest)
    row = _M(
        workspace_id=workspace_id,
        version=1 if latest is None else latest.version + 1,
        overrides=document,
        actor=check_id(actor, "actor", 200),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _record(row)


def get_market_overrides(
    session: Session, workspace_id: str, version: int | None = None
) -> MarketOverridesVersion | None:
    check_id(workspace_id, "workspace_id")
    if version is None:
        row = _latest(session, workspace_id)
    else:
        row = session.get(_M, (workspace_id, version))
    return None if row is None else _record(row)
