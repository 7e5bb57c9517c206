"""Engines for the store's two supported databases, SQLite and PostgreSQL.

Contract: `create_store_engine(url)` returns an `Engine` for an ``sqlite`` or
``postgresql`` URL (anything else raises `StoreError`). For an SQLite file it creates the
parent directory, turns on foreign keys, WAL journaling and a busy timeout, and takes
over transaction control so every transaction really begins with ``BEGIN`` (pysqlite's
legacy mode would otherwise run reads outside it); a connection whose execution options
carry ``sqlite_begin="IMMEDIATE"`` begins with ``BEGIN IMMEDIATE`` (the store does this
for writes, so concurrent writers queue on the busy timeout instead of failing). For
PostgreSQL it pings pooled connections before use. Callers dispose the engine.
`WRITE_OPTIONS` are the execution options for write transactions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from orchestration.store._errors import StoreError

__all__ = ["SUPPORTED_DIALECTS", "WRITE_OPTIONS", "create_store_engine", "safe_url"]

SUPPORTED_DIALECTS = ("sqlite", "postgresql")
WRITE_OPTIONS: dict[str, Any] = {"sqlite_begin": "IMMEDIATE"}
_BUSY_TIMEOUT_MS = 15_000


def safe_url(url: str | URL) -> str:
    """The URL with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create_store_engine(url: str | URL, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_DIALECTS:
        raise StoreError(
            f"unsupported database {safe_url(parsed)!r}: use sqlite:///path or "
            "postgresql+psycopg://user@host:port/db"
        )
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")
