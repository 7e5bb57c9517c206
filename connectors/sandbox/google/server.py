"""The Google sandbox server: OAuth, Drive v3 and Sheets v4 on 127.0.0.1, plus test controls.

Contract: `GoogleSandbox(data)` serves `SandboxData.drive_files` to the unmodified
google-api-python-client, google-auth and Authlib. `await sandbox.start()` binds
``host:port`` (0: an ephemeral port) and `stop()` releases everything; the sandbox is
also an async context manager. `endpoints` names every URL a client needs
(``auth_url``, ``token_url``, ``revoke_url``, ``drive_api``, ``sheets_api``).

Drive and Sheets requests need ``Authorization: Bearer`` with a live access token
issued by ``/token`` (or `issue_tokens`) whose scopes cover the API; otherwise 401 (or
403 ``insufficientPermissions``) with Google's error body. Faults from `faults`
(`connectors.sandbox.faults.FaultPlan`) apply to every path outside ``/_sandbox/``: a 429
carries ``Retry-After``, ``expire_token`` / ``revoke_refresh`` act on the request's
bearer token (``revoke_refresh`` without one revokes every grant).

Mutations (`edit_cell`, `set_sheet`, `create_file`, `trash_file`, `rename_file`,
`delete_file`, or the same over HTTP: see `control`) record a change in the feed and
push ``change`` notifications to every live channel before returning. Faults are
scripted over HTTP at ``/_sandbox/faults`` (GET/POST/DELETE).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import socket
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from connectors.sandbox.data import DriveFileData, SandboxData
from connectors.sandbox.faults import Fault, FaultPlan, fault_routes
from connectors.sandbox.google.a1 import parse_cell
from connectors.sandbox.google.context import (
    CONTEXT,
    GoogleSandboxConfig,
    SandboxContext,
    google_error,
)
from connectors.sandbox.google.control import control_routes
from connectors.sandbox.google.drive_routes import drive_routes
from connectors.sandbox.google.oauth_routes import AUTH_PATH, oauth_routes
from connectors.sandbox.google.push import PushDelivery, PushSender
from connectors.sandbox.google.sheets_routes import sheets_routes
from connectors.sandbox.google.world import GoogleWorld

__all__ = ["GoogleSandbox", "start_google_sandbox"]

_G = "https://www.googleapis.com/auth/"
_API_SCOPES = {
    "/drive/v3/": frozenset(
        _G + s
        for s in (
            "drive",
            "drive.readonly",
            "drive.file",
            "drive.metadata",
            "drive.metadata.readonly",
        )
    ),
    "/v4/": frozenset(
        _G + s
        for s in ("drive", "drive.readonly", "drive.file", "spreadsheets", "spreadsheets.readonly")
    ),
}


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _fault_response(fault: Fault) -> web.Response:
    if fault.status == 429:
        headers = {}
        if fault.retry_after_s is not None:
            headers["Retry-After"] = str(math.ceil(fault.retry_after_s))
        message = (
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'."
        )
        return google_error(429, message, reason="rateLimitExceeded", headers=headers)
    if fault.status >= 500:
        return google_error(
            fault.status, "The service is currently unavailable.", reason="backendError"
        )
    return google_error(fault.status, "Injected sandbox fault.", reason="sandboxFault")


@web.middleware
async def _fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_sandbox/"):
        return await handler(request)
    ctx = request.app[CONTEXT]
    ctx.requests.append((request.method, request.path_qs))
    fault = ctx.faults.take(request.method, request.path)
    if fault is None:
        return await handler(request)
    world, bearer = ctx.world, _bearer(request)
    if fault.kind == "status":
        return _fault_response(fault)
    if fault.kind == "delay":
        await asyncio.sleep(fault.delay_s)
    elif fault.kind == "expire_token" and bearer is not None:
        world.expire_access_token(bearer)
    elif fault.kind == "revoke_refresh":
        access = world.access_tokens.get(bearer or "")
        if access is None:
            world.revoke_all_grants()
        else:
            world.revoke_grant(access.grant)
    response = await handler(request)
    if fault.kind != "malformed":
        return response
    real = response.body if isinstance(response, web.Response) else None
    body = fault.body
    if body is None:
        text = real.decode() if isinstance(real, bytes) else "{}"
        body = text[: max(1, len(text) // 2)]
    return web.Response(status=200, text=body, content_type="application/json")


@web.middleware
async def _auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    needed = next((s for p, s in _API_SCOPES.items() if request.path.startswith(p)), None)
    if needed is None:
        return await handler(request)
    world = request.app[CONTEXT].world
    bearer = _bearer(request)
    access = world.valid_access_token(bearer) if bearer else None
    if access is None:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential."
        )
        headers = {
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        }
        return google_error(
            401,
            message,
            reason="authError",
            location="Authorization",
            location_type="header",
            headers=headers,
        )
    if not needed.intersection(access.grant.scopes):
        return google_error(
            403, "Request had insufficient authentication scopes.", reason="insufficientPermissions"
        )
    return await handler(request)


class GoogleSandbox:
    """See the module docstring."""

    def __init__(
        self,
        data: SandboxData,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: GoogleSandboxConfig | None = None,
    ) -> None:
        self.config = config or GoogleSandboxConfig()
        self.world = GoogleWorld(data)
        self.faults = FaultPlan()
        self._host, self._port = host, port
        self._pusher = PushSender(self.world, self.config.push_timeout_s)
        self._ctx = SandboxContext(self.config, self.world, self.faults)
        self._ctx.schedule_push = self._pusher.schedule
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> GoogleSandbox:
        if self._runner is not None:
            return self
        app = web.Application(middlewares=[_fault_middleware, _auth_middleware])
        app[CONTEXT] = self._ctx
        app.add_routes(
            [*oauth_routes(), *drive_routes(), *sheets_routes(), *fault_routes(self.faults)]
        )
        app.add_routes(control_routes(self))
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = sock.getsockname()[:2]
        self._ctx.base_url = f"http://{host}:{port}"
        await self._pusher.open()
        return self

    async def stop(self) -> None:
        await self._pusher.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> GoogleSandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- what clients need ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if not self._ctx.base_url:
            raise RuntimeError("the sandbox is not started")
        return self._ctx.base_url

    @property
    def endpoints(self) -> dict[str, str]:
        base = self.base_url
        return {
            "base_url": base,
            "auth_url": base + AUTH_PATH,
            "token_url": base + "/token",
            "revoke_url": base + "/revoke",
            "drive_api": base + "/drive/v3/",
            "sheets_api": base + "/",
            "faults_url": base + "/_sandbox/faults",
        }

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self._ctx.requests

    @property
    def deliveries(self) -> list[PushDelivery]:
        return self._pusher.deliveries

    def issue_tokens(self, scopes: list[str], *, offline: bool = True) -> dict[str, Any]:
        """Mint a grant without the browser flow; answers like ``/token`` does."""
        grant = self.world.new_grant(self.config.client_id, tuple(scopes), offline)
        access = self.world.issue_access_token(grant, self.config.access_token_lifetime)
        return {
            "access_token": access.token,
            "refresh_token": grant.refresh_token,
            "expires_at": access.expires_at,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }

    def validate_access_token(self, token: str) -> tuple[str, ...] | None:
        """The scopes of a live access token, None when unknown, expired or revoked
        (for emulators of other Google APIs that accept this sandbox's tokens)."""
        access = self.world.valid_access_token(token)
        return None if access is None else access.grant.scopes

    def advance_clock(self, seconds: float) -> None:
        self.world.advance_clock(dt.timedelta(seconds=seconds))

    def revoke_all_grants(self) -> None:
        self.world.revoke_all_grants()

    async def drain_notifications(self) -> None:
        await self._pusher.drain()

    # -- mutations (each pushes `change` to live channels) --------------------------------------

    async def edit_cell(
        self, file_id: str, sheet: str, cell: str, value: Any
    ) -> list[PushDelivery]:
        row, col = parse_cell(cell)
        self.world.set_cell(file_id, sheet, row, col, value)
        return await self._pusher.broadcast()

    async def set_sheet(
        self, file_id: str, sheet: str, rows: list[list[Any]]
    ) -> list[PushDelivery]:
        self.world.set_sheet(file_id, sheet, rows)
        return await self._pusher.broadcast()

    async def create_file(self, f: DriveFileData) -> list[PushDelivery]:
        self.world.create_file(f)
        return await self._pusher.broadcast()

    async def trash_file(self, file_id: str, trashed: bool = True) -> list[PushDelivery]:
        self.world.set_trashed(file_id, trashed)
        return await self._pusher.broadcast()

    async def rename_file(self, file_id: str, name: str) -> list[PushDelivery]:
        self.world.rename_file(file_id, name)
        return await self._pusher.broadcast()

    async def delete_file(self, file_id: str) -> list[PushDelivery]:
        self.world.delete_file(file_id)
        return await self._pusher.broadcast()


async def start_google_sandbox(
    data: SandboxData,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    config: GoogleSandboxConfig | None = None,
) -> GoogleSandbox:
    """A started `GoogleSandbox`; stop it with `await sandbox.stop()` or `async with`."""
    return await GoogleSandbox(data, host=host, port=port, config=config).start()
