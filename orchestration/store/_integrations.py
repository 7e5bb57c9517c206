"""Platform integrations, with their OAuth tokens encrypted at rest (AES-256-GCM).

Contract: `save_integration` upserts the (workspace, platform) integration, encrypting
the `connectors.records.OAuthTokens` JSON with the store's `TokenCipher` bound to the
context ``"<workspace_id>/<platform>"`` (a ciphertext copied into another workspace's row
does not decrypt), and appends an ``integration.saved`` audit entry that names the
platform, status, scopes and key id, never a token. `get_integration` /
`list_integrations` return `Integration`s without tokens; `get_tokens` decrypts them and
raises `TokenDecryptionError` (naming the integration, never the key or token) when the
configured key is not the one they were written with. `set_integration_status` changes
the status and audits it. Unknown integrations raise `IntegrationNotFound`. Naive token
expiry times are taken as UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.records import OAuthTokens, Platform, Resource
from orchestration.store._audit import audit
from orchestration.store._crypto import TokenCipher
from orchestration.store._errors import IntegrationNotFound, InvalidRecord
from orchestration.store._json import json_document
from orchestration.store._models import IntegrationRow, table_of
from orchestration.store._records import Integration
from orchestration.store._upsert import upsert
from orchestration.store._workspaces import check_id, require_workspace

__all__ = [
    "get_integration",
    "get_tokens",
    "list_integrations",
    "save_integration",
    "set_integration_status",
]

PLATFORMS: tuple[str, ...] = get_args(Platform)
_I = IntegrationRow


def _context(workspace_id: str, platform: str) -> bytes:
    return f"{workspace_id}/{platform}".encode()


def _check_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise InvalidRecord(f"platform must be one of {', '.join(PLATFORMS)}; got {platform!r}")
    return platform


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _record(row: IntegrationRow) -> Integration:
    return Integration(
        workspace_id=row.workspace_id,
        platform=row.platform,
        status=row.status,
        scopes=list(row.scopes),
        expires_at=row.expires_at,
        resources=[Resource.model_validate(r) for r in row.resources],
        key_id=row.key_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _row(session: Session, workspace_id: str, platform: str) -> IntegrationRow:
    check_id(workspace_id, "workspace_id")
    row = session.get(_I, (workspace_id, _check_platform(platform)))
    if row is None:
        raise IntegrationNotFound(workspace_id, platform)
    return row


def save_integration(
    session: Session,
    cipher: TokenCipher,
    workspace_id: str,
    platform: str,
    tokens: OAuthTokens,
    *,
    status: str,
    scopes: Sequence[str] | None,
    resources: Iterable[Resource],
    actor: str,
    now: dt.datetime,
) -> Integration:
    require_workspace(session, workspace_id)
    _check_platform(platform)
    check_id(status, "status", 32)
    granted = list(tokens.scope if scopes is None else scopes)
    resource_docs = json_document(
        [r.model_dump(mode="json") for r in resources], f"integration {platform!r} resources"
    )
    ciphertext = cipher.encrypt(tokens.model_dump_json().encode(), _context(workspace_id, platform))
    values = {
        "workspace_id": workspace_id,
        "platform": platform,
        "status": status,
        "token_ciphertext": ciphertext,
        "key_id": cipher.key_id,
        "scopes": granted,
        "expires_at": _utc(tokens.expires_at),
        "resources": resource_docs,
        "created_at": now,
        "updated_at": now,
    }
    upsert(
        session,
        table_of(_I),
        [values],
        key=("workspace_id", "platform"),
        compare=("status", "token_ciphertext", "key_id", "scopes", "expires_at", "resources"),
        touch=("updated_at",),
    )
    audit(
        session,
        workspace_id,
        "integration.saved",
        actor=actor,
        subject=platform,
        details={
            "status": status,
            "scopes": granted,
            "resources": len(resource_docs),
            "key_id": cipher.key_id,
        },
        now=now,
    )
    row = session.get(_I, (workspace_id, platform), populate_existing=True)
    assert row is not None
    return _record(row)


def get_integration(session: Session, workspace_id: str, platform: str) -> Integration:
    return _record(_row(session, workspace_id, platform))


def list_integrations(session: Session, workspace_id: str) -> list[Integration]:
    check_id(workspace_id, "workspace_id")
    stmt = select(_I).where(_I.workspace_id == workspace_id).order_by(_I.platform)
    return [_record(row) for row in session.scalars(stmt)]


def get_tokens(
    session: Session, cipher: TokenCipher, workspace_id: str, platform: str
) -> OAuthTokens:
    row = _row(session, workspace_id, platform)
    what = f"integration {platform!r} in workspace {workspace_id!r}"
    plaintext = cipher.decrypt(row.token_ciphertext, _context(workspace_id, platform), what)
    return OAuthTokens.model_validate_json(plaintext)


def set_integration_status(
    session: Session,
    workspace_id: str,
    platform: str,
    status: str,
    *,
    actor: str,
    now: dt.datetime,
) -> Integration:
    row = _row(session, workspace_id, platform)
    check_id(status, "status", 32)
    previous = row.status
    if previous != status:
        row.status = status
        row.updated_at = now
        session.flush()
        audit(
            session,
            workspace_id,
            "integration.status",
            actor=actor,
            subject=platform,
            details={"from": previous, "to": status},
            now=now,
        )
    return _record(row)
