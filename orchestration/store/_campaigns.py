"""Campaign briefs, one row per (workspace, campaign id).

Contract: `upsert_campaign` stores a `connectors.records.CampaignBrief` and says whether it
was ``inserted``, ``updated`` or ``unchanged`` (an identical brief keeps its
``updated_at``). `get_campaign` returns the brief as stored, or raises `CampaignNotFound`
naming the campaign and workspace; `list_campaigns` lists a workspace's briefs by id.
Everything is filtered by ``workspace_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.records import CampaignBrief, ChannelBound
from orchestration.store._errors import CampaignNotFound
from orchestration.store._json import json_document
from orchestration.store._models import CampaignRow, table_of
from orchestration.store._upsert import upsert
from orchestration.store._workspaces import check_id, require_workspace

__all__ = [
    "UpsertOutcome",
    "get_campaign",
    "get_campaign_row",
    "list_campaigns",
    "to_brief",
    "upsert_campaign",
]

UpsertOutcome = Literal["inserted", "updated", "unchanged"]

_CONTENT = (
    "name",
    "objective",
    "total_budget",
    "currency",
    "start_date",
    "end_date",
    "channels",
    "goal_kind",
    "goal_value",
    "industry",
    "region",
    "source_id",
)


def _row(workspace_id: str, brief: CampaignBrief, now: dt.datetime) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "campaign_id": check_id(brief.campaign_id, "campaign_id", 255),
        "name": brief.name,
        "objective": brief.objective,
        "total_budget": brief.total_budget,
        "currency": brief.currency,
        "start_date": brief.start_date,
        "end_date": brief.end_date,
        "channels": json_document(
            [b.model_dump(mode="json", exclude_none=True) for b in brief.channels],
            f"campaign {brief.campaign_id!r} channels",
        ),
        "goal_kind": brief.goal_kind,
        "goal_value": brief.goal_value,
        "industry": brief.industry,
        "region": brief.region,
        "source_id": brief.source_id,
        "created_at": now,
        "updated_at": now,
    }


def to_brief(row: CampaignRow) -> CampaignBrief:
    return CampaignBrief.model_validate(
        {
            "source_id": row.source_id,
            "campaign_id": row.campaign_id,
            "name": row.name,
            "objective": row.objective,
            "total_budget": row.total_budget,
            "currency": row.currency,
            "start_date": row.start_date,
            "end_date": row.end_date,
            "channels": [ChannelBound.model_validate(c) for c in row.channels],
            "goal_kind": row.goal_kind,
            "goal_value": row.goal_value,
            "industry": row.industry,
            "region": row.region,
        }
    )


def upsert_campaign(
    session: Session, workspace_id: str, brief: CampaignBrief, now: dt.datetime
) -> UpsertOutcome:
    require_workspace(session, workspace_id)
    counts = upsert(
        session,
        table_of(CampaignRow),
        [_row(workspace_id, brief, now)],
        key=["workspace_id", "campaign_id"],
        compare=_CONTENT,
        touch=["updated_at"],
    )
    if counts.inserted:
        return "inserted"
    return "updated" if counts.updated else "unchanged"


def get_campaign_row(session: Session, workspace_id: str, campaign_id: str) -> CampaignRow:
    check_id(workspace_id, "workspace_id")
    check_id(campaign_id, "campaign_id", 255)
    row = session.get(CampaignRow, (workspace_id, campaign_id))
    if row is None:
        raise CampaignNotFound(workspace_id, campaign_id)
    return row


def get_campaign(session: Session, workspace_id: str, campaign_id: str) -> CampaignBrief:
    return to_brief(get_campaign_row(session, workspace_id, campaign_id))


def list_campaigns(session: Session, workspace_id: str) -> list[CampaignBrief]:
    check_id(workspace_id, "workspace_id")
    stmt = (
        select(CampaignRow)
        .where(CampaignRow.workspace_id == workspace_id)
        .order_by(CampaignRow.campaign_id)
    )
    return [to_brief(row) for row in session.scalars(stmt)]
