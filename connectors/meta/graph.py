"""Runs facebook-business calls off the event loop, with timeouts, retries and typed errors.

Contract: `GraphCaller` owns one `FacebookSession` (its `GRAPH` pointed at the configured
host) and one `FacebookAdsApi(session, api_version=...)`; `FacebookAdsApi.init` and its
crash reporter are never used. `call(fn)` runs the blocking SDK call `fn` in a thread
(`asyncio.to_thread`); every HTTP request has the session timeout and the whole call a
backstop timeout. Failures become `connectors.errors` types (see `graph_errors`):
`TransientError`s (5xx, Graph codes 1/2, timeouts, connection errors) are retried up to
`max_retries` times with exponential back-off, everything else is raised at once. A 2xx
answer that is not JSON, or an SDK parse failure, raises `MalformedResponseError`.
`pages(first)` drains an SDK `Cursor` page by page, retrying a failed page (the cursor
keeps its position). `last_usage` is the usage of the latest response that reported any.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookError, FacebookRequestError
from facebook_business.session import FacebookSession

from connectors.errors import ConnectorError, MalformedResponseError, TransientError
from connectors.meta.graph_errors import error_from_graph, redact
from connectors.meta.usage import MetaUsage, parse_usage_headers

__all__ = ["GraphCaller"]

T = TypeVar("T")
PLATFORM = "meta"


class _BadResponse(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status


class GraphCaller:
    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str | None,
        access_token: str,
        graph_url: str,
        api_version: str,
        timeout_s: float,
        max_retries: int,
        backoff_base_s: float,
        backoff_max_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session: Any = FacebookSession(app_id, app_secret, access_token, timeout=timeout_s)
        self._session.GRAPH = graph_url.rstrip("/")
        self._session.requests.hooks["response"].append(self._inspect)
        self.api: Any = FacebookAdsApi(self._session, api_version=api_version)
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._sleep = sleep
        self.last_usage: MetaUsage | None = None

    def close(self) -> None:
        self._session.requests.close()

    def _inspect(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        """requests response hook: record usage, reject bodies the SDK would misread."""
        usage = parse_usage_headers(dict(response.headers))
        if usage is not None:
            self.last_usage = usage
        status = int(response.status_code)
        try:
            json.loads(response.text)
        except ValueError:
            kind = str(response.headers.get("content-type", "?"))
            raise _BadResponse(status, f"body is not JSON ({kind})") from None
        return response

    def _to_error(self, exc: BaseException, what: str) -> ConnectorError:
        if isinstance(exc, FacebookRequestError):
            body = exc.body()
            error = body.get("error") if isinstance(body, dict) else None
            headers = {str(k): str(v) for k, v in dict(exc.http_headers() or {}).items()}
            return error_from_graph(
                error if isinstance(error, dict) else None,
                http_status=exc.http_status(),
                headers=headers,
            )
        if isinstance(exc, _BadResponse):
            if exc.status >= 500 or exc.status == 429:
                return TransientError(f"{what}: {exc}", platform=PLATFORM)
            return MalformedResponseError(f"{what}: {exc}", platform=PLATFORM)
        if isinstance(exc, OSError | TimeoutError):
            # requests' Timeout / ConnectionError are OSErrors; their text has the URL.
            detail = redact(f"{type(exc).__name__}: {exc}")
            return TransientError(f"{what}: {detail}", platform=PLATFORM)
        return MalformedResponseError(
            f"{what}: unexpected response shape ({type(exc).__name__}: {redact(str(exc))})",
            platform=PLATFORM,
        )

    async def call(self, fn: Callable[[], T], what: str) -> T:
        """`fn()` in a thread, retried on transient failures; typed errors only."""
        attempt = 0
        while True:
            try:
                return await asyncio.wait_for(
                    asyncio.to_thread(fn), timeout=self._timeout_s * 2 + 5
                )
            except (
                FacebookError,
                _BadResponse,
                OSError,
                TimeoutError,
                TypeError,
                KeyError,
                AttributeError,
                ValueError,
            ) as exc:
                error = self._to_error(exc, what)
                if not isinstance(error, TransientError) or attempt >= self._max_retries:
                    # Transport errors quote the URL (and its access token): don't chain them.
                    raise error from (None if isinstance(exc, OSError) else exc)
            delay = min(self._backoff_max_s, self._backoff_base_s * 2**attempt)
            attempt += 1
            await self._sleep(delay)

    async def pages(self, first: Callable[[], Any], what: str) -> list[dict[str, Any]]:
        """Every object of the cursor `first()` returns, as plain dicts."""
        cursor = await self.call(first, what)
        items: list[dict[str, Any]] = []
        while True:
            for index in range(len(cursor)):
                items.append(_export(cursor[index], what))
            if not await self.call(cursor.load_next_page, what):
                return items


def _export(obj: Any, what: str) -> dict[str, Any]:
    data = obj.export_all_data() if hasattr(obj, "export_all_data") else obj
    if not isinstance(data, dict):
        raise MalformedResponseError(
            f"{what}: item is not an object: {data!r:.100}", platform=PLATFORM
        )
    return data
