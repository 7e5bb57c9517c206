"""The Google Ads sandbox's mutable world: customers, campaigns, daily metrics, change_status.

Contract: `GoogleAdsState` is seeded from `SandboxData.google_ads_customers` and is the only
thing the gRPC server reads. It is thread-safe (one lock). `run_query` answers a parsed
GAQL query for one customer (see `resources.answer_query`). Mutations (`add_spend`,
`pause_campaign`, `enable_campaign`, `rename_campaign`, `remove_campaign`, `add_campaign`,
`record_change`, `set_customer_status`) change the world; entity mutations upsert the
resource's `change_status` row, stamped with the sandbox clock in the customer's time
zone. `add_spend` does not: the real `change_status` tracks entities, not metrics, which
is why connectors re-read a conversion-window lookback.

Hierarchy: every manager customer manages every non-manager customer. By default the
OAuth user can access every customer directly; pass `direct_access` to model a user who
reaches clients only through a manager (then `login-customer-id` must name that manager).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from connectors.sandbox.data import CampaignData, SandboxData
from connectors.sandbox.google_ads.gaql import GaqlQuery, Row
from connectors.sandbox.google_ads.resources import (
    CHANGE_STATUS_WINDOW,
    METRICS,
    CampaignRecord,
    ChangeStatusQueryError,
    CustomerRecord,
    answer_query,
    channel_type_for,
)

__all__ = ["ChangeStatusQueryError", "GoogleAdsState", "channel_type_for"]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class GoogleAdsState:
    def __init__(
        self,
        data: SandboxData,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        direct_access: Iterable[str] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._customers: dict[str, CustomerRecord] = {}
        self._change_seq = 0
        for data_customer in data.google_ads_customers:
            if not (len(data_customer.id) == 10 and data_customer.id.isdigit()):
                raise ValueError(f"Google Ads customer ids have 10 digits: {data_customer.id!r}")
            customer = CustomerRecord(data_customer.model_copy(update={"campaigns": []}))
            self._customers[data_customer.id] = customer
            for campaign_data in data_customer.campaigns:
                campaign = CampaignRecord.from_data(campaign_data)
                customer.campaigns[campaign.id] = campaign
                updated = campaign_data.updated_time
                if updated is not None and self._now() - updated < CHANGE_STATUS_WINDOW:
                    self._append_change(customer, "CAMPAIGN", campaign.id, "CHANGED", updated)
        ids = list(self._customers) if direct_access is None else list(direct_access)
        self._direct = [cid for cid in ids if cid in self._customers]

    # ---- access ---------------------------------------------------------------

    def accessible_customers(self) -> list[str]:
        """What `ListAccessibleCustomers` returns: directly accessible customer ids."""
        with self._lock:
            return list(self._direct)

    def authorize(self, customer_id: str, login_customer_id: str | None) -> str | None:
        """None when the call may act on `customer_id`, else an `AuthorizationError` name."""
        with self._lock:
            customer = self._customers.get(customer_id)
            if customer is None:
                return "USER_PERMISSION_DENIED"
            login = login_customer_id or customer_id
            if login == customer_id:
                allowed = customer_id in self._direct
            else:
                manager = self._customers.get(login)
                if manager is None or login not in self._direct or not manager.data.manager:
                    return "USER_PERMISSION_DENIED"
                allowed = not customer.data.manager
                if not allowed:
                    return "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION"
            if not allowed:
                return "USER_PERMISSION_DENIED"
            return "CUSTOMER_NOT_ENABLED" if customer.status != "ENABLED" else None

    # ---- queries --------------------------------------------------------------

    def run_query(self, customer_id: str, query: GaqlQuery) -> list[Row]:
        """Rows answering `query` for `customer_id` (see `resources.answer_query`)."""
        with self._lock:
            customer = self._customers[customer_id]
            customers = list(self._customers.values())
            return answer_query(customer, customers, query, self._local_now(customer))

    # ---- mutations ------------------------------------------------------------

    def customer_ids(self) -> list[str]:
        with self._lock:
            return list(self._customers)

    def campaign_ids(self, customer_id: str) -> list[str]:
        with self._lock:
            return [str(cid) for cid in self._customers[customer_id].campaigns]

    def add_spend(
        self,
        customer_id: str,
        campaign_id: str,
        day: dt.date,
        amount: float,
        *,
        impressions: int = 0,
        clicks: int = 0,
        conversions: float = 0.0,
        revenue: float = 0.0,
    ) -> None:
        """Add delivery to one campaign-day (a late conversion, a restatement)."""
        with self._lock:
            campaign = self._campaign(customer_id, campaign_id)
            zero = dict.fromkeys(METRICS, 0)
            metrics = campaign.daily.setdefault(day, dict(zero))
            for key, add in zip(
                METRICS,
                (round(amount * 1_000_000), impressions, clicks, conversions, revenue),
                strict=True,
            ):
                metrics[key] += add
                if metrics[key] < 0:
                    raise ValueError(f"{key} would become negative")

    def pause_campaign(self, customer_id: str, campaign_id: str) -> None:
        self._set_campaign(customer_id, campaign_id, status="PAUSED")

    def enable_campaign(self, customer_id: str, campaign_id: str) -> None:
        self._set_campaign(customer_id, campaign_id, status="ENABLED")

    def rename_campaign(self, customer_id: str, campaign_id: str, name: str) -> None:
        self._set_campaign(customer_id, campaign_id, name=name)

    def remove_campaign(self, customer_id: str, campaign_id: str) -> None:
        self._set_campaign(customer_id, campaign_id, status="REMOVED", change="REMOVED")

    def add_campaign(self, customer_id: str, campaign: CampaignData) -> None:
        with self._lock:
            customer = self._customers[customer_id]
            new = CampaignRecord.from_data(campaign)
            if new.id in customer.campaigns:
                raise ValueError(f"campaign {campaign.id} already exists")
            customer.campaigns[new.id] = new
            self._append_change(customer, "CAMPAIGN", new.id, "ADDED")

    def record_change(
        self,
        customer_id: str,
        resource_type: str,
        *,
        campaign_id: str | None = None,
        resource_id: str | None = None,
        status: str = "CHANGED",
    ) -> None:
        """Record a change of any resource type (e.g. an AD_GROUP under a campaign)."""
        with self._lock:
            customer = self._customers[customer_id]
            cid = int(campaign_id) if campaign_id is not None else None
            self._append_change(customer, resource_type, cid, status, resource_id=resource_id)

    def set_customer_status(self, customer_id: str, status: str) -> None:
        """`CANCELED`/`SUSPENDED`/`CLOSED` make calls fail with CUSTOMER_NOT_ENABLED."""
        with self._lock:
            self._customers[customer_id].status = status

    def _campaign(self, customer_id: str, campaign_id: str) -> CampaignRecord:
        try:
            return self._customers[customer_id].campaigns[int(campaign_id)]
        except (KeyError, ValueError):
            raise KeyError(f"no campaign {campaign_id} in customer {customer_id}") from None

    def _set_campaign(
        self,
        customer_id: str,
        campaign_id: str,
        *,
        status: str | None = None,
        name: str | None = None,
        change: str = "CHANGED",
    ) -> None:
        with self._lock:
            campaign = self._campaign(customer_id, campaign_id)
            campaign.status = status or campaign.status
            campaign.name = name or campaign.name
            self._append_change(self._customers[customer_id], "CAMPAIGN", campaign.id, change)

    def _now(self) -> dt.datetime:
        return self._clock().astimezone(dt.UTC)

    def _local_now(self, customer: CustomerRecord) -> dt.datetime:
        return self._now().astimezone(ZoneInfo(customer.data.time_zone)).replace(tzinfo=None)

    def _append_change(
        self,
        customer: CustomerRecord,
        resource_type: str,
        campaign_id: int | None,
        status: str,
        when: dt.datetime | None = None,
        resource_id: str | None = None,
    ) -> None:
        """Upsert the change_status row of one resource (the API keeps the latest per resource)."""
        zone = ZoneInfo(customer.data.time_zone)
        local = (when or self._now()).astimezone(zone).replace(tzinfo=None)
        cid = customer.data.id
        campaign = f"customers/{cid}/campaigns/{campaign_id}" if campaign_id is not None else None
        ad_group = None
        if resource_type == "CAMPAIGN" and campaign is not None:
            key = campaign
        else:
            key = f"customers/{cid}/{resource_type.lower()}/{resource_id or campaign_id}"
            if resource_type.startswith("AD_GROUP") and resource_id is not None:
                ad_group = f"customers/{cid}/adGroups/{resource_id}"
        previous = customer.changes.pop(key, None)
        if previous is not None and previous["change_status.resource_status"] == "ADDED":
            status = "REMOVED" if status == "REMOVED" else "ADDED"
        self._change_seq += 1
        customer.changes[key] = {
            "change_status.resource_name": f"customers/{cid}/changeStatus/{self._change_seq}",
            "change_status.last_change_date_time": local,
            "change_status.resource_type": resource_type,
            "change_status.resource_status": status,
            "change_status.campaign": campaign,
            "change_status.ad_group": ad_group,
        }
