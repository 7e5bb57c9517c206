"""The store's tables as typed SQLAlchemy 2 models.

Contract: `Base.metadata` is the schema the Alembic migrations build (a test checks that
autogenerate finds no difference on SQLite and PostgreSQL). Every table but
``workspaces`` has a ``workspace_id`` column leading its primary key (or, for the audit
log, its index) and referencing ``workspaces.id`` with ``ON DELETE CASCADE``. Upsert keys
are the primary keys:

=====================  ========================================================================
``campaigns``          (workspace_id, campaign_id)
``daily_performance``  (workspace_id, date, platform, account_id, campaign_id, channel)
``kpi_daily``          (workspace_id, date)
``market_benchmarks``  (workspace_id, version): append-only versions of the overrides
``integrations``       (workspace_id, platform)
``plans``              (workspace_id, cache_key)
``audit_log``          id (append-only)
=====================  ========================================================================

Timestamps are timezone-aware UTC in Python (`UTCDateTime`), whatever the database
stores; money is a double in the row's currency; JSON is JSONB on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditRow",
    "Base",
    "CampaignRow",
    "DailyPerformanceRecord",
    "IntegrationRow",
    "JSONDoc",
    "KpiDailyRow",
    "MarketBenchmarkRow",
    "PlanCacheRow",
    "UTCDateTime",
    "WorkspaceRow",
    "table_of",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC; naive values are refused, reads come back in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; give a tz")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


JSONDoc = JSON().with_variant(JSONB(), "postgresql")
"""JSON; JSONB on PostgreSQL (comparable, so upserts can skip unchanged rows)."""


def _workspace_fk() -> Mapped[str]:
    return mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WorkspaceRow(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CampaignRow(Base):
    """A campaign brief: what the planner wants funded (`connectors.records.CampaignBrief`)."""

    __tablename__ = "campaigns"

    workspace_id: Mapped[str] = _workspace_fk()
    campaign_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(500))
    objective: Mapped[str] = mapped_column(String(16))
    total_budget: Mapped[float] = mapped_column(Double)
    currency: Mapped[str] = mapped_column(String(8))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    channels: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    """Channel bounds: ``[{"channel", "min_spend", "max_spend", "fixed_spend"}, ...]``."""
    goal_kind: Mapped[str] = mapped_column(String(16))
    goal_value: Mapped[float | None] = mapped_column(Double)
    industry: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(500))
    """Where the brief came from, e.g. a Drive spreadsheet id."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DailyPerformanceRecord(Base):
    """One platform-reported day of one platform campaign in one channel."""

    __tablename__ = "daily_performance"

    workspace_id: Mapped[str] = _workspace_fk()
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(128), primary_key=True)
    campaign_name: Mapped[str] = mapped_column(String(500))
    spend: Mapped[float] = mapped_column(Double)
    impressions: Mapped[float] = mapped_column(Double)
    clicks: Mapped[float] = mapped_column(Double)
    conversions: Mapped[float] = mapped_column(Double)
    revenue: Mapped[float] = mapped_column(Double)
    currency: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "workspace_id", "channel", "date"),)


class KpiDailyRow(Base):
    """The business's own measured daily total."""

    __tablename__ = "kpi_daily"

    workspace_id: Mapped[str] = _workspace_fk()
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    revenue: Mapped[float | None] = mapped_column(Double)
    conversions: Mapped[float | None] = mapped_column(Double)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MarketBenchmarkRow(Base):
    """One version of a workspace's market overrides (`agents.market` schema)."""

    __tablename__ = "market_benchmarks"

    workspace_id: Mapped[str] = _workspace_fk()
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class IntegrationRow(Base):
    """A connected platform; the OAuth tokens are only ever stored encrypted."""

    __tablename__ = "integrations"

    workspace_id: Mapped[str] = _workspace_fk()
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    token_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[list[str]] = mapped_column(JSONDoc)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resources: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PlanCacheRow(Base):
    """A cached `DistributionPlan`, valid until `expires_at`."""

    __tablename__ = "plans"

    workspace_id: Mapped[str] = _workspace_fk()
    cache_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(255))
    plan: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "workspace_id", "campaign_id"),)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "workspace_id", "at"),)


def table_of(model: type[Base]) -> Table:
    """The `Table` behind a mapped class (typed, for Core statements)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
