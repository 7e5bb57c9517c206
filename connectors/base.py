"""The interface every platform connector implements.

Contract: all methods are async (sync SDKs run in threads via `asyncio.to_thread`) and
every network call has a timeout. They return `connectors.records` types and raise only
`connectors.errors.ConnectorError` subclasses for platform problems.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from connectors.records import ChangePage, DailyPerformanceRow, Platform, Resource, WatchChannel

__all__ = ["Connector"]


@runtime_checkable
class Connector(Protocol):
    platform: Platform

    async def discover_resources(self) -> list[Resource]:
        """Everything this connection can see that mediaplan can use."""
        ...

    async def read_resource(self, resource_id: str) -> dict[str, object]:
        """The full current content of one resource, as plain JSON."""
        ...

    async def list_changes(self, cursor: str | None) -> ChangePage:
        """Changes since `cursor` (None: start now and return the first cursor)."""
        ...

    async def start_watch(self, resource_id: str, address: str, token: str) -> WatchChannel | None:
        """Subscribe `address` to push notifications; None when the platform has no push."""
        ...

    async def renew_watch(self, channel: WatchChannel) -> WatchChannel | None: ...

    async def stop_watch(self, channel: WatchChannel) -> None: ...

    async def read_daily_performance(
        self, account_id: str, start: date, end: date
    ) -> list[DailyPerformanceRow]:
        """Daily rows per campaign for [start, end]; empty for platforms without spend."""
        ...
