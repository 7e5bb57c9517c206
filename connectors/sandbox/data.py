"""The sandbox's seed data: a demo advertiser as plain data.

Contract: `SandboxData` is what the emulators serve. It is produced elsewhere (the
simulator in `evals/` writes it; `connectors` never imports `evals`) and handed to the
sandbox as JSON, so the same sandbox can serve any advertiser. Daily metrics are per
campaign; a campaign's `channel` is the planning engine's `platform:placement` id and
the emulators expose it the way each platform does (a Meta campaign's placement, a
Google Ads campaign's advertising channel type). Spreadsheets are grids of cell values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AdAccountData",
    "CampaignData",
    "CustomerData",
    "DailyMetrics",
    "DriveFileData",
    "SandboxData",
]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DailyMetrics(_Data):
    date: dt.date
    spend: float = Field(ge=0)
    impressions: int = Field(ge=0)
    clicks: int = Field(ge=0)
    conversions: float = Field(ge=0)
    revenue: float = Field(ge=0)


class CampaignData(_Data):
    id: str
    name: str
    channel: str
    """`platform:placement`, e.g. `meta:instagram_reels` or `google_ads:search`."""
    status: str = "ACTIVE"
    objective: str | None = None
    updated_time: dt.datetime | None = None
    daily: list[DailyMetrics] = Field(default_factory=list)


class AdAccountData(_Data):
    """A Meta ad account (`id` without the `act_` prefix)."""

    id: str
    name: str
    currency: str = "USD"
    timezone_name: str = "America/New_York"
    campaigns: list[CampaignData] = Field(default_factory=list)


class CustomerData(_Data):
    """A Google Ads customer (10-digit id without dashes)."""

    id: str
    descriptive_name: str
    currency_code: str = "USD"
    time_zone: str = "America/New_York"
    manager: bool = False
    campaigns: list[CampaignData] = Field(default_factory=list)


class DriveFileData(_Data):
    id: str
    name: str
    mime_type: str = "application/vnd.google-apps.spreadsheet"
    modified_time: dt.datetime
    owners: list[str] = Field(default_factory=lambda: ["planner@example.com"])
    trashed: bool = False
    sheets: dict[str, list[list[Any]]] = Field(default_factory=dict)
    """Sheet title -> rows of cell values (strings, numbers, or None for empty)."""


class SandboxData(_Data):
    advertiser: str = "Northwind Outdoor"
    user_email: str = "planner@example.com"
    meta_ad_accounts: list[AdAccountData] = Field(default_factory=list)
    google_ads_customers: list[CustomerData] = Field(default_factory=list)
    drive_files: list[DriveFileData] = Field(default_factory=list)
