"""Workspaces: the tenancy boundary every other table hangs from.

Contract: `check_id` rejects empty, over-long or padded identifiers with `InvalidRecord`
(so a missing workspace id can never widen a query). `ensure_workspace` creates the
workspace once (re-running it changes nothing; a different non-None `name` renames it).
`require_workspace` raises `WorkspaceNotFound` for an unknown workspace (writes call it
first, so the error names the workspace instead of a foreign-key violation);
`lock_workspace` does the same and, on PostgreSQL, also locks the workspace row until the
transaction ends, serializing writers that allocate per-workspace version numbers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestration.store._errors import InvalidRecord, WorkspaceNotFound
from orchestration.store._models import WorkspaceRow, table_of
from orchestration.store._records import Workspace
from orchestration.store._upsert import upsert

__all__ = ["check_id", "ensure_workspace", "lock_workspace", "require_workspace"]


def check_id(value: object, what: str, max_len: int = 64) -> str:
    """`value` if it is a usable identifier, else `InvalidRecord` naming `what`."""
    if not isinstance(value, str) or not value:
        raise InvalidRecord(f"{what} must be a non-empty string, got {value!r}")
    if value != value.strip():
        raise InvalidRecord(f"{what} {value!r} has leading or trailing whitespace")
    if len(value) > max_len:
        raise InvalidRecord(f"{what} {value[:20]!r}... is longer than {max_len} characters")
    return value


def ensure_workspace(
    session: Session, workspace_id: str, name: str | None, now: dt.datetime
) -> Workspace:
    check_id(workspace_id, "workspace_id")
    row = {"id": workspace_id, "name": name, "created_at": now}
    upsert(
        session,
        table_of(WorkspaceRow),
        [row],
        key=["id"],
        compare=["name"] if name is not None else [],
    )
    found = session.get(WorkspaceRow, workspace_id, populate_existing=True)
    assert found is not None
    return Workspace(id=found.id, name=found.name, created_at=found.created_at)


def lock_workspace(session: Session, workspace_id: str) -> None:
    check_id(workspace_id, "workspace_id")
    stmt = select(WorkspaceRow.id).where(WorkspaceRow.id == workspace_id).with_for_update()
    if session.execute(stmt).first() is None:
        raise WorkspaceNotFound(workspace_id)


def require_workspace(session: Session, workspace_id: str) -> None:
    check_id(workspace_id, "workspace_id")
    stmt = select(WorkspaceRow.id).where(WorkspaceRow.id == workspace_id)
    if session.execute(stmt).first() is None:
        raise WorkspaceNotFound(workspace_id)
