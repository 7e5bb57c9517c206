"""Running the store's Alembic migrations from code.

Contract: `upgrade_database(url_or_engine, revision="head")` brings the database to
`revision` and is idempotent (an up-to-date database is left alone). It runs in one
transaction; on PostgreSQL it first takes a transaction-level advisory lock and on
SQLite an immediate write lock, so concurrent starters (worker, API, CLI) upgrade once.
`current_revision` reads the applied revision (None on an empty database). The scripts
live in ``orchestration/store/migrations`` as package modules, so an installed package
runs them with no ``alembic.ini``. Developers add a revision with
``alembic.command.revision(alembic_config(url), "message", autogenerate=True)`` against a
database at head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from orchestration.store._engine import WRITE_OPTIONS, create_store_engine

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_database",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK_ID = 0x6D65_6469_6170  # "mediap"


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic `Config` pointing at the packaged scripts (and `url`, when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the store has no migrations"
    return head


def upgrade_database(target: str | URL | Engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (see module doc)."""
    engine = target if isinstance(target, Engine) else create_store_engine(target)
    try:
        with engine.execution_options(**WRITE_OPTIONS).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if engine is not target:
            engine.dispose()


def current_revision(target: str | URL | Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = target if isinstance(target, Engine) else create_store_engine(target)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if engine is not target:
            engine.dispose()
