"""Daily performance rows and the business's daily KPI, with upserts and range reads.

Contract: `upsert_performance` writes `connectors.records.DailyPerformanceRow`s keyed by
(workspace_id, date, platform, account_id, campaign_id, channel) and `upsert_kpi` writes
`agents.contract.KpiRow`s keyed by (workspace_id, date); re-writing a key updates the row
(never duplicates it), an identical re-write leaves it (and its ``updated_at``) alone, and
both return exact `UpsertCounts`. `performance_range` / `kpi_range` read the rows dated
``start`` to ``end`` inclusive, ordered by their key, optionally narrowed to some
channels and platforms. Every statement is filtered by ``workspace_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.contract import KpiRow
from connectors.records import DailyPerformanceRow
from orchestration.store._errors import InvalidRecord
from orchestration.store._models import DailyPerformanceRecord, KpiDailyRow, table_of
from orchestration.store._records import UpsertCounts
from orchestration.store._upsert import upsert
from orchestration.store._workspaces import check_id, require_workspace

__all__ = ["kpi_range", "performance_range", "upsert_kpi", "upsert_performance"]

PERFORMANCE_KEY = ("workspace_id", "date", "platform", "account_id", "campaign_id", "channel")
_PERFORMANCE_VALUES = (
    "campaign_name",
    "spend",
    "impressions",
    "clicks",
    "conversions",
    "revenue",
    "currency",
)
_P = DailyPerformanceRecord


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidRecord(f"date range end {end} is before its start {start}")


def upsert_performance(
    session: Session,
    workspace_id: str,
    rows: Iterable[DailyPerformanceRow],
    now: dt.datetime,
) -> UpsertCounts:
    require_workspace(session, workspace_id)
    values: list[dict[str, Any]] = []
    for row in rows:
        check_id(row.account_id, "account_id")
        check_id(row.campaign_id, "campaign_id", 255)
        values.append(
            {
                "workspace_id": workspace_id,
                **row.model_dump(include=set(PERFORMANCE_KEY) | set(_PERFORMANCE_VALUES)),
                "updated_at": now,
            }
        )
    return upsert(
        session,
        table_of(_P),
        values,
        key=PERFORMANCE_KEY,
        compare=_PERFORMANCE_VALUES,
        touch=["updated_at"],
    )


def performance_range(
    session: Session,
    workspace_id: str,
    start: dt.date,
    end: dt.date,
    *,
    channels: Collection[str] | None = None,
    platforms: Collection[str] | None = None,
) -> list[DailyPerformanceRow]:
    check_id(workspace_id, "workspace_id")
    _check_range(start, end)
    stmt = select(_P).where(_P.workspace_id == workspace_id, _P.date.between(start, end))
    if channels is not None:
        stmt = stmt.where(_P.channel.in_(list(channels)))
    if platforms is not None:
        stmt = stmt.where(_P.platform.in_(list(platforms)))
    stmt = stmt.order_by(_P.date, _P.platform, _P.account_id, _P.campaign_id, _P.channel)
    fields = (*PERFORMANCE_KEY[1:], *_PERFORMANCE_VALUES)
    return [
        DailyPerformanceRow.model_validate({f: getattr(r, f) for f in fields})
        for r in session.scalars(stmt)
    ]


def upsert_kpi(
    session: Session, workspace_id: str, rows: Iterable[KpiRow], now: dt.datetime
) -> UpsertCounts:
    require_workspace(session, workspace_id)
    values = [
        {
            "workspace_id": workspace_id,
            "date": row.date,
            "revenue": row.revenue,
            "conversions": row.conversions,
            "updated_at": now,
        }
        for row in rows
    ]
    return upsert(
        session,
        table_of(KpiDailyRow),
        values,
        key=("workspace_id", "date"),
        compare=("revenue", "conversions"),
        touch=["updated_at"],
    )


def kpi_range(session: Session, workspace_id: str, start: dt.date, end: dt.date) -> list[KpiRow]:
    check_id(workspace_id, "workspace_id")
    _check_range(start, end)
    stmt = (
        select(KpiDailyRow)
        .where(KpiDailyRow.workspace_id == workspace_id, KpiDailyRow.date.between(start, end))
        .order_by(KpiDailyRow.date)
    )
    return [
        KpiRow(date=r.date, revenue=r.revenue, conversions=r.conversions)
        for r in session.scalars(stmt)
    ]
