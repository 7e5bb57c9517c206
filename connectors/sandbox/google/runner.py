"""Run the Google sandbox on its own event loop in a thread, for synchronous code and tests.

Contract: `GoogleSandboxThread(data)` is a context manager; entering starts a daemon
thread with its own event loop, starts a `GoogleSandbox` there and returns when it
listens; leaving stops the sandbox, the loop and the thread. `call(fn)` runs
``fn(sandbox)`` (a coroutine function) on the sandbox loop and returns its result, so
every mutation pushes its notifications exactly as in async code; `faults` (a
thread-safe `FaultPlan`), `base_url` and `endpoints` are usable from any thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

from connectors.sandbox.data import SandboxData
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.google.context import GoogleSandboxConfig
from connectors.sandbox.google.push import PushDelivery
from connectors.sandbox.google.server import GoogleSandbox

__all__ = ["GoogleSandboxThread"]

T = TypeVar("T")


class GoogleSandboxThread:
    def __init__(
        self,
        data: SandboxData,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: GoogleSandboxConfig | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.sandbox = GoogleSandbox(data, host=host, port=port, config=config)
        self._timeout = timeout_s
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="google-sandbox", daemon=True
        )

    def __enter__(self) -> GoogleSandboxThread:
        self._thread.start()
        try:
            self.call(lambda s: s.start())
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.call(lambda s: s.stop())
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self._timeout)
        self._loop.close()

    def call(self, fn: Callable[[GoogleSandbox], Awaitable[T]]) -> T:
        async def run() -> T:
            return await fn(self.sandbox)

        future: Future[T] = asyncio.run_coroutine_threadsafe(run(), self._loop)
        return future.result(self._timeout)

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def endpoints(self) -> dict[str, str]:
        return self.sandbox.endpoints

    @property
    def faults(self) -> FaultPlan:
        return self.sandbox.faults

    def edit_cell(self, file_id: str, sheet: str, cell: str, value: Any) -> list[PushDelivery]:
        return self.call(lambda s: s.edit_cell(file_id, sheet, cell, value))

    def trash_file(self, file_id: str, trashed: bool = True) -> list[PushDelivery]:
        return self.call(lambda s: s.trash_file(file_id, trashed))

    def issue_tokens(self, scopes: list[str], *, offline: bool = True) -> dict[str, Any]:
        async def issue(s: GoogleSandbox) -> dict[str, Any]:
            return s.issue_tokens(scopes, offline=offline)

        return self.call(issue)
