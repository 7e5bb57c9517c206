"""The audit log: who did what to which subject in a workspace, append-only.

Contract: `audit` appends an entry and returns it; values under keys that look secret
(``token``, ``secret``, ``password``, ``authorization``, ``api_key``, ``credential``,
``cookie``, any case, at any depth of `details`) are replaced by ``"***"`` before anything
is written, so a careless caller cannot put a token in the log. `list_audit` returns a
workspace's entries newest first (ties broken by insertion order), optionally only one
action or subject, only entries at or after `since`, at most `limit`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orchestration.store._errors import InvalidRecord
from orchestration.store._json import json_document
from orchestration.store._models import AuditRow
from orchestration.store._records import AuditEntry
from orchestration.store._workspaces import check_id, require_workspace

__all__ = ["REDACTED", "audit", "list_audit", "redact"]

REDACTED = "***"
_SECRET_KEY = re.compile(r"token|secret|passw|authoriz|api[_-]?key|credential|cookie", re.I)


def redact(value: Any) -> Any:
    """`value` with every secret-looking key's value replaced by `REDACTED`."""
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        workspace_id=row.workspace_id,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        details=dict(row.details),
        at=row.at,
    )


def audit(
    session: Session,
    workspace_id: str,
    action: str,
    *,
    actor: str,
    subject: str | None,
    details: Mapping[str, Any] | None,
    now: dt.datetime,
) -> AuditEntry:
    require_workspace(session, workspace_id)
    clean = json_document(redact(dict(details or {})), f"audit details for {action!r}")
    row = AuditRow(
        workspace_id=workspace_id,
        actor=check_id(actor, "actor", 200),
        action=check_id(action, "action", 100),
        subject=None if subject is None else check_id(subject, "subject", 500),
        details=clean,
        at=now,
    )
    session.add(row)
    session.flush()
    return _entry(row)


def list_audit(
    session: Session,
    workspace_id: str,
    *,
    action: str | None = None,
    subject: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    check_id(workspace_id, "workspace_id")
    if limit < 1:
        raise InvalidRecord(f"limit must be at least 1, got {limit}")
    stmt = select(AuditRow).where(AuditRow.workspace_id == workspace_id)
    if action is not None:
        stmt = stmt.where(AuditRow.action == action)
    if subject is not None:
        stmt = stmt.where(AuditRow.subject == subject)
    if since is not None:
        stmt = stmt.where(AuditRow.at >= since)
    stmt = stmt.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    return [_entry(row) for row in session.scalars(stmt)]
