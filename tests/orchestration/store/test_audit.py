"""The audit log: append-only, newest first, filtered, secrets redacted."""

from __future__ import annotations

import pytest

from orchestration.store import InvalidRecord, Store
from tests.orchestration.store.conftest import FakeClock


def test_append_and_list(store: Store, clock: FakeClock) -> None:
    store.ensure_workspace("ws")
    first = store.audit("ws", "plan.requested", actor="user:ann", subject="c1", details={"n": 1})
    clock.advance(minutes=1)
    store.audit("ws", "plan.completed", subject="c1", details={"spend": 9000.0})
    store.audit("ws", "sync.completed", subject="meta")  # same instant: insertion order
    entries = store.list_audit("ws")
    assert [e.action for e in entries] == ["sync.completed", "plan.completed", "plan.requested"]
    assert entries[-1] == first and first.actor == "user:ann" and first.at < entries[0].at
    assert entries[1].actor == "system" and entries[1].details == {"spend": 9000.0}
    assert [e.action for e in store.list_audit("ws", subject="c1")] == [
        "plan.completed",
        "plan.requested",
    ]
    assert [e.action for e in store.list_audit("ws", action="plan.requested")] == ["plan.requested"]
    assert len(store.list_audit("ws", since=clock.now)) == 2
    assert len(store.list_audit("ws", limit=1)) == 1
    with pytest.raises(InvalidRecord, match="limit"):
        store.list_audit("ws", limit=0)


def test_secret_looking_details_are_redacted(store: Store) -> None:
    store.ensure_workspace("ws")
    entry = store.audit(
        "ws",
        "integration.debug",
        details={
            "access_token": "AAA",
            "nested": {"Refresh-Token": "BBB", "client_secret": "CCC", "ok": [{"password": "D"}]},
            "Authorization": "Bearer EEE",
            "api_key": "FFF",
            "platform": "meta",
        },
    )
    stored = store.list_audit("ws")[0]
    assert stored == entry
    assert stored.details == {
        "access_token": "***",
        "nested": {"Refresh-Token": "***", "client_secret": "***", "ok": [{"password": "***"}]},
        "Authorization": "***",
        "api_key": "***",
        "platform": "meta",
    }


def test_details_must_be_json(store: Store) -> None:
    store.ensure_workspace("ws")
    with pytest.raises(InvalidRecord, match="not JSON"):
        store.audit("ws", "x", details={"n": float("nan")})
