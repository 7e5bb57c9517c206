"""Alembic migrations of the store (run them with `orchestration.store.upgrade_database`)."""
