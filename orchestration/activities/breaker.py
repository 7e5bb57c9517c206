"""A circuit breaker around the agents, shared by the analyses of one worker process.

Contract: ``closed`` lets every call through and counts consecutive failures; at
`failure_threshold` it opens. ``open`` refuses calls (`allow()` is False) for
`reset_after_s`, then lets exactly one trial call through (``half_open``): its success
closes the breaker, its failure opens it again. Thread-safe; time comes from `clock`
(monotonic seconds, injectable for tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

__all__ = ["BreakerState", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """See the module docstring."""

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_after_s: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """Whether a call may go ahead now (in ``half_open``, only the first one)."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial:
                self._trial = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._trial = False

    def describe(self) -> str:
        with self._lock:
            state = self._state()
            if state == "closed":
                return f"closed ({self._failures} consecutive failures)"
            assert self._opened_at is not None
            left = max(self.reset_after_s - (self._clock() - self._opened_at), 0.0)
            return f"open after {self._failures} consecutive failures; next trial in {left:.0f} s"
