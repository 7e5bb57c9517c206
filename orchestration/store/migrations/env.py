"""Alembic environment of the store, configured from code (no alembic.ini).

Contract: `orchestration.store.upgrade_database` passes an open connection in
``config.attributes["connection"]`` and the migrations run on it, inside its
transaction. Without one (e.g. the ``alembic`` command with ``-x url=...`` or a
``sqlalchemy.url`` option), an engine is made from that URL, else from
``MEDIAPLAN_DATABASE_URL`` / the default SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from orchestration.store._engine import create_store_engine
from orchestration.store._models import Base
from orchestration.store._settings import database_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or database_url()
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_store_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
