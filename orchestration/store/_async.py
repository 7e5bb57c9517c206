"""`AsyncStore`: the `Store` for asyncio code (Temporal activities, the HTTP API).

Contract: every public `Store` method is available under the same name and signature
as a coroutine that runs the blocking call in a worker thread (`asyncio.to_thread`), so
the event loop never waits on the database. `AsyncStore(store)` wraps an existing store
(`.sync` returns it); `aclose()` disposes its engine.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from orchestration.store._store import Store

__all__ = ["AsyncStore"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _offload(
    method: Callable[Concatenate[Store, _P], _R],
) -> Callable[Concatenate[AsyncStore, _P], Coroutine[Any, Any, _R]]:
    @functools.wraps(method)
    async def run(self: AsyncStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return await asyncio.to_thread(method, self.sync, *args, **kwargs)

    return run


class AsyncStore:
    """`Store` methods as coroutines (see module doc)."""

    def __init__(self, store: Store) -> None:
        self.sync = store

    def __repr__(self) -> str:
        return f"AsyncStore({self.sync!r})"

    async def aclose(self) -> None:
        await asyncio.to_thread(self.sync.close)

    upgrade = _offload(Store.upgrade)
    ensure_workspace = _offload(Store.ensure_workspace)
    upsert_campaign = _offload(Store.upsert_campaign)
    get_campaign = _offload(Store.get_campaign)
    list_campaigns = _offload(Store.list_campaigns)
    upsert_performance = _offload(Store.upsert_performance)
    performance_range = _offload(Store.performance_range)
    upsert_kpi = _offload(Store.upsert_kpi)
    kpi_range = _offload(Store.kpi_range)
    planning_input = _offload(Store.planning_input)
    data_version = _offload(Store.data_version)
    plan_cache_key = _offload(Store.plan_cache_key)
    cache_plan = _offload(Store.cache_plan)
    get_cached_plan = _offload(Store.get_cached_plan)
    purge_expired_plans = _offload(Store.purge_expired_plans)
    save_market_overrides = _offload(Store.save_market_overrides)
    get_market_overrides = _offload(Store.get_market_overrides)
    save_integration = _offload(Store.save_integration)
    get_integration = _offload(Store.get_integration)
    list_integrations = _offload(Store.list_integrations)
    get_tokens = _offload(Store.get_tokens)
    set_integration_status = _offload(Store.set_integration_status)
    audit = _offload(Store.audit)
    list_audit = _offload(Store.list_audit)
