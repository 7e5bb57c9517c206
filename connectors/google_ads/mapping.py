"""Map raw `GoogleAdsRow` protobuf messages to `connectors.records` types.

Contract: functions take rows as the client returns them with `use_proto_plus=False`
(raw protobuf) and validate what they read: a row missing a requested field (id 0, empty
date or currency), an unknown enum number, or a value the record model rejects raises
`MalformedResponseError`, never a half-filled record. Channels follow the planning
engine's ids: SEARCH -> `google_ads:search`, SHOPPING -> `google_ads:shopping`,
PERFORMANCE_MAX -> `google_ads:pmax`, VIDEO -> `google_ads:youtube`, DISPLAY ->
`google_ads:display`, DEMAND_GEN / DISCOVERY -> `google_ads:demand_gen`, anything else
-> `google_ads:other`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from connectors.errors import MalformedResponseError
from connectors.records import Change, DailyPerformanceRow, Resource

__all__ = [
    "CHANNELS",
    "campaign_id_from_resource_name",
    "campaign_resource",
    "change_from_row",
    "channel_for",
    "customer_resource",
    "enum_name",
    "performance_row",
]

PLATFORM = "google_ads"
CHANNELS = {
    "SEARCH": "google_ads:search",
    "SHOPPING": "google_ads:shopping",
    "PERFORMANCE_MAX": "google_ads:pmax",
    "VIDEO": "google_ads:youtube",
    "DISPLAY": "google_ads:display",
    "DEMAND_GEN": "google_ads:demand_gen",
    "DISCOVERY": "google_ads:demand_gen",
}
_CHANGE_TYPES: dict[str, Any] = {"ADDED": "created", "CHANGED": "updated", "REMOVED": "removed"}


def _malformed(message: str) -> MalformedResponseError:
    return MalformedResponseError(f"Google Ads response: {message}", platform=PLATFORM)


def channel_for(advertising_channel_type: str) -> str:
    """The engine channel id for an `AdvertisingChannelType` name."""
    return CHANNELS.get(advertising_channel_type, "google_ads:other")


def enum_name(message: Any, field: str) -> str:
    """The name of enum `field` of a raw protobuf message."""
    number = getattr(message, field)
    descriptor = message.DESCRIPTOR.fields_by_name[field].enum_type
    value = descriptor.values_by_number.get(number)
    if value is None:
        raise _malformed(f"unknown {field} value {number}")
    return str(value.name)


def _require_id(value: int, what: str) -> str:
    if value <= 0:
        raise _malformed(f"row without {what}")
    return str(value)


def performance_row(row: Any, customer_id: str) -> DailyPerformanceRow:
    """One `DailyPerformanceRow` from a row of `queries.daily_performance_query`."""
    campaign, metrics = row.campaign, row.metrics
    campaign_id = _require_id(campaign.id, "campaign.id")
    currency = row.customer.currency_code
    if not row.segments.date or not currency:
        raise _malformed(f"campaign {campaign_id} row without segments.date or currency")
    try:
        return DailyPerformanceRow(
            date=dt.date.fromisoformat(row.segments.date),
            platform=PLATFORM,
            account_id=customer_id,
            campaign_id=campaign_id,
            campaign_name=campaign.name,
            channel=channel_for(enum_name(campaign, "advertising_channel_type")),
            spend=metrics.cost_micros / 1_000_000,
            impressions=metrics.impressions,
            clicks=metrics.clicks,
            conversions=metrics.conversions,
            revenue=metrics.conversions_value,
            currency=currency,
        )
    except (ValueError, ValidationError) as exc:
        raise _malformed(f"campaign {campaign_id}: {exc}") from exc


def customer_resource(
    *,
    customer_id: str,
    name: str,
    currency_code: str,
    time_zone: str,
    manager: bool,
    login_customer_id: str,
    parent_id: str | None,
) -> Resource:
    if not (len(customer_id) == 10 and customer_id.isdigit()) or not time_zone:
        raise _malformed(f"customer row without id or time zone ({customer_id!r})")
    return Resource(
        platform=PLATFORM,
        id=customer_id,
        name=name or customer_id,
        type="customer",
        parent_id=parent_id,
        metadata={
            "resource_name": f"customers/{customer_id}",
            "currency_code": currency_code,
            "time_zone": time_zone,
            "manager": manager,
            "login_customer_id": login_customer_id,
        },
    )


def campaign_resource(row: Any, customer_id: str) -> Resource:
    """A campaign `Resource` (id: the campaign id, parent: its customer id)."""
    campaign = row.campaign
    campaign_id = _require_id(campaign.id, "campaign.id")
    channel_type = enum_name(campaign, "advertising_channel_type")
    return Resource(
        platform=PLATFORM,
        id=campaign_id,
        name=campaign.name,
        type="campaign",
        parent_id=customer_id,
        metadata={
            "resource_name": f"customers/{customer_id}/campaigns/{campaign_id}",
            "customer_id": customer_id,
            "status": enum_name(campaign, "status"),
            "advertising_channel_type": channel_type,
            "channel": channel_for(channel_type),
        },
    )


def campaign_id_from_resource_name(name: str) -> str | None:
    """`customers/1/campaigns/2` -> `2`; None for anything else."""
    parts = name.split("/")
    if len(parts) == 4 and parts[0] == "customers" and parts[2] == "campaigns":
        return parts[3] if parts[3].isdigit() else None
    return None


def change_from_row(row: Any, customer_id: str, changed_at: dt.datetime) -> Change:
    """The hint for one `change_status` row: its campaign, or the customer when it has none.

    A change below a campaign (ad group, ad, criterion, budget...) is an `updated` hint for
    that campaign; only the campaign's own row says `created`/`removed`.
    """
    status = row.change_status
    resource_type = enum_name(status, "resource_type")
    resource_status = enum_name(status, "resource_status")
    if resource_status not in _CHANGE_TYPES:
        raise _malformed(f"change_status row with status {resource_status}")
    campaign_id = campaign_id_from_resource_name(status.campaign) if status.campaign else None
    if campaign_id is None:
        return Change(
            platform=PLATFORM, resource_id=customer_id, change_type="updated", changed_at=changed_at
        )
    change_type = _CHANGE_TYPES[resource_status] if resource_type == "CAMPAIGN" else "updated"
    return Change(
        platform=PLATFORM, resource_id=campaign_id, change_type=change_type, changed_at=changed_at
    )
