"""Faults on demand for every sandbox emulator (Google, Meta, Google Ads).

Contract: a `FaultPlan` is an ordered list of `Fault` rules, each matched by HTTP method
and a glob over the request path (`fnmatch`, e.g. ``/drive/v3/files*``; gRPC emulators
match the full method name, e.g. ``/google.ads.googleads.v26.services.*``). An emulator
calls `FaultPlan.take(method, path)` once per request; the first matching rule fires,
its remaining count drops by one and the rule is gone when the count reaches zero
(``times=None`` fires until cleared). The plan is platform-agnostic data: each emulator
decides what a fired fault looks like on its wire:

- ``status``: answer `status` with the platform's error body; for 429 the emulator adds
  its own rate-limit headers, using `retry_after_s` as the back-off hint it reports;
- ``delay``: sleep `delay_s` seconds, then serve the request normally;
- ``expire_token``: expire the request's access token, then serve it (so it fails auth);
- ``revoke_refresh``: revoke the grant behind the request's token (refresh included);
- ``malformed``: answer 200 with `body` (default: the real body, truncated) instead.

The plan is thread-safe (emulators may run in a thread while tests script them) and can
be scripted over HTTP: `fault_routes()` serves ``GET`` (rules and fired history),
``POST`` (a fault or a list of faults as JSON) and ``DELETE`` (clear) at
``/_sandbox/faults`` for any aiohttp-based emulator.
"""

from __future__ import annotations

import fnmatch
import threading
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

__all__ = ["FAULTS_PATH", "Fault", "FaultKind", "FaultPlan", "FiredFault", "fault_routes"]

FAULTS_PATH = "/_sandbox/faults"

FaultKind = Literal["status", "delay", "expire_token", "revoke_refresh", "malformed"]


class Fault(BaseModel):
    """One fault rule; `times` is how often it fires (None: until the plan is cleared)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FaultKind
    path: str = "*"
    method: str = "*"
    times: int | None = Field(default=1, ge=1)
    status: int = Field(default=503, ge=400, le=599)
    retry_after_s: float | None = Field(default=None, ge=0)
    delay_s: float = Field(default=0.0, ge=0)
    body: str | None = None

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method.upper() == method.upper()
        return method_ok and fnmatch.fnmatchcase(path, self.path)


class FiredFault(BaseModel):
    """A fault that fired, and on which request."""

    model_config = ConfigDict(frozen=True)

    fault: Fault
    method: str
    path: str


_FAULT_LIST = TypeAdapter(list[Fault])


class FaultPlan:
    """Ordered fault rules with counts; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[Fault, int | None]] = []
        self._fired: list[FiredFault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append((fault, fault.times))
        return fault

    def inject(self, kind: FaultKind, **fields: object) -> Fault:
        """Shorthand for `add(Fault(kind=..., ...))`."""
        return self.add(Fault.model_validate({"kind": kind, **fields}))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> list[Fault]:
        """The rules still armed, each with its remaining count as `times`."""
        with self._lock:
            return [fault.model_copy(update={"times": left}) for fault, left in self._rules]

    @property
    def fired(self) -> list[FiredFault]:
        with self._lock:
            return list(self._fired)

    def take(self, method: str, path: str) -> Fault | None:
        """The first rule matching this request, consuming one of its firings."""
        with self._lock:
            for index, (fault, left) in enumerate(self._rules):
                if not fault.matches(method, path):
                    continue
                if left is not None:
                    if left <= 1:
                        del self._rules[index]
                    else:
                        self._rules[index] = (fault, left - 1)
                self._fired.append(FiredFault(fault=fault, method=method, path=path))
                return fault
        return None


def fault_routes(plan: FaultPlan, path: str = FAULTS_PATH) -> list[web.RouteDef]:
    """aiohttp routes that script `plan` over HTTP (GET, POST, DELETE at `path`)."""

    def snapshot() -> dict[str, object]:
        return {
            "faults": [f.model_dump(mode="json") for f in plan.pending()],
            "fired": [f.model_dump(mode="json") for f in plan.fired],
        }

    async def get_faults(request: web.Request) -> web.Response:
        return web.json_response(snapshot())

    async def post_faults(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            text = raw.decode()
            stripped = text.lstrip()
            faults = (
                _FAULT_LIST.validate_json(text)
                if stripped.startswith("[")
                else [Fault.model_validate_json(text)]
            )
        except (ValidationError, UnicodeDecodeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        for fault in faults:
            plan.add(fault)
        return web.json_response(snapshot(), status=201)

    async def delete_faults(request: web.Request) -> web.Response:
        plan.clear()
        return web.Response(status=204)

    return [
        web.get(path, get_faults),
        web.post(path, post_faults),
        web.delete(path, delete_faults),
    ]
