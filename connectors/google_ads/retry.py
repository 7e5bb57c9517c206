"""Bounded retry with exponential back-off and jitter for retryable connector errors.

Contract: `retry_async(call, policy)` awaits `call()` up to `policy.attempts` times. Only
`ConnectorError`s with `retryable=True` are retried; anything else propagates at once.
The wait before retry n (1-based) is `min(max_delay_s, base_delay_s * multiplier**(n-1))`
scaled by a random factor in `[1 - jitter, 1 + jitter]`, and never shorter than the
error's `retry_after_s` (the platform's own hint). A hint longer than `max_wait_s` is not
waited out in-process: the error is raised at once so the orchestrator (a Temporal retry
policy) can schedule the retry. After the last attempt the last error is raised. `seed`
makes the jitter deterministic for tests; `sleep` is injectable.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from connectors.errors import ConnectorError

__all__ = ["RetryPolicy", "retry_async"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay_s: float = 1.0
    multiplier: float = 2.0
    max_delay_s: float = 30.0
    jitter: float = 0.2
    max_wait_s: float = 120.0
    """Longest platform-announced wait honoured in-process."""
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.base_delay_s < 0 or self.max_delay_s < 0 or self.multiplier < 1:
            raise ValueError("delays must be >= 0 and multiplier >= 1")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The jittered exponential wait before retry number `retry` (1-based)."""
        delay = min(self.max_delay_s, self.base_delay_s * self.multiplier ** (retry - 1))
        return delay * rng.uniform(1 - self.jitter, 1 + self.jitter)


async def retry_async(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    on_retry: Callable[[ConnectorError, float], None] | None = None,
) -> T:
    """`await call()`, retrying retryable `ConnectorError`s per `policy`."""
    rng = random.Random(policy.seed)
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except ConnectorError as error:
            hint = error.retry_after_s
            if not error.retryable or attempt == policy.attempts:
                raise
            if hint is not None and hint > policy.max_wait_s:
                raise
            delay = max(policy.backoff(attempt, rng), hint or 0.0)
            if on_retry is not None:
                on_retry(error, delay)
            await sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")
