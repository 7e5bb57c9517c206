"""Normalized records every connector returns, whatever the platform.

Contract: these are `connectors`' own types (the orchestration layer maps them to the
planning contract and the store). Performance rows are keyed by
(date, platform, account_id, campaign_id, channel) so re-reading a day upserts, never
duplicates. Money is in the account's currency; dates are in the account's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CampaignBrief",
    "Change",
    "ChangePage",
    "ChannelBound",
    "DailyPerformanceRow",
    "OAuthTokens",
    "Platform",
    "Resource",
    "WatchChannel",
]

Platform = Literal["google_drive", "meta", "google_ads"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Resource(_Record):
    """Something discoverable: a Drive spreadsheet, a Meta ad account, a Google Ads customer."""

    platform: Platform
    id: str
    name: str
    type: Literal["spreadsheet", "ad_account", "customer", "campaign"]
    last_modified: dt.datetime | None = None
    parent_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Change(_Record):
    """One change since a cursor; a hint to re-read `resource_id`."""

    platform: Platform
    resource_id: str
    change_type: Literal["created", "updated", "removed"]
    changed_at: dt.datetime | None = None


class ChangePage(_Record):
    changes: list[Change]
    next_cursor: str
    """Where the next `list_changes` starts; save it only after processing `changes`."""


class WatchChannel(_Record):
    """A push-notification subscription (Drive `changes.watch`, a Meta webhook)."""

    platform: Platform
    channel_id: str
    resource_id: str
    address: str
    expires_at: dt.datetime | None
    token: str | None = None


class DailyPerformanceRow(_Record):
    date: dt.date
    platform: Literal["meta", "google_ads"]
    account_id: str
    campaign_id: str
    campaign_name: str
    channel: str
    """`platform:placement`, the planning engine's channel id."""
    spend: float = Field(ge=0)
    impressions: float = Field(ge=0)
    clicks: float = Field(ge=0)
    conversions: float = Field(ge=0)
    revenue: float = Field(ge=0)
    currency: str = "USD"

    @property
    def key(self) -> tuple[dt.date, str, str, str, str]:
        return (self.date, self.platform, self.account_id, self.campaign_id, self.channel)


class ChannelBound(_Record):
    channel: str
    min_spend: float | None = None
    max_spend: float | None = None
    fixed_spend: float | None = None


class CampaignBrief(_Record):
    """A campaign plan read from a spreadsheet: what the planner wants funded."""

    source_id: str
    campaign_id: str
    name: str | None = None
    objective: Literal["revenue", "conversions"]
    total_budget: float = Field(gt=0)
    currency: str = "USD"
    start_date: dt.date
    end_date: dt.date
    channels: list[ChannelBound] = Field(default_factory=list)
    goal_kind: Literal["max_outcome", "target_roas", "target_cpa"] = "max_outcome"
    goal_value: float | None = None
    industry: str | None = None
    region: str | None = None


class OAuthTokens(_Record):
    # Kept out of repr so a logged record never leaks a token.
    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    expires_at: dt.datetime | None = None
    scope: list[str] = Field(default_factory=list)
    token_type: str = "Bearer"
