"""Single-use, expiring OAuth state tokens bound to who started the connection.

Contract: a `PendingAuthorization` binds a random ``state`` to (workspace_id, platform,
code_verifier, redirect_uri) until `expires_at`. A `StateStore` saves it and `take`s it
back **at most once**: `take` removes the entry atomically and returns None when the
state is unknown or already taken (a persistent store implements `take` as one
delete-returning statement). Expiry is checked by the caller against its clock;
`InMemoryStateStore` also drops expired entries when saving. The code verifier is a
secret: it is kept out of `repr`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["InMemoryStateStore", "PendingAuthorization", "StateStore", "utc_now"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PendingAuthorization:
    state: str
    workspace_id: str
    platform: str
    redirect_uri: str
    created_at: dt.datetime
    expires_at: dt.datetime
    code_verifier: str = field(repr=False)


class StateStore(Protocol):
    async def save(self, pending: PendingAuthorization) -> None: ...

    async def take(self, state: str) -> PendingAuthorization | None:
        """Remove and return the entry for `state`; None if unknown or already taken."""
        ...


class InMemoryStateStore:
    """A process-local `StateStore` (tests, the demo, a single API process)."""

    def __init__(self, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, PendingAuthorization] = {}

    async def save(self, pending: PendingAuthorization) -> None:
        now = self._clock()
        with self._lock:
            for state in [s for s, p in self._pending.items() if p.expires_at <= now]:
                del self._pending[state]
            if pending.state in self._pending:
                raise ValueError("state collision")
            self._pending[pending.state] = pending

    async def take(self, state: str) -> PendingAuthorization | None:
        with self._lock:
            return self._pending.pop(state, None)
