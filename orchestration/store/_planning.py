"""The planning engine's input, assembled from the store, and its data version.

Contract: `planning_input(session, workspace_id, campaign_id, ...)` returns a JSON-ready
`PlanningInput` document (dates as ISO strings) that `agents.contract.PlanningInput`
validates:

- ``campaign``: the stored brief (channel bounds, goal, industry, region, workspace id);
- ``history`` (only with ``include_historical``): the workspace's performance rows dated
  from ``history_end - history_days + 1`` to ``history_end`` (default: the day before
  the flight starts), summed per (date, channel) across accounts and platform campaigns,
  restricted to the brief's channels when it lists any and to ``platforms`` when given;
  ordered by date then channel;
- ``kpi`` (only with ``include_historical`` and when the window has KPI rows);
- ``market``: the workspace's latest market overrides, when it has any.

It raises `CampaignNotFound` for an unknown campaign, `CurrencyMismatch` when rows in the
window are in another currency than the brief (nothing is converted), and
`InvalidRecord` (one line per bad field) when the stored brief cannot be planned (e.g.
infeasible bounds). `data_version` summarizes, per workspace, everything a plan of the
campaign is computed from besides the brief and the parameters: the count and latest
``updated_at`` of the performance rows in its channels and of the KPI rows, and the
market overrides version; it changes whenever any of them changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, TypeVarTuple

from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from agents.contract import PlanningInput
from connectors.records import CampaignBrief
from orchestration.errors import describe_validation_error
from orchestration.store._campaigns import get_campaign
from orchestration.store._errors import CurrencyMismatch, InvalidRecord
from orchestration.store._market import get_market_overrides
from orchestration.store._models import DailyPerformanceRecord, KpiDailyRow
from orchestration.store._performance import kpi_range

__all__ = ["DEFAULT_HISTORY_DAYS", "campaign_document", "data_version", "planning_input"]

DEFAULT_HISTORY_DAYS = 730
_P = DailyPerformanceRecord
_Cols = TypeVarTuple("_Cols")
_SUMS = ("spend", "impressions", "clicks", "conversions", "revenue")


def campaign_document(workspace_id: str, brief: CampaignBrief) -> dict[str, Any]:
    """The ``campaign`` section of a planning input for `brief`."""
    goal: dict[str, Any] = {"kind": brief.goal_kind}
    if brief.goal_value is not None:
        goal["value"] = brief.goal_value
    campaign: dict[str, Any] = {
        "campaign_id": brief.campaign_id,
        "workspace_id": workspace_id,
        "objective": brief.objective,
        "total_budget": brief.total_budget,
        "currency": brief.currency,
        "start_date": brief.start_date.isoformat(),
        "end_date": brief.end_date.isoformat(),
        "goal": goal,
    }
    if brief.channels:
        campaign["channels"] = [b.model_dump(exclude_none=True) for b in brief.channels]
    if brief.industry is not None:
        campaign["industry"] = brief.industry
    if brief.region is not None:
        campaign["region"] = brief.region
    return campaign


def _scoped(
    stmt: Select[*_Cols],
    workspace_id: str,
    brief: CampaignBrief,
    platforms: Collection[str] | None,
) -> Select[*_Cols]:
    stmt = stmt.where(_P.workspace_id == workspace_id)
    if brief.channels:
        stmt = stmt.where(_P.channel.in_([b.channel for b in brief.channels]))
    if platforms is not None:
        stmt = stmt.where(_P.platform.in_(list(platforms)))
    return stmt


def _history(
    session: Session,
    workspace_id: str,
    brief: CampaignBrief,
    start: dt.date,
    end: dt.date,
    platforms: Collection[str] | None,
) -> list[dict[str, Any]]:
    window = _P.date.between(start, end)
    foreign = _scoped(
        select(_P.channel, _P.currency).distinct().where(window, _P.currency != brief.currency),
        workspace_id,
        brief,
        platforms,
    )
    mismatched = session.execute(foreign.order_by(_P.channel, _P.currency)).all()
    if mismatched:
        listed = ", ".join(f"{channel} in {currency}" for channel, currency in mismatched)
        raise CurrencyMismatch(
            f"campaign {brief.campaign_id!r} in workspace {workspace_id!r} is in "
            f"{brief.currency} but performance rows from {start} to {end} are not: {listed}"
        )
    sums = [func.sum(getattr(_P, name)).label(name) for name in _SUMS]
    stmt = _scoped(select(_P.date, _P.channel, *sums).where(window), workspace_id, brief, platforms)
    stmt = stmt.group_by(_P.date, _P.channel).order_by(_P.date, _P.channel)
    history: list[dict[str, Any]] = []
    for day, channel, *values in session.execute(stmt):
        sums_by_name = dict(zip(_SUMS, map(float, values), strict=True))
        history.append({"date": day.isoformat(), "channel": channel, **sums_by_name})
    return history


def planning_input(
    session: Session,
    workspace_id: str,
    campaign_id: str,
    *,
    include_historical: bool = True,
    history_days: int = DEFAULT_HISTORY_DAYS,
    platforms: Collection[str] | None = None,
    history_end: dt.date | None = None,
) -> dict[str, Any]:
    brief = get_campaign(session, workspace_id, campaign_id)
    if history_days < 1:
        raise InvalidRecord(f"history_days must be at least 1, got {history_days}")
    document: dict[str, Any] = {"campaign": campaign_document(workspace_id, brief)}
    if include_historical:
        end = history_end or brief.start_date - dt.timedelta(days=1)
        start = end - dt.timedelta(days=history_days - 1)
        document["history"] = _history(session, workspace_id, brief, start, end, platforms)
        kpi = kpi_range(session, workspace_id, start, end)
        if kpi:
            document["kpi"] = [row.model_dump(mode="json", exclude_none=True) for row in kpi]
    else:
        document["history"] = []
    market = get_market_overrides(session, workspace_id)
    if market is not None:
        document["market"] = market.overrides
    try:
        PlanningInput.model_validate(document)
    except ValidationError as exc:
        lines = describe_validation_error(exc)
        raise InvalidRecord(
            f"campaign {campaign_id!r} in workspace {workspace_id!r} cannot be planned:\n  "
            + "\n  ".join(lines)
        ) from None
    return document


def data_version(session: Session, workspace_id: str, campaign_id: str) -> str:
    brief = get_campaign(session, workspace_id, campaign_id)
    perf = session.execute(
        _scoped(select(func.count(), func.max(_P.updated_at)), workspace_id, brief, None)
    ).one()
    kpi = session.execute(
        select(func.count(), func.max(KpiDailyRow.updated_at)).where(
            KpiDailyRow.workspace_id == workspace_id
        )
    ).one()
    market = get_market_overrides(session, workspace_id)

    def stamp(count: int, latest: dt.datetime | None) -> str:
        return f"{count}@{latest.isoformat() if latest else '-'}"

    return f"performance={stamp(*perf)};kpi={stamp(*kpi)};market={market.version if market else 0}"
