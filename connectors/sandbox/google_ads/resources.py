"""What the Google Ads sandbox serves per resource: records, schemas and query answers.

Contract: `CustomerRecord` / `CampaignRecord` hold one customer's mutable world (built
from `SandboxData`). `answer_query(customer, customers, query, now_local)` answers a
parsed GAQL query for `customer` with plain rows (`gaql.evaluate`: filtered, ordered,
limited, not projected) for `customer`, `customer_client`, `campaign` (with
`segments.date` and metrics; metrics without `segments.date` aggregate over the dates
filtered) and `change_status`, or raises `GaqlError` / `ChangeStatusQueryError` the way
the API does (unknown fields, `segments.date` without a date filter, `change_status`
without `LIMIT` <= 10,000 or with a start older than 90 days). Callers hold the lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from connectors.sandbox.data import CampaignData, CustomerData
from connectors.sandbox.google_ads.gaql import GaqlError, GaqlQuery, Row, evaluate, matches

__all__ = [
    "CHANGE_STATUS_WINDOW",
    "METRICS",
    "SCHEMAS",
    "CampaignRecord",
    "ChangeStatusQueryError",
    "CustomerRecord",
    "answer_query",
    "channel_type_for",
]

_CHANNEL_TYPES = {
    "search": "SEARCH",
    "shopping": "SHOPPING",
    "pmax": "PERFORMANCE_MAX",
    "performance_max": "PERFORMANCE_MAX",
    "youtube": "VIDEO",
    "video": "VIDEO",
    "display": "DISPLAY",
    "demand_gen": "DEMAND_GEN",
    "discovery": "DEMAND_GEN",
    "other": "MULTI_CHANNEL",
}
_STATUSES = {"ACTIVE": "ENABLED", "ENABLED": "ENABLED", "PAUSED": "PAUSED", "REMOVED": "REMOVED"}
_STATUSES |= {"DELETED": "REMOVED", "ARCHIVED": "REMOVED"}
CHANGE_STATUS_WINDOW = dt.timedelta(days=90)
_MAX_CHANGE_STATUS_LIMIT = 10_000
METRICS = ("cost_micros", "impressions", "clicks", "conversions", "conversions_value")


def _fields(resource: str, names: str) -> frozenset[str]:
    return frozenset(f"{resource}.{name}" for name in names.split())


CUSTOMER_FIELDS = _fields(
    "customer",
    "resource_name id descriptive_name currency_code time_zone manager status test_account",
)
CAMPAIGN_FIELDS = (
    CUSTOMER_FIELDS
    | _fields("campaign", "resource_name id name status advertising_channel_type")
    | _fields("metrics", " ".join(METRICS))
    | {"segments.date"}
)
CUSTOMER_CLIENT_FIELDS = _fields(
    "customer_client",
    "resource_name client_customer id descriptive_name currency_code time_zone manager level"
    " status hidden test_account",
)
CHANGE_STATUS_FIELDS = _fields(
    "change_status",
    "resource_name last_change_date_time resource_type resource_status campaign ad_group",
)
SCHEMAS: dict[str, frozenset[str]] = {
    "customer": CUSTOMER_FIELDS,
    "campaign": CAMPAIGN_FIELDS,
    "customer_client": CUSTOMER_CLIENT_FIELDS,
    "change_status": CHANGE_STATUS_FIELDS,
}


class ChangeStatusQueryError(ValueError):
    """A `change_status` query the real API rejects; `code` is a `ChangeStatusError` name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def channel_type_for(channel: str) -> str:
    """The `AdvertisingChannelType` name for an engine channel such as `google_ads:search`."""
    platform, _, placement = channel.partition(":")
    if platform != "google_ads" or placement not in _CHANNEL_TYPES:
        raise ValueError(f"not a Google Ads channel: {channel!r}")
    return _CHANNEL_TYPES[placement]


@dataclass
class CampaignRecord:
    id: int
    name: str
    channel_type: str
    status: str
    daily: dict[dt.date, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: CampaignData) -> CampaignRecord:
        if not data.id.isdigit():
            raise ValueError(f"Google Ads campaign ids are numeric, got {data.id!r}")
        campaign = cls(
            int(data.id), data.name, channel_type_for(data.channel), _status(data.status)
        )
        for day in data.daily:
            campaign.daily[day.date] = {
                "cost_micros": round(day.spend * 1_000_000),
                "impressions": day.impressions,
                "clicks": day.clicks,
                "conversions": day.conversions,
                "conversions_value": day.revenue,
            }
        return campaign


@dataclass
class CustomerRecord:
    data: CustomerData
    status: str = "ENABLED"
    campaigns: dict[int, CampaignRecord] = field(default_factory=dict)
    changes: dict[str, dict[str, object]] = field(default_factory=dict)
    """change_status rows by changed resource name (latest change only)."""

    def row(self) -> dict[str, object]:
        d = self.data
        return {
            "customer.resource_name": f"customers/{d.id}",
            "customer.id": int(d.id),
            "customer.descriptive_name": d.descriptive_name,
            "customer.currency_code": d.currency_code,
            "customer.time_zone": d.time_zone,
            "customer.manager": d.manager,
            "customer.status": self.status,
            "customer.test_account": False,
        }


def _status(status: str) -> str:
    try:
        return _STATUSES[status.upper()]
    except KeyError:
        raise ValueError(f"unknown campaign status {status!r}") from None


def answer_query(
    customer: CustomerRecord,
    customers: Iterable[CustomerRecord],
    query: GaqlQuery,
    now_local: dt.datetime,
) -> list[Row]:
    """Rows answering `query` for `customer`; `customers` is the whole world (hierarchy)."""
    schema = SCHEMAS.get(query.resource)
    if schema is None:
        raise GaqlError("BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", f"unsupported {query.resource!r}")
    unknown = sorted(query.referenced_fields - schema)
    if unknown:
        raise GaqlError("UNRECOGNIZED_FIELD", f"unrecognized fields: {', '.join(unknown)}")
    if query.resource == "customer":
        return evaluate(query, [customer.row()])
    if query.resource == "customer_client":
        return evaluate(query, _client_rows(customer, customers))
    if query.resource == "change_status":
        _check_change_status_query(query, now_local)
        return evaluate(query, [dict(r) for r in customer.changes.values()])
    return _campaign_rows(customer, query)


def _client_rows(customer: CustomerRecord, customers: Iterable[CustomerRecord]) -> list[Row]:
    members = [(customer, 0)]
    if customer.data.manager:
        members += [(c, 1) for c in customers if not c.data.manager]
    rows: list[Row] = []
    for member, level in members:
        d = member.data
        rows.append(
            {
                "customer_client.resource_name": (
                    f"customers/{customer.data.id}/customerClients/{d.id}"
                ),
                "customer_client.client_customer": f"customers/{d.id}",
                "customer_client.id": int(d.id),
                "customer_client.descriptive_name": d.descriptive_name,
                "customer_client.currency_code": d.currency_code,
                "customer_client.time_zone": d.time_zone,
                "customer_client.manager": d.manager,
                "customer_client.level": level,
                "customer_client.status": member.status,
                "customer_client.hidden": False,
                "customer_client.test_account": False,
            }
        )
    return rows


def _campaign_rows(customer: CustomerRecord, query: GaqlQuery) -> list[Row]:
    selected = set(query.select)
    wants_metrics = any(f.startswith("metrics.") for f in selected)
    segmented = "segments.date" in selected
    if segmented and not any(c.field == "segments.date" for c in query.where):
        raise GaqlError("EXPECTED_FILTERS_ON_DATE_RANGE", "segments.date needs a date filter")
    by_date = segmented or wants_metrics or "segments.date" in query.referenced_fields
    base_rows: list[dict[str, object]] = []
    for campaign in customer.campaigns.values():
        base = customer.row() | {
            "campaign.resource_name": f"customers/{customer.data.id}/campaigns/{campaign.id}",
            "campaign.id": campaign.id,
            "campaign.name": campaign.name,
            "campaign.status": campaign.status,
            "campaign.advertising_channel_type": campaign.channel_type,
        }
        if not by_date:
            base_rows.append(base)
            continue
        for day, metrics in sorted(campaign.daily.items()):
            row = base | {"segments.date": day}
            base_rows.append(row | {f"metrics.{k}": v for k, v in metrics.items()})
    if segmented or not by_date:
        return evaluate(query, base_rows)
    metric_conditions = [c for c in query.where if c.field.startswith("metrics.")]
    other = [c for c in query.where if not c.field.startswith("metrics.")]
    totals: dict[object, dict[str, object]] = {}
    for row in base_rows:
        if not all(matches(c, row) for c in other):
            continue
        total = totals.get(row["campaign.id"])
        if total is None:
            totals[row["campaign.id"]] = dict(row)
            continue
        for name in METRICS:
            key = f"metrics.{name}"
            total[key] = total[key] + row[key]  # type: ignore[operator]
    aggregated = [
        {k: v for k, v in r.items() if k != "segments.date"}
        for r in totals.values()
        if all(matches(c, r) for c in metric_conditions)
    ]
    return evaluate(
        GaqlQuery(query.select, query.resource, (), query.order_by, query.limit), aggregated
    )


def _check_change_status_query(query: GaqlQuery, now_local: dt.datetime) -> None:
    if query.limit is None:
        raise ChangeStatusQueryError("LIMIT_NOT_SPECIFIED", "change_status needs a LIMIT")
    if query.limit > _MAX_CHANGE_STATUS_LIMIT:
        raise ChangeStatusQueryError("INVALID_LIMIT_CLAUSE", "LIMIT must be <= 10000")
    lows = [
        c.values[0]
        for c in query.where
        if c.field == "change_status.last_change_date_time" and c.op in {">", ">=", "BETWEEN", "="}
    ]
    if not lows:
        raise ChangeStatusQueryError(
            "CHANGE_DATE_RANGE_INFINITE", "filter change_status.last_change_date_time"
        )
    oldest = now_local - CHANGE_STATUS_WINDOW
    for low in lows:
        try:
            start = dt.datetime.fromisoformat(str(low))
        except ValueError as exc:
            raise GaqlError("INVALID_DATE_FORMAT", f"bad date time {low!r}") from exc
        if start < oldest:
            raise ChangeStatusQueryError("START_DATE_TOO_OLD", "start is over 90 days old")
