"""Initial schema: workspaces, campaigns, daily performance, KPI, market overrides,
integrations, the plan cache and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "campaigns",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("objective", sa.String(length=16), nullable=False),
        sa.Column("total_budget", sa.Double(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("channels", _json(), nullable=False),
        sa.Column("goal_kind", sa.String(length=16), nullable=False),
        sa.Column("goal_value", sa.Double(), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("source_id", sa.String(length=500), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _workspace_fk("campaigns"),
        sa.PrimaryKeyConstraint("workspace_id", "campaign_id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "daily_performance",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("campaign_name", sa.String(length=500), nullable=False),
        sa.Column("spend", sa.Double(), nullable=False),
        sa.Column("impressions", sa.Double(), nullable=False),
        sa.Column("clicks", sa.Double(), nullable=False),
        sa.Column("conversions", sa.Double(), nullable=False),
        sa.Column("revenue", sa.Double(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _workspace_fk("daily_performance"),
        sa.PrimaryKeyConstraint(
            "workspace_id",
            "date",
            "platform",
            "account_id",
            "campaign_id",
            "channel",
            name=op.f("pk_daily_performance"),
        ),
    )
    op.create_index(
        op.f("ix_daily_performance_workspace_id_channel_date"),
        "daily_performance",
        ["workspace_id", "channel", "date"],
    )
    op.create_table(
        "kpi_daily",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("revenue", sa.Double(), nullable=True),
        sa.Column("conversions", sa.Double(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        _workspace_fk("kpi_daily"),
        sa.PrimaryKeyConstraint("workspace_id", "date", name=op.f("pk_kpi_daily")),
    )
    op.create_table(
        "market_benchmarks",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("overrides", _json(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _workspace_fk("market_benchmarks"),
        sa.PrimaryKeyConstraint("workspace_id", "version", name=op.f("pk_market_benchmarks")),
    )
    op.create_table(
        "integrations",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("scopes", _json(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("resources", _json(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _workspace_fk("integrations"),
        sa.PrimaryKeyConstraint("workspace_id", "platform", name=op.f("pk_integrations")),
    )
    op.create_table(
        "plans",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("cache_key", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=255), nullable=False),
        sa.Column("plan", _json(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        _workspace_fk("plans"),
        sa.PrimaryKeyConstraint("workspace_id", "cache_key", name=op.f("pk_plans")),
    )
    op.create_index(
        op.f("ix_plans_workspace_id_campaign_id"), "plans", ["workspace_id", "campaign_id"]
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("details", _json(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        _workspace_fk("audit_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_workspace_id_at"), "audit_log", ["workspace_id", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_workspace_id_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_plans_workspace_id_campaign_id"), table_name="plans")
    op.drop_table("plans")
    op.drop_table("integrations")
    op.drop_table("market_benchmarks")
    op.drop_table("kpi_daily")
    op.drop_index(
        op.f("ix_daily_performance_workspace_id_channel_date"), table_name="daily_performance"
    )
    op.drop_table("daily_performance")
    op.drop_table("campaigns")
    op.drop_table("workspaces")
