"""The Google Ads connector: discovery, daily performance and change polling over gRPC.

Contract: `GoogleAdsConnector` implements `connectors.base.Connector` for one OAuth
connection. It takes google-auth `Credentials` (refreshed by google-auth against their
`token_uri`) or, via `from_tokens`, stored `OAuthTokens` (then `tokens()` returns them
after a refresh, for persisting), and `GoogleAdsSettings`; every RPC runs in a
worker thread through `GoogleAdsTransport` (explicit timeouts, the library's own
`developer-token` / `login-customer-id` metadata) under the bounded `RetryPolicy`, and
failures surface as `connectors.errors` types.

Ids: a customer `Resource.id` is its 10-digit id (the `account_id` of performance rows);
a campaign `Resource.id` is the campaign id (globally unique in Google Ads, the
`campaign_id` of performance rows) with `parent_id` the customer. Customers reached only
through a manager are called with that manager as `login-customer-id`; customers the API
refuses (`CUSTOMER_NOT_ENABLED`, no permission) are skipped by discovery, with a warning.

Incremental metrics: `read_incremental` re-reads the conversion window (default 14 days)
before `last_synced` up to `today`; store rows by `DailyPerformanceRow.key` so the re-read
upserts. Entities: `list_changes` polls `change_status` per non-manager customer (see
`changes.py` for the cursor). Google Ads has no push: `start_watch` returns None.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.auth.credentials import Credentials

from connectors.errors import ConnectorError, MalformedResponseError, NotFoundError
from connectors.google_ads import changes as cursors
from connectors.google_ads import mapping, queries
from connectors.google_ads.credentials import credentials_from_tokens, tokens_from_credentials
from connectors.google_ads.retry import RetryPolicy, retry_async
from connectors.google_ads.transport import GoogleAdsSettings, GoogleAdsTransport
from connectors.records import (
    Change,
    ChangePage,
    DailyPerformanceRow,
    OAuthTokens,
    Platform,
    Resource,
    WatchChannel,
)

__all__ = ["GoogleAdsConnector"]

_log = logging.getLogger(__name__)
T = TypeVar("T")
PLATFORM = "google_ads"
ChangeType = Literal["created", "updated", "removed"]


@dataclass(frozen=True)
class _Customer:
    id: str
    login_customer_id: str
    name: str
    currency_code: str
    time_zone: str
    manager: bool
    parent_id: str | None

    def resource(self) -> Resource:
        return mapping.customer_resource(
            customer_id=self.id,
            name=self.name,
            currency_code=self.currency_code,
            time_zone=self.time_zone,
            manager=self.manager,
            login_customer_id=self.login_customer_id,
            parent_id=self.parent_id,
        )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _customer_id(value: str) -> str:
    digits = value.removeprefix("customers/").replace("-", "")
    if not (len(digits) == 10 and digits.isdigit()):
        raise NotFoundError(f"not a Google Ads customer id: {value!r}", platform=PLATFORM)
    return digits


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class GoogleAdsConnector:
    platform: Platform = "google_ads"

    def __init__(
        self,
        credentials: Credentials,
        settings: GoogleAdsSettings,
        *,
        retry: RetryPolicy | None = None,
        change_overlap: dt.timedelta = dt.timedelta(minutes=3),
        change_page_limit: int = queries.CHANGE_STATUS_LIMIT,
        backfill_days: int = 730,
        clock: Callable[[], dt.datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not 0 < change_page_limit <= queries.CHANGE_STATUS_LIMIT:
            raise ValueError("change_page_limit must be in 1..10000")
        self._credentials = credentials
        self._transport = GoogleAdsTransport(credentials, settings)
        self._settings = settings
        self._retry = retry or RetryPolicy()
        self._overlap = change_overlap
        self._page_limit = change_page_limit
        self._backfill_days = backfill_days
        self._clock = clock
        self._sleep = sleep
        self._customers: dict[str, _Customer] | None = None
        self._campaign_owner: dict[str, str] = {}

    @classmethod
    def from_tokens(
        cls,
        tokens: OAuthTokens,
        settings: GoogleAdsSettings,
        *,
        client_id: str,
        client_secret: str,
        token_url: str,
        **options: Any,
    ) -> GoogleAdsConnector:
        """A connector over stored tokens; read `tokens()` after calls to persist refreshes."""
        credentials = credentials_from_tokens(
            tokens, client_id=client_id, client_secret=client_secret, token_url=token_url
        )
        return cls(credentials, settings, **options)

    def tokens(self) -> OAuthTokens:
        """The current tokens (a refresh may have replaced the access token)."""
        return tokens_from_credentials(self._credentials)

    async def __aenter__(self) -> GoogleAdsConnector:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await asyncio.to_thread(self._transport.close)

    async def _rpc(self, call: Callable[[], T]) -> T:
        def log_retry(error: ConnectorError, delay: float) -> None:
            _log.warning("google_ads: %s; retrying in %.2fs", type(error).__name__, delay)

        async def attempt() -> T:
            return await asyncio.to_thread(call)

        return await retry_async(attempt, self._retry, sleep=self._sleep, on_retry=log_retry)

    async def _search(
        self, customer: _Customer, query: str, convert: Callable[[Any], T], *, stream: bool = False
    ) -> list[T]:
        method = self._transport.search_stream if stream else self._transport.search
        return await self._rpc(
            lambda: method(customer.id, query, customer.login_customer_id, convert)
        )

    # ---- customers --------------------------------------------------------------

    async def _load_customers(self) -> dict[str, _Customer]:
        direct = await self._rpc(self._transport.list_accessible_customers)
        found: dict[str, _Customer] = {}
        for cid in direct:
            probe = _Customer(cid, cid, "", "", "", False, None)
            try:
                rows = await self._search(probe, queries.CUSTOMER_QUERY, _direct_customer(cid))
            except ConnectorError as error:
                if error.retryable or type(error) not in {ConnectorError, NotFoundError}:
                    raise
                _log.warning("google_ads: skipping customer %s: %s", cid, error)
                continue
            if len(rows) != 1:
                raise MalformedResponseError(f"customer {cid}: {len(rows)} rows", platform=PLATFORM)
            found[cid] = rows[0]
        for manager in [c for c in found.values() if c.manager]:
            clients = await self._search(
                manager, queries.CUSTOMER_CLIENTS_QUERY, _client_customer(manager.id)
            )
            for client in clients:
                if client is not None and client.id not in found:
                    found[client.id] = client
        self._customers = found
        return found

    async def _customer(self, customer_id: str) -> _Customer:
        cid = _customer_id(customer_id)
        if self._customers is None or cid not in self._customers:
            await self._load_customers()
        assert self._customers is not None
        known = self._customers.get(cid)
        if known is not None:
            return known
        login = self._settings.login_customer_id or cid
        return _Customer(cid, login, "", "", "UTC", False, None)

    # ---- Connector --------------------------------------------------------------

    async def discover_resources(self) -> list[Resource]:
        """Customers (managers included) and their enabled or paused campaigns."""
        customers = await self._load_customers()
        resources: list[Resource] = []
        for customer in customers.values():
            resources.append(customer.resource())
            if customer.manager:
                continue
            convert = _campaign_converter(customer.id)
            campaigns = await self._search(customer, queries.CAMPAIGNS_QUERY, convert)
            for campaign in campaigns:
                self._campaign_owner[campaign.id] = customer.id
            resources.extend(campaigns)
        return resources

    async def read_resource(self, resource_id: str) -> dict[str, object]:
        """A customer (`1234567890`, `customers/1234567890`) or campaign (id or resource name)."""
        campaign_id = mapping.campaign_id_from_resource_name(resource_id)
        if campaign_id is not None:
            owner = _customer_id(resource_id.split("/")[1])
            return await self._read_campaign(await self._customer(owner), campaign_id)
        if self._customers is None:
            await self._load_customers()
        assert self._customers is not None
        bare = resource_id.removeprefix("customers/").replace("-", "")
        if bare in self._customers:
            customer = await self._customer(bare)
            return {**customer.resource().metadata, "id": customer.id, "name": customer.name}
        if not bare.isdigit():
            raise NotFoundError(f"unknown Google Ads resource {resource_id!r}", platform=PLATFORM)
        owners = [self._campaign_owner[bare]] if bare in self._campaign_owner else []
        owners += [c.id for c in self._customers.values() if not c.manager and c.id not in owners]
        for owner in owners:
            try:
                return await self._read_campaign(await self._customer(owner), bare)
            except NotFoundError:
                continue
        raise NotFoundError(f"no Google Ads campaign {bare}", platform=PLATFORM)

    async def _read_campaign(self, customer: _Customer, campaign_id: str) -> dict[str, object]:
        query = queries.campaign_query(int(campaign_id))
        rows = await self._search(customer, query, _campaign_converter(customer.id))
        if not rows:
            raise NotFoundError(f"no campaign {campaign_id} in {customer.id}", platform=PLATFORM)
        self._campaign_owner[campaign_id] = customer.id
        return {**rows[0].metadata, "id": rows[0].id, "name": rows[0].name}

    async def list_changes(self, cursor: str | None) -> ChangePage:
        """`change_status` rows since `cursor` as hints (None: start now, no changes).

        A customer new since `cursor` is a `created` hint, one gone is `removed`, and one
        whose cursor fell out of the 90-day window is `updated` (re-read it whole).
        """
        previous = cursors.decode_cursor(cursor) if cursor is not None else None
        customers = {k: c for k, c in (await self._load_customers()).items() if not c.manager}
        state: dict[str, cursors.CustomerCursor] = {}
        found: list[Change] = []
        now = self._clock()
        for cid, customer in sorted(customers.items()):
            zone = _zone(customer.time_zone)
            now_local = now.astimezone(zone).replace(tzinfo=None)
            before = previous.get(cid) if previous is not None else None
            if before is None:
                state[cid] = cursors.CustomerCursor(now_local)
                if previous is not None:
                    found.append(_hint(cid, "created", now))
                continue
            start, truncated = cursors.window_start(before, now_local, self._overlap)
            if truncated:
                found.append(_hint(cid, "updated", now))
            until = now_local + dt.timedelta(days=1)
            query = queries.change_status_query(start, until, self._page_limit)
            rows = await self._search(customer, query, cursors.change_converter(cid, zone))
            fresh = [(row, change) for row, change in rows if row.key not in before.seen]
            found.extend(change for _, change in fresh)
            state[cid] = cursors.advance(
                before,
                [row for row, _ in fresh],
                overlap=self._overlap,
                full_page=len(rows) >= self._page_limit,
                now_local=now_local,
            )
        found += [
            _hint(gone, "removed", now) for gone in sorted(set(previous or {}) - set(customers))
        ]
        return ChangePage(
            changes=cursors.latest_per_resource(found), next_cursor=cursors.encode_cursor(state)
        )

    async def start_watch(self, resource_id: str, address: str, token: str) -> WatchChannel | None:
        """Google Ads has no push notifications: poll `list_changes` instead."""
        return None

    async def renew_watch(self, channel: WatchChannel) -> WatchChannel | None:
        return None

    async def stop_watch(self, channel: WatchChannel) -> None:
        return None

    async def read_daily_performance(
        self, account_id: str, start: dt.date, end: dt.date
    ) -> list[DailyPerformanceRow]:
        """One row per campaign and day in [start, end], ordered by (date, campaign id)."""
        customer = await self._customer(account_id)
        query = queries.daily_performance_query(start, end)
        convert = _performance_converter(customer.id)
        rows = await self._search(customer, query, convert, stream=True)
        by_key: dict[tuple[dt.date, str, str, str, str], DailyPerformanceRow] = {}
        for row in rows:
            if row.key in by_key:
                raise MalformedResponseError(f"duplicate row for {row.key}", platform=PLATFORM)
            by_key[row.key] = row
        return sorted(by_key.values(), key=lambda r: (r.date, int(r.campaign_id)))

    async def read_incremental(
        self,
        customer_id: str,
        last_synced: dt.date | None,
        today: dt.date,
        conversion_window_days: int = 14,
    ) -> list[DailyPerformanceRow]:
        """Rows from `last_synced - conversion_window_days` (or the backfill) to `today`.

        Conversions are attributed back to the click date for up to the conversion window,
        so those days are re-read every run; upsert the rows by `DailyPerformanceRow.key`
        and store `today` as the next `last_synced`.
        """
        if not 0 <= conversion_window_days <= 1095:
            raise ValueError("conversion_window_days must be in 0..1095")
        if last_synced is None:
            start = today - dt.timedelta(days=self._backfill_days)
        else:
            start = min(last_synced, today) - dt.timedelta(days=conversion_window_days)
        return await self.read_daily_performance(customer_id, start, today)


def _direct_customer(cid: str) -> Callable[[Any], _Customer]:
    def convert(row: Any) -> _Customer:
        c = row.customer
        resource = mapping.customer_resource(
            customer_id=str(c.id),
            name=c.descriptive_name,
            currency_code=c.currency_code,
            time_zone=c.time_zone,
            manager=c.manager,
            login_customer_id=cid,
            parent_id=None,
        )
        return _Customer(
            resource.id, cid, resource.name, c.currency_code, c.time_zone, c.manager, None
        )

    return convert


def _client_customer(manager_id: str) -> Callable[[Any], _Customer | None]:
    def convert(row: Any) -> _Customer | None:
        c = row.customer_client
        if mapping.enum_name(c, "status") != "ENABLED":
            return None
        cid = str(c.id)
        resource = mapping.customer_resource(
            customer_id=cid,
            name=c.descriptive_name,
            currency_code=c.currency_code,
            time_zone=c.time_zone,
            manager=c.manager,
            login_customer_id=manager_id,
            parent_id=manager_id,
        )
        return _Customer(
            cid, manager_id, resource.name, c.currency_code, c.time_zone, c.manager, manager_id
        )

    return convert


def _campaign_converter(customer_id: str) -> Callable[[Any], Resource]:
    return lambda row: mapping.campaign_resource(row, customer_id)


def _performance_converter(customer_id: str) -> Callable[[Any], DailyPerformanceRow]:
    return lambda row: mapping.performance_row(row, customer_id)


def _hint(resource_id: str, change_type: ChangeType, at: dt.datetime) -> Change:
    return Change(
        platform=PLATFORM, resource_id=resource_id, change_type=change_type, changed_at=at
    )
