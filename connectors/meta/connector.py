"""The Meta Marketing API connector (`connectors.base.Connector`) over facebook-business.

Contract:

- Ids: ad accounts are `act_<n>` everywhere (Resource ids, `DailyPerformanceRow.account_id`,
  webhook changes); `read_daily_performance` also accepts a bare `<n>`. Campaign ids are
  Meta's. Each campaign's channel is resolved by `placements.channel_for_campaign`.
- `discover_resources`: `/me/adaccounts` and each account's `/campaigns` (cursor paging),
  as `ad_account` and `campaign` Resources (campaigns carry `parent_id`, `channel`, status).
- `read_daily_performance(account_id, start, end)`: campaign-level daily insights
  (`time_increment=1`). Ranges of up to `async_threshold_days` days are read with the
  sync `/insights` edge, longer ones with an async report run (POST, poll
  `async_status`/`async_percent_completion`, then page `/{run}/insights`); a failed run
  is split in halves down to `async_min_split_days`, then `TransientError`. Conversions
  and revenue follow `insights.PURCHASE_ACTION_TYPES`. Rows are unique by `key`.
- `read_incremental(account_id, last_synced, today)`: re-reads `insights.lookback_window`
  (at least the last 28 days, Meta restates metrics); callers upsert by `row.key`.
- `list_changes(cursor)`: campaigns of every visible account updated since the cursor
  (`filtering` on `campaign.updated_time`; deleted/archived included via
  `effective_status`), with the cursor semantics of `changes.ChangeCursor` (nothing
  missed, repeats only within `change_overlap_s`). `None` starts now less the overlap.
- Watches: Meta webhooks are app-level. `start_watch(act_id, callback, verify_token)`
  ensures the app's `ad_account` subscription (`POST /{app_id}/subscriptions`, app
  token; Meta verifies the callback with a `hub.challenge` GET) and subscribes the
  account (`POST /act_<n>/subscribed_apps`); `stop_watch` unsubscribes the account only.
  Channels never expire (`expires_at=None`); `renew_watch` returns the channel unchanged.
- All SDK calls run in threads with timeouts and typed errors (`graph.GraphCaller`).
  Close the connector (`aclose()` or `async with`) to release its HTTP sessions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.application import Application
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.objectparser import ObjectParser
from facebook_business.adobjects.user import User
from facebook_business.api import Cursor

from connectors.errors import TransientError
from connectors.meta.changes import ChangeCursor, parse_graph_time
from connectors.meta.config import MetaConnectorConfig
from connectors.meta.graph import GraphCaller
from connectors.meta.insights import (
    INSIGHT_FIELDS,
    dedupe_rows,
    lookback_window,
    to_performance_row,
)
from connectors.meta.placements import channel_for_campaign
from connectors.meta.usage import MetaUsage
from connectors.records import (
    ChangePage,
    DailyPerformanceRow,
    Platform,
    Resource,
    WatchChannel,
)

__all__ = ["MetaConnector", "normalize_account_id"]

ACCOUNT_FIELDS = ["id", "account_id", "name", "currency", "timezone_name", "account_status"]
CAMPAIGN_FIELDS = [
    "id",
    "account_id",
    "name",
    "status",
    "effective_status",
    "objective",
    "created_time",
    "updated_time",
    "adlabels",
]
ALL_STATUSES = ["ACTIVE", "PAUSED", "IN_PROCESS", "WITH_ISSUES", "ARCHIVED", "DELETED"]


def normalize_account_id(account_id: str) -> str:
    """`act_<n>` for `act_<n>` or `<n>`."""
    value = account_id.strip()
    if value.startswith("act_"):
        value = value[4:]
    if not value.isdigit():
        raise ValueError(f"not a Meta ad account id: {account_id!r}")
    return f"act_{value}"


class MetaConnector:
    """One Meta connection (a user or system-user token) through one app."""

    platform: Platform = "meta"

    def __init__(
        self,
        config: MetaConnectorConfig,
        access_token: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._clock = clock
        self._user = self._caller(access_token)
        self._app = self._caller(f"{config.app_id}|{config.app_secret}")

    def _caller(self, access_token: str) -> GraphCaller:
        c = self.config
        return GraphCaller(
            app_id=c.app_id,
            app_secret=c.app_secret,
            access_token=access_token,
            graph_url=c.graph_url,
            api_version=c.api_version,
            timeout_s=c.timeout_s,
            max_retries=c.max_retries,
            backoff_base_s=c.backoff_base_s,
            backoff_max_s=c.backoff_max_s,
        )

    async def aclose(self) -> None:
        self._user.close()
        self._app.close()

    async def __aenter__(self) -> MetaConnector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def last_usage(self) -> MetaUsage | None:
        """Rate-limit usage reported by the latest Graph response (None before any)."""
        return self._user.last_usage

    # -- discovery ---------------------------------------------------------------

    async def _accounts(self) -> list[dict[str, Any]]:
        me = User(fbid="me", api=self._user.api)
        params = {"limit": self.config.page_size}
        return await self._user.pages(
            lambda: me.get_ad_accounts(fields=ACCOUNT_FIELDS, params=params), "list ad accounts"
        )

    async def _campaigns(
        self, account: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        node = AdAccount(account, api=self._user.api)
        query = {"limit": self.config.page_size, **(params or {})}
        return await self._user.pages(
            lambda: node.get_campaigns(fields=CAMPAIGN_FIELDS, params=query),
            f"list campaigns of {account}",
        )

    @staticmethod
    def _campaign_resource(raw: dict[str, Any], account: str) -> Resource:
        return Resource(
            platform="meta",
            id=str(raw["id"]),
            name=str(raw.get("name") or ""),
            type="campaign",
            parent_id=account,
            last_modified=parse_graph_time(raw.get("updated_time")),
            metadata={
                "channel": channel_for_campaign(raw.get("name"), raw.get("adlabels") or ()),
                "status": raw.get("status"),
                "effective_status": raw.get("effective_status"),
                "objective": raw.get("objective"),
            },
        )

    async def discover_resources(self) -> list[Resource]:
        resources: list[Resource] = []
        for raw in await self._accounts():
            account = normalize_account_id(str(raw.get("id") or raw.get("account_id")))
            resources.append(
                Resource(
                    platform="meta",
                    id=account,
                    name=str(raw.get("name") or account),
                    type="ad_account",
                    metadata={
                        k: raw.get(k) for k in ("currency", "timezone_name", "account_status")
                    },
                )
            )
            for campaign in await self._campaigns(account):
                resources.append(self._campaign_resource(campaign, account))
        return resources

    async def read_resource(self, resource_id: str) -> dict[str, object]:
        if resource_id.startswith("act_"):
            node: Any = AdAccount(normalize_account_id(resource_id), api=self._user.api)
            fields = ACCOUNT_FIELDS
        else:
            node = Campaign(resource_id, api=self._user.api)
            fields = CAMPAIGN_FIELDS
        obj = await self._user.call(lambda: node.api_get(fields=fields), f"read {resource_id}")
        data: dict[str, object] = dict(obj.export_all_data())
        return data

    # -- changes -----------------------------------------------------------------

    async def list_changes(self, cursor: str | None) -> ChangePage:
        if cursor is None:
            start = int(self._clock() - self.config.change_overlap_s)
            return ChangePage(changes=[], next_cursor=ChangeCursor(since=start).encode())
        position = ChangeCursor.decode(cursor)
        params = {
            "filtering": [
                {
                    "field": "campaign.updated_time",
                    "operator": "GREATER_THAN",
                    "value": position.since - 1,
                },
                {"field": "campaign.effective_status", "operator": "IN", "value": ALL_STATUSES},
            ]
        }
        campaigns: list[dict[str, Any]] = []
        for raw in await self._accounts():
            account = normalize_account_id(str(raw.get("id") or raw.get("account_id")))
            campaigns += await self._campaigns(account, params)
        changes, after = position.advance(campaigns, self.config.change_overlap_s)
        return ChangePage(changes=changes, next_cursor=after.encode())

    # -- watches -----------------------------------------------------------------

    async def start_watch(self, resource_id: str, address: str, token: str) -> WatchChannel:
        account = normalize_account_id(resource_id)
        app = Application(fbid=self.config.app_id, api=self._app.api)
        params = {
            "object": "ad_account",
            "callback_url": address,
            "fields": list(self.config.webhook_fields),
            "verify_token": token,
            "include_values": True,
        }
        await self._app.call(lambda: app.create_subscription(params=params), "subscribe app")
        node = AdAccount(account, api=self._user.api)
        await self._user.call(
            lambda: node.create_subscribed_app(params={"app_id": self.config.app_id}),
            f"subscribe {account}",
        )
        return WatchChannel(
            platform="meta",
            channel_id=f"{self.config.app_id}:ad_account:{account}",
            resource_id=account,
            address=address,
            expires_at=None,
            token=token,
        )

    async def renew_watch(self, channel: WatchChannel) -> WatchChannel | None:
        return channel

    async def stop_watch(self, channel: WatchChannel) -> None:
        node = AdAccount(normalize_account_id(channel.resource_id), api=self._user.api)
        await self._user.call(
            lambda: node.delete_subscribed_apps(params={"app_id": self.config.app_id}),
            f"unsubscribe {channel.resource_id}",
        )

    # -- performance -------------------------------------------------------------

    async def read_incremental(
        self, account_id: str, last_synced: dt.date | None, today: dt.date
    ) -> list[DailyPerformanceRow]:
        start, end = lookback_window(
            last_synced,
            today,
            lookback_days=self.config.lookback_days,
            initial_days=self.config.initial_history_days,
        )
        return await self.read_daily_performance(account_id, start, end)

    async def read_daily_performance(
        self, account_id: str, start: dt.date, end: dt.date
    ) -> list[DailyPerformanceRow]:
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        account = normalize_account_id(account_id)
        node = AdAccount(account, api=self._user.api)
        info = await self._user.call(lambda: node.api_get(fields=["currency"]), f"read {account}")
        currency = str(info.export_all_data().get("currency") or "USD")
        everything = {"effective_status": ALL_STATUSES}
        channels = {
            str(c["id"]): channel_for_campaign(c.get("name"), c.get("adlabels") or ())
            for c in await self._campaigns(account, everything)
        }

        def channel_of(campaign_id: str, campaign_name: str) -> str:
            return channels.get(campaign_id) or channel_for_campaign(campaign_name)

        raw_rows = await self._insights(node, start, end)
        rows = [
            to_performance_row(
                raw,
                account_id=account,
                currency=currency,
                channel_of=channel_of,
                action_types=self.config.purchase_action_types,
            )
            for raw in raw_rows
        ]
        return dedupe_rows(rows)

    def _insight_params(self, start: dt.date, end: dt.date) -> dict[str, Any]:
        return {
            "level": "campaign",
            "time_increment": "1",
            "time_range": {"since": start.isoformat(), "until": end.isoformat()},
            "limit": self.config.page_size,
        }

    async def _insights(self, node: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        days = (end - start).days + 1
        if days <= self.config.async_threshold_days:
            params = self._insight_params(start, end)
            return await self._rows(str(node["id"]), params, f"insights of {node['id']}")
        return await self._async_insights(node, start, end)

    async def _rows(self, node_id: str, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        """Pages of `/{node_id}/insights` as plain dicts.

        An SDK `Cursor` with a pass-through parser: building an `AdsInsights` object
        (and its nested `AdsActionStats`) per row costs more than the HTTP round trips.
        """
        api = self._user.api
        parser = ObjectParser(custom_parse_method=lambda row, _api: row, api=api)

        def first() -> Any:
            cursor = Cursor(
                target_objects_class=AdsInsights,
                fields=list(INSIGHT_FIELDS),
                params=params,
                include_summary=False,
                api=api,
                node_id=node_id,
                endpoint="insights",
                object_parser=parser,
            )
            cursor.load_next_page()
            return cursor

        return await self._user.pages(first, what)

    async def _async_insights(
        self, node: Any, start: dt.date, end: dt.date
    ) -> list[dict[str, Any]]:
        what = f"async insights of {node['id']} {start}..{end}"
        params = self._insight_params(start, end)
        params.pop("limit")
        run = await self._user.call(
            lambda: node.get_insights(fields=list(INSIGHT_FIELDS), params=params, is_async=True),
            what,
        )
        status = await self._wait_for_run(run, what)
        if status != "Job Completed":
            days = (end - start).days + 1
            if days < 2 * self.config.async_min_split_days:
                raise TransientError(f"{what}: report run ended with {status!r}", platform="meta")
            middle = start + dt.timedelta(days=days // 2 - 1)
            first = await self._async_insights(node, start, middle)
            return first + await self._async_insights(node, middle + dt.timedelta(days=1), end)
        return await self._rows(str(run["id"]), {"limit": self.config.page_size}, what)

    async def _wait_for_run(self, run: Any, what: str) -> str:
        deadline = self._clock() + self.config.async_timeout_s
        fields = ["async_status", "async_percent_completion"]
        while True:
            await self._user.call(lambda: run.api_get(fields=fields), what)
            status = str(run.get("async_status") or "")
            percent = run.get("async_percent_completion") or 0
            if status == "Job Completed" and int(percent) >= 100:
                return status
            if status in ("Job Failed", "Job Skipped"):
                return status
            if self._clock() >= deadline:
                raise TransientError(f"{what}: report run timed out at {percent}%", platform="meta")
            await asyncio.sleep(self.config.async_poll_interval_s)
