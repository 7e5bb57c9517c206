"""Batched, dialect-aware upserts: ``INSERT ... ON CONFLICT`` on SQLite and PostgreSQL.

Contract: `upsert(session, table, rows, key=..., compare=...)` writes `rows` (dicts with
every column, all with the same keys) so that afterwards exactly one row exists per `key`
tuple holding the given values, and returns exact `UpsertCounts`. Per batch it issues
``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key`` (what comes back was inserted),
then, for the rest, ``INSERT ... ON CONFLICT (key) DO UPDATE SET <compare + touch> WHERE
<some compare column IS DISTINCT FROM the new value> RETURNING key`` (what comes back was
updated; the remainder was already identical and is left untouched, so its `touch`
columns such as ``updated_at`` keep their value). Both run in the caller's transaction.
`key` must be the table's primary key or a unique constraint. Rows repeating a key
within one call: the last one wins. On PostgreSQL, tables without JSON columns send each
batch as one array per column (``INSERT ... SELECT * FROM unnest(...)``): a short
statement whatever the batch size, which psycopg parses once instead of per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Dialect, Executable, Table, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.type_api import TypeEngine

from orchestration.store._errors import StoreError
from orchestration.store._records import UpsertCounts

__all__ = ["DEFAULT_BATCH", "upsert"]

DEFAULT_BATCH = 500


_Insert = postgresql.Insert | sqlite.Insert


def _insert(session: Session, table: Table) -> _Insert:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"upsert is not implemented for the {name!r} dialect")


def _has_json(table: Table, dialect: Dialect) -> bool:
    def is_json(t: TypeEngine[Any]) -> bool:
        return isinstance(t, JSON) or isinstance(t.dialect_impl(dialect), JSON)

    return any(is_json(c.type) for c in table.columns)


def _execute(
    session: Session,
    table: Table,
    rows: list[Mapping[str, Any]],
    finish: Callable[[_Insert], Executable],
) -> list[tuple[Any, ...]]:
    """Run ``finish(INSERT INTO table ...)`` (it adds ON CONFLICT and RETURNING) for `rows`."""
    stmt = _insert(session, table)
    if not isinstance(stmt, postgresql.Insert) or _has_json(table, session.get_bind().dialect):
        return [tuple(r) for r in session.execute(finish(stmt), rows)]
    columns = list(rows[0])
    arrays = [
        bindparam(f"u_{i}", [row[c] for row in rows], type_=postgresql.ARRAY(table.c[c].type))
        for i, c in enumerate(columns)
    ]
    source = func.unnest(*arrays).table_valued(*columns).render_derived()
    values = select(*(source.c[c] for c in columns))
    return [tuple(r) for r in session.execute(finish(stmt.from_select(columns, values)))]


def upsert(
    session: Session,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Sequence[str],
    compare: Sequence[str],
    touch: Sequence[str] = (),
    batch_size: int = DEFAULT_BATCH,
) -> UpsertCounts:
    """Insert new rows, update changed ones, skip identical ones (see module doc)."""
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique[tuple(row[k] for k in key)] = row
    values = list(unique.values())
    counts = UpsertCounts()
    for start in range(0, len(values), batch_size):
        counts += _upsert_batch(
            session, table, values[start : start + batch_size], key, compare, touch
        )
    return counts


def _upsert_batch(
    session: Session,
    table: Table,
    batch: list[Mapping[str, Any]],
    key: Sequence[str],
    compare: Sequence[str],
    touch: Sequence[str],
) -> UpsertCounts:
    key_cols = [table.c[k] for k in key]

    def insert_new(stmt: _Insert) -> Executable:
        return stmt.on_conflict_do_nothing(index_elements=key_cols).returning(*key_cols)

    inserted = set(_execute(session, table, batch, insert_new))
    rest = [row for row in batch if tuple(row[k] for k in key) not in inserted]
    if not rest or not compare:
        return UpsertCounts(inserted=len(inserted), unchanged=len(rest))

    def update_changed(stmt: _Insert) -> Executable:
        changed = or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in compare))
        return stmt.on_conflict_do_update(
            index_elements=key_cols,
            set_={c: stmt.excluded[c] for c in (*compare, *touch)},
            where=changed,
        ).returning(*key_cols)

    updated = len(_execute(session, table, rest, update_changed))
    return UpsertCounts(inserted=len(inserted), updated=updated, unchanged=len(rest) - updated)
