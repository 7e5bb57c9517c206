"""`Store`: the orchestration layer's database, scoped by workspace on every call.

Contract: `Store(url)` opens (not migrates) the database at `url` (default:
``MEDIAPLAN_DATABASE_URL`` or the SQLite file in ``MEDIAPLAN_DATA_DIR``); call
`upgrade()` (or `orchestration.store.upgrade_database`) once at start-up. Every method
takes ``workspace_id`` first and reads or writes only that workspace's rows; writes to a
workspace `ensure_workspace` never created raise `WorkspaceNotFound`. Each method is one
transaction (committed on return, rolled back on error); writes on SQLite take the write
lock up front (``BEGIN IMMEDIATE``). Time comes from `clock` (aware UTC datetimes;
injectable for tests). The token cipher is built on first use from `secret_key` or, when
None, from ``MEDIAPLAN_SECRET_KEY`` / the dev key file (see `orchestration.store._settings`).
A `Store` is thread-safe (a session per call); `close()` disposes the engine.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from agents.contract import DistributionPlan, KpiRow
from connectors.records import CampaignBrief, DailyPerformanceRow, OAuthTokens, Resource
from orchestration.store import (
    _audit,
    _campaigns,
    _integrations,
    _market,
    _performance,
    _plan_cache,
    _planning,
    _workspaces,
)
from orchestration.store._campaigns import UpsertOutcome
from orchestration.store._crypto import TokenCipher
from orchestration.store._engine import WRITE_OPTIONS, create_store_engine, safe_url
from orchestration.store._errors import InvalidRecord
from orchestration.store._migrate import upgrade_database
from orchestration.store._records import (
    AuditEntry,
    CachedPlan,
    Integration,
    MarketOverridesVersion,
    UpsertCounts,
    Workspace,
)
from orchestration.store._settings import database_url
from orchestration.store._settings import secret_key as load_secret_key

__all__ = ["Clock", "Store", "utc_now"]

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Campaigns, performance, KPI, market overrides, integrations, plan cache, audit log."""

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        clock: Clock = utc_now,
        secret_key: bytes | None = None,
        env: Mapping[str, str] | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._env: Mapping[str, str] = os.environ if env is None else env
        self.url = database_url(self._env) if url is None else url
        self.engine: Engine = create_store_engine(self.url, **dict(engine_options or {}))
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            self.engine.execution_options(**WRITE_OPTIONS), expire_on_commit=False
        )
        self._clock = clock
        self._key = secret_key
        self._cipher: TokenCipher | None = None
        self._cipher_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"

    # -- lifecycle -------------------------------------------------------------------

    def upgrade(self) -> None:
        """Apply pending migrations (idempotent)."""
        upgrade_database(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writes() as session, session.begin():
            yield session

    def now(self) -> dt.datetime:
        """The store clock's current time (aware, UTC)."""
        value = self._clock()
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidRecord(f"the store clock returned a naive datetime {value}")
        return value.astimezone(dt.UTC)

    def _token_cipher(self) -> TokenCipher:
        with self._cipher_lock:
            if self._cipher is None:
                key = self._key if self._key is not None else load_secret_key(self._env)
                self._cipher = TokenCipher(key)
            return self._cipher

    # -- workspaces and campaigns ----------------------------------------------------

    def ensure_workspace(self, workspace_id: str, name: str | None = None) -> Workspace:
        """Create the workspace if needed (a given `name` renames it)."""
        with self._write() as s:
            return _workspaces.ensure_workspace(s, workspace_id, name, self.now())

    def upsert_campaign(self, workspace_id: str, brief: CampaignBrief) -> UpsertOutcome:
        """Store the brief; ``inserted``, ``updated`` or ``unchanged``."""
        with self._write() as s:
            return _campaigns.upsert_campaign(s, workspace_id, brief, self.now())

    def get_campaign(self, workspace_id: str, campaign_id: str) -> CampaignBrief:
        """The brief, or `CampaignNotFound`."""
        with self._read() as s:
            return _campaigns.get_campaign(s, workspace_id, campaign_id)

    def list_campaigns(self, workspace_id: str) -> list[CampaignBrief]:
        with self._read() as s:
            return _campaigns.list_campaigns(s, workspace_id)

    # -- performance and KPI -----------------------------------------------------------

    def upsert_performance(
        self, workspace_id: str, rows: Iterable[DailyPerformanceRow]
    ) -> UpsertCounts:
        """Insert or update rows by (date, platform, account, campaign, channel)."""
        with self._write() as s:
            return _performance.upsert_performance(s, workspace_id, rows, self.now())

    def performance_range(
        self,
        workspace_id: str,
        start: dt.date,
        end: dt.date,
        *,
        channels: Collection[str] | None = None,
        platforms: Collection[str] | None = None,
    ) -> list[DailyPerformanceRow]:
        """Rows dated `start`..`end` (inclusive), optionally only some channels/platforms."""
        with self._read() as s:
            return _performance.performance_range(
                s, workspace_id, start, end, channels=channels, platforms=platforms
            )

    def upsert_kpi(self, workspace_id: str, rows: Iterable[KpiRow]) -> UpsertCounts:
        """Insert or update daily KPI rows by date."""
        with self._write() as s:
            return _performance.upsert_kpi(s, workspace_id, rows, self.now())

    def kpi_range(self, workspace_id: str, start: dt.date, end: dt.date) -> list[KpiRow]:
        with self._read() as s:
            return _performance.kpi_range(s, workspace_id, start, end)

    # -- planning ----------------------------------------------------------------------

    def planning_input(
        self,
        workspace_id: str,
        campaign_id: str,
        *,
        include_historical: bool = True,
        history_days: int = _planning.DEFAULT_HISTORY_DAYS,
        platforms: Collection[str] | None = None,
        history_end: dt.date | None = None,
    ) -> dict[str, Any]:
        """A validated `PlanningInput` document (see `orchestration.store._planning`)."""
        with self._read() as s:
            return _planning.planning_input(
                s,
                workspace_id,
                campaign_id,
                include_historical=include_historical,
                history_days=history_days,
                platforms=platforms,
                history_end=history_end,
            )

    def data_version(self, workspace_id: str, campaign_id: str) -> str:
        """Changes whenever data a plan of the campaign depends on changes."""
        with self._read() as s:
            return _planning.data_version(s, workspace_id, campaign_id)

    def plan_cache_key(
        self, workspace_id: str, campaign_id: str, params: Mapping[str, Any] | None = None
    ) -> str:
        """The cache key of a plan of the campaign as stored now, under `params`."""
        with self._read() as s:
            brief = _campaigns.get_campaign(s, workspace_id, campaign_id)
            version = _planning.data_version(s, workspace_id, campaign_id)
        return _plan_cache.plan_cache_key(brief, params, version)

    def cache_plan(
        self,
        workspace_id: str,
        campaign_id: str,
        cache_key: str,
        plan: DistributionPlan | Mapping[str, Any],
        *,
        ttl: dt.timedelta,
    ) -> CachedPlan:
        with self._write() as s:
            return _plan_cache.cache_plan(
                s, workspace_id, campaign_id, cache_key, plan, ttl=ttl, now=self.now()
            )

    def get_cached_plan(
        self, workspace_id: str, campaign_id: str, cache_key: str
    ) -> CachedPlan | None:
        """The cached plan if present and unexpired, else None."""
        with self._read() as s:
            return _plan_cache.get_cached_plan(s, workspace_id, campaign_id, cache_key, self.now())

    def purge_expired_plans(self, workspace_id: str) -> int:
        with self._write() as s:
            return _plan_cache.purge_expired_plans(s, workspace_id, self.now())

    # -- market overrides --------------------------------------------------------------

    def save_market_overrides(
        self, workspace_id: str, overrides: Mapping[str, Any], *, actor: str = "system"
    ) -> MarketOverridesVersion:
        """Validate and version the overrides (an unchanged document keeps its version)."""
        with self._write() as s:
            return _market.save_market_overrides(s, workspace_id, overrides, actor, self.now())

    def get_market_overrides(
        self, workspace_id: str, version: int | None = None
    ) -> MarketOverridesVersion | None:
        with self._read() as s:
            return _market.get_market_overrides(s, workspace_id, version)

    # -- integrations ------------------------------------------------------------------

    def save_integration(
        self,
        workspace_id: str,
        platform: str,
        tokens: OAuthTokens,
        *,
        status: str = "active",
        scopes: Sequence[str] | None = None,
        resources: Iterable[Resource] = (),
        actor: str = "system",
    ) -> Integration:
        """Upsert the integration with its tokens encrypted; audited without secrets."""
        cipher = self._token_cipher()
        with self._write() as s:
            return _integrations.save_integration(
                s,
                cipher,
                workspace_id,
                platform,
                tokens,
                status=status,
                scopes=scopes,
                resources=resources,
                actor=actor,
                now=self.now(),
            )

    def get_integration(self, workspace_id: str, platform: str) -> Integration:
        """The integration without its tokens, or `IntegrationNotFound`."""
        with self._read() as s:
            return _integrations.get_integration(s, workspace_id, platform)

    def list_integrations(self, workspace_id: str) -> list[Integration]:
        with self._read() as s:
            return _integrations.list_integrations(s, workspace_id)

    def get_tokens(self, workspace_id: str, platform: str) -> OAuthTokens:
        """Decrypted tokens; `TokenDecryptionError` if the key is not the one used."""
        cipher = self._token_cipher()
        with self._read() as s:
            return _integrations.get_tokens(s, cipher, workspace_id, platform)

    def set_integration_status(
        self, workspace_id: str, platform: str, status: str, *, actor: str = "system"
    ) -> Integration:
        with self._write() as s:
            return _integrations.set_integration_status(
                s, workspace_id, platform, status, actor=actor, now=self.now()
            )

    # -- audit -------------------------------------------------------------------------

    def audit(
        self,
        workspace_id: str,
        action: str,
        *,
        actor: str = "system",
        subject: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an audit entry (secret-looking detail values are redacted)."""
        with self._write() as s:
            return _audit.audit(
                s,
                workspace_id,
                action,
                actor=actor,
                subject=subject,
                details=details,
                now=self.now(),
            )

    def list_audit(
        self,
        workspace_id: str,
        *,
        action: str | None = None,
        subject: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries newest first."""
        with self._read() as s:
            return _audit.list_audit(
                s, workspace_id, action=action, subject=subject, since=since, limit=limit
            )
