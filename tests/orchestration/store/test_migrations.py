"""Migrations: apply from empty, are idempotent, round-trip, and match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from orchestration.store import (
    Base,
    alembic_config,
    create_store_engine,
    current_revision,
    head_revision,
    upgrade_database,
)

TABLES = {
    "workspaces",
    "campaigns",
    "daily_performance",
    "kpi_daily",
    "market_benchmarks",
    "integrations",
    "plans",
    "audit_log",
}


def test_upgrade_from_empty_is_idempotent(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    upgrade_database(empty_url)
    assert current_revision(empty_url) == head_revision()
    upgrade_database(empty_url)  # a second run finds nothing to do
    assert current_revision(empty_url) == head_revision()
    engine = create_store_engine(empty_url)
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert names == TABLES | {"alembic_version"}


def test_schema_matches_models(empty_url: str) -> None:
    upgrade_database(empty_url)
    engine = create_store_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "target_metadata": Base.metadata}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(empty_url: str) -> None:
    engine = create_store_engine(empty_url)
    try:
        upgrade_database(engine)
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(engine) is None
        upgrade_database(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    import orchestration.store.migrations as migrations

    cfg = alembic_config()
    location = cfg.get_main_option("script_location")
    assert location is not None
    assert migrations.__file__ is not None
    assert location.startswith(migrations.__file__.rsplit("/", 1)[0])
