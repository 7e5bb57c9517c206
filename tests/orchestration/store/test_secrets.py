"""Tokens: AES-GCM at rest, round trip, no plaintext in the database or the logs."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from connectors.records import OAuthTokens, Resource
from orchestration.store import (
    IntegrationNotFound,
    InvalidRecord,
    SecretKeyError,
    Store,
    TokenCipher,
    TokenDecryptionError,
    secret_key,
)
from orchestration.store._models import Base, IntegrationRow
from tests.orchestration.store.conftest import KEY, Backend, FakeClock

ACCESS = "ya29.ACCESS-TOKEN-do-not-leak"
REFRESH = "1//REFRESH-TOKEN-do-not-leak"
TOKENS = OAuthTokens(
    access_token=ACCESS,
    refresh_token=REFRESH,
    expires_at=dt.datetime(2027, 1, 1, 10, 0, tzinfo=dt.UTC),
    scope=["https://www.googleapis.com/auth/adwords"],
)
RESOURCE = Resource(platform="google_ads", id="1234567890", name="Acme", type="customer")


def _dump_database(store: Store) -> str:
    """Every value of every table, as text (bytes decoded leniently)."""
    parts = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    parts.append(str(value))
    return "\n".join(parts)


def test_round_trip_and_metadata(store: Store) -> None:
    store.ensure_workspace("ws")
    saved = store.save_integration("ws", "google_ads", TOKENS, resources=[RESOURCE])
    assert saved.status == "active"
    assert saved.scopes == TOKENS.scope and saved.resources == [RESOURCE]
    assert saved.expires_at == TOKENS.expires_at
    assert saved.key_id == TokenCipher(KEY).key_id
    assert store.get_tokens("ws", "google_ads") == TOKENS
    assert store.get_integration("ws", "google_ads") == saved
    assert ACCESS not in repr(saved) and ACCESS not in repr(store.list_integrations("ws"))

    rotated = OAuthTokens(access_token="new-access", refresh_token=REFRESH)
    store.save_integration("ws", "google_ads", rotated, status="active")
    assert store.get_tokens("ws", "google_ads") == rotated
    assert store.get_integration("ws", "google_ads").expires_at is None
    assert [i.platform for i in store.list_integrations("ws")] == ["google_ads"]


def test_no_plaintext_in_the_database_or_logs(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)  # SQL and parameters
    try:
        store.ensure_workspace("ws")
        store.save_integration("ws", "meta", TOKENS)
        assert store.get_tokens("ws", "meta").access_token == ACCESS
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    dump = _dump_database(store)
    for secret in (ACCESS, REFRESH, "ACCESS-TOKEN", "do-not-leak"):
        assert secret not in dump
        assert secret not in caplog.text
    assert "INSERT INTO integrations" in caplog.text or "integrations" in caplog.text
    with store.engine.connect() as conn:
        blob = conn.execute(select(IntegrationRow.token_ciphertext)).scalar_one()
    assert ACCESS.encode() not in bytes(blob)


def test_fresh_nonce_per_write(store: Store) -> None:
    store.ensure_workspace("ws")
    blobs = []
    for _ in range(2):
        store.save_integration("ws", "meta", TOKENS)
        with store.engine.connect() as conn:
            blobs.append(bytes(conn.execute(select(IntegrationRow.token_ciphertext)).scalar_one()))
    assert blobs[0] != blobs[1]


def test_wrong_key_fails_loudly(store: Store, backend: Backend, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    store.save_integration("ws", "meta", TOKENS)
    with Store(backend.url, clock=clock, secret_key=os.urandom(32)) as other:
        assert other.get_integration("ws", "meta").status == "active"  # metadata is readable
        with pytest.raises(TokenDecryptionError) as err:
            other.get_tokens("ws", "meta")
    message = str(err.value)
    assert "integration 'meta' in workspace 'ws'" in message and "MEDIAPLAN_SECRET_KEY" in message
    assert ACCESS not in message and base64.b64encode(KEY).decode() not in message


def test_tampered_or_moved_ciphertext_is_rejected(store: Store) -> None:
    store.ensure_workspace("ws")
    store.ensure_workspace("other")
    store.save_integration("ws", "meta", TOKENS)
    store.save_integration("other", "meta", OAuthTokens(access_token="other-token"))
    with store.engine.begin() as conn:
        blob = conn.execute(
            select(IntegrationRow.token_ciphertext).where(IntegrationRow.workspace_id == "ws")
        ).scalar_one()
        conn.execute(  # an attacker with write access copies ws's ciphertext into "other"
            update(IntegrationRow)
            .where(IntegrationRow.workspace_id == "other")
            .values(token_ciphertext=blob)
        )
    with pytest.raises(TokenDecryptionError, match="failed authentication"):
        store.get_tokens("other", "meta")
    with store.engine.begin() as conn:
        flipped = bytes(blob[:-1]) + bytes([blob[-1] ^ 1])
        conn.execute(
            update(IntegrationRow)
            .where(IntegrationRow.workspace_id == "ws")
            .values(token_ciphertext=flipped)
        )
    with pytest.raises(TokenDecryptionError):
        store.get_tokens("ws", "meta")


def test_status_changes_are_audited(store: Store, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    store.save_integration("ws", "meta", TOKENS, actor="user:ann")
    clock.advance(minutes=1)
    changed = store.set_integration_status("ws", "meta", "revoked", actor="user:bob")
    assert changed.status == "revoked" and changed.updated_at == clock.now
    store.set_integration_status("ws", "meta", "revoked")  # no change, no entry
    entries = store.list_audit("ws")
    assert [(e.action, e.actor) for e in entries] == [
        ("integration.status", "user:bob"),
        ("integration.saved", "user:ann"),
    ]
    assert entries[0].details == {"from": "active", "to": "revoked"}
    assert ACCESS not in str(entries)


def test_lookup_errors(store: Store) -> None:
    store.ensure_workspace("ws")
    with pytest.raises(IntegrationNotFound, match="integration 'meta' not found in workspace"):
        store.get_tokens("ws", "meta")
    with pytest.raises(IntegrationNotFound):
        store.set_integration_status("ws", "meta", "error")
    with pytest.raises(InvalidRecord, match="platform must be one of"):
        store.save_integration("ws", "tiktok", TOKENS)


def test_dev_key_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = {"MEDIAPLAN_DATA_DIR": str(tmp_path / "data")}
    with caplog.at_level(logging.WARNING):
        key = secret_key(env)
    path = tmp_path / "data" / "secret.key"
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "MEDIAPLAN_SECRET_KEY is not set" in caplog.text
    assert base64.b64encode(key).decode() not in caplog.text
    assert secret_key(env) == key  # reused, not regenerated
    path.chmod(0o644)
    with pytest.raises(SecretKeyError, match="readable by others"):
        secret_key(env)


def test_configured_key(tmp_path: Path) -> None:
    env = {"MEDIAPLAN_DATA_DIR": str(tmp_path), "MEDIAPLAN_SECRET_KEY": ""}
    raw = os.urandom(32)
    assert secret_key({**env, "MEDIAPLAN_SECRET_KEY": base64.b64encode(raw).decode()}) == raw
    urlsafe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert secret_key({**env, "MEDIAPLAN_SECRET_KEY": urlsafe}) == raw
    with pytest.raises(SecretKeyError, match="must decode to 32 bytes"):
        secret_key({**env, "MEDIAPLAN_SECRET_KEY": base64.b64encode(b"short").decode()})
    with pytest.raises(SecretKeyError, match="not valid base64"):
        secret_key({**env, "MEDIAPLAN_SECRET_KEY": "not base64 at all!"})
    assert not (tmp_path / "secret.key").exists()


def test_store_reads_the_key_from_env_lazily(backend: Backend, tmp_path: Path) -> None:
    env = {"MEDIAPLAN_DATA_DIR": str(tmp_path), "MEDIAPLAN_SECRET_KEY": "bad"}
    with Store(backend.url, env=env) as store:
        store.list_integrations("nobody")  # no key needed, none read
        with pytest.raises(SecretKeyError, match="MEDIAPLAN_SECRET_KEY"):
            store.get_tokens("nobody", "meta")


def test_raw_sql_cannot_see_tokens(store: Store) -> None:
    store.ensure_workspace("ws")
    store.save_integration("ws", "meta", TOKENS)
    with store.engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM integrations")).keys()
    assert "token_ciphertext" in columns and "access_token" not in columns
