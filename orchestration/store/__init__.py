"""The orchestration store: campaigns, performance, KPI, market overrides, integrations,
the plan cache and the audit log, in SQLite or PostgreSQL (SQLAlchemy 2 + Alembic).

Contract: `Store` (and its asyncio twin `AsyncStore`) is the only way the orchestration
layer touches the database; every method is scoped by ``workspace_id``. OAuth tokens are
stored only as AES-256-GCM ciphertext. `upgrade_database(url)` applies the packaged
migrations. Configuration (``MEDIAPLAN_DATABASE_URL``, ``MEDIAPLAN_DATA_DIR``,
``MEDIAPLAN_SECRET_KEY``) and the tables are described in README.md beside this file.
"""

from orchestration.store._async import AsyncStore
from orchestration.store._campaigns import UpsertOutcome
from orchestration.store._crypto import TokenCipher
from orchestration.store._engine import create_store_engine, safe_url
from orchestration.store._errors import (
    CampaignNotFound,
    CurrencyMismatch,
    IntegrationNotFound,
    InvalidRecord,
    SecretKeyError,
    StoreError,
    TokenDecryptionError,
    WorkspaceNotFound,
)
from orchestration.store._migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_database,
)
from orchestration.store._models import Base
from orchestration.store._plan_cache import plan_cache_key
from orchestration.store._planning import DEFAULT_HISTORY_DAYS
from orchestration.store._records import (
    AuditEntry,
    CachedPlan,
    Integration,
    MarketOverridesVersion,
    UpsertCounts,
    Workspace,
)
from orchestration.store._settings import data_dir, database_url, secret_key
from orchestration.store._store import Clock, Store, utc_now

__all__ = [
    "DEFAULT_HISTORY_DAYS",
    "AsyncStore",
    "AuditEntry",
    "Base",
    "CachedPlan",
    "CampaignNotFound",
    "Clock",
    "CurrencyMismatch",
    "Integration",
    "IntegrationNotFound",
    "InvalidRecord",
    "MarketOverridesVersion",
    "SecretKeyError",
    "Store",
    "StoreError",
    "TokenCipher",
    "TokenDecryptionError",
    "UpsertCounts",
    "UpsertOutcome",
    "Workspace",
    "WorkspaceNotFound",
    "alembic_config",
    "create_store_engine",
    "current_revision",
    "data_dir",
    "database_url",
    "head_revision",
    "plan_cache_key",
    "safe_url",
    "secret_key",
    "upgrade_database",
    "utc_now",
]
