"""The GAQL queries the Google Ads connector sends, built only from typed values.

Contract: every query is built from `date`/`datetime`/`int` arguments (never from caller
strings), so nothing can be injected. Daily performance selects one row per campaign and
day; `customer.currency_code` rides along so no extra call is needed for the currency.
`change_status` queries filter `last_change_date_time` on both ends (the API rejects an
open range and starts older than 90 days) and always carry `LIMIT` <= 10,000.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "CAMPAIGNS_QUERY",
    "CHANGE_STATUS_LIMIT",
    "CUSTOMER_CLIENTS_QUERY",
    "CUSTOMER_QUERY",
    "campaign_query",
    "change_status_query",
    "daily_performance_query",
    "format_change_time",
    "parse_change_time",
]

CHANGE_STATUS_LIMIT = 10_000
_CHANGE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

CUSTOMER_QUERY = (
    "SELECT customer.id, customer.descriptive_name, customer.currency_code, "
    "customer.time_zone, customer.manager, customer.status FROM customer LIMIT 1"
)
CUSTOMER_CLIENTS_QUERY = (
    "SELECT customer_client.id, customer_client.descriptive_name, "
    "customer_client.currency_code, customer_client.time_zone, customer_client.manager, "
    "customer_client.level, customer_client.status FROM customer_client "
    "WHERE customer_client.level > 0"
)
_CAMPAIGN_FIELDS = "campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type"
CAMPAIGNS_QUERY = (
    f"SELECT {_CAMPAIGN_FIELDS} FROM campaign WHERE campaign.status IN ('ENABLED', 'PAUSED')"
)


def campaign_query(campaign_id: int) -> str:
    """One campaign by id, whatever its status."""
    return f"SELECT {_CAMPAIGN_FIELDS} FROM campaign WHERE campaign.id = {int(campaign_id)}"


def daily_performance_query(start: dt.date, end: dt.date) -> str:
    """One row per campaign and day in [start, end] (dates in the account's time zone)."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    return (
        "SELECT campaign.id, campaign.name, campaign.advertising_channel_type, segments.date, "
        "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, "
        "metrics.conversions_value, customer.currency_code FROM campaign "
        f"WHERE segments.date BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'"
    )


def format_change_time(moment: dt.datetime) -> str:
    """A naive account-local date-time in `change_status.last_change_date_time` format."""
    return moment.strftime(_CHANGE_TIME_FORMAT)


def parse_change_time(text: str) -> dt.datetime:
    """Inverse of `format_change_time` (also accepts ISO forms without microseconds)."""
    return dt.datetime.fromisoformat(text)


def change_status_query(since: dt.datetime, until: dt.datetime, limit: int) -> str:
    """Changes with `since <= last_change_date_time <= until`, oldest first."""
    if not 0 < limit <= CHANGE_STATUS_LIMIT:
        raise ValueError(f"change_status LIMIT must be in 1..{CHANGE_STATUS_LIMIT}")
    return (
        "SELECT change_status.resource_name, change_status.last_change_date_time, "
        "change_status.resource_type, change_status.resource_status, change_status.campaign, "
        "change_status.ad_group FROM change_status "
        f"WHERE change_status.last_change_date_time >= '{format_change_time(since)}' "
        f"AND change_status.last_change_date_time <= '{format_change_time(until)}' "
        f"ORDER BY change_status.last_change_date_time LIMIT {int(limit)}"
    )
