"""Small records for store tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from agents.contract import KpiRow
from connectors.records import CampaignBrief, ChannelBound, DailyPerformanceRow

START = dt.date(2027, 1, 1)


def brief(campaign_id: str = "c1", **changes: Any) -> CampaignBrief:
    values: dict[str, Any] = {
        "source_id": "sheet-1",
        "campaign_id": campaign_id,
        "name": "Spring",
        "objective": "revenue",
        "total_budget": 9000.0,
        "currency": "USD",
        "start_date": START,
        "end_date": START + dt.timedelta(days=29),
        "channels": [
            ChannelBound(channel="meta:facebook_feed", min_spend=1000.0),
            ChannelBound(channel="google_ads:search"),
        ],
        "industry": "retail",
        "region": "US",
    }
    values.update(changes)
    return CampaignBrief.model_validate(values)


def perf(
    day: dt.date | int = 1,
    channel: str = "meta:facebook_feed",
    *,
    account_id: str | None = None,
    campaign_id: str = "cmp-1",
    spend: float = 100.0,
    **changes: Any,
) -> DailyPerformanceRow:
    """A row dated `day` (an int: that many days before START)."""
    date = START - dt.timedelta(days=day) if isinstance(day, int) else day
    platform = channel.split(":", 1)[0]
    values: dict[str, Any] = {
        "date": date,
        "platform": platform,
        "account_id": account_id or ("act_1" if platform == "meta" else "1234567890"),
        "campaign_id": campaign_id,
        "campaign_name": f"Campaign {campaign_id}",
        "channel": channel,
        "spend": spend,
        "impressions": spend * 50,
        "clicks": spend / 2,
        "conversions": spend / 20,
        "revenue": spend * 3,
        "currency": "USD",
    }
    values.update(changes)
    return DailyPerformanceRow.model_validate(values)


def kpi(day: int, revenue: float = 1000.0, conversions: float | None = 10.0) -> KpiRow:
    return KpiRow(date=START - dt.timedelta(days=day), revenue=revenue, conversions=conversions)
