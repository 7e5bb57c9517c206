"""What every Google sandbox route shares: configuration, state, faults, push, error bodies.

Contract: the server stores one `SandboxContext` in its aiohttp app under `CONTEXT`;
route modules read it from `request.app[CONTEXT]`. `google_error` renders Google's JSON
error envelope (``{"error": {"code", "message", "errors": [...], "status"}}``), which
google-api-python-client parses into `HttpError.reason` / `error_details`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.google.world import DriveChannel, GoogleWorld

__all__ = [
    "CONTEXT",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "GoogleSandboxConfig",
    "SandboxContext",
    "google_error",
]

DEMO_CLIENT_ID = "sandbox-client.apps.googleusercontent.com"
DEMO_CLIENT_SECRET = "sandbox-client-secret"

_STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class GoogleSandboxConfig:
    """How the sandbox behaves; the defaults suit tests and the demo."""

    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    access_token_lifetime: dt.timedelta = dt.timedelta(hours=1)
    auto_approve: bool = False
    """Skip the consent page: `/o/oauth2/v2/auth` redirects at once, granting every scope
    (also per request with the query parameter ``sandbox_auto_approve=1``)."""
    redirect_uris: frozenset[str] | None = None
    """Registered redirect URIs; None accepts any."""
    push_timeout_s: float = 5.0


@dataclass
class SandboxContext:
    config: GoogleSandboxConfig
    world: GoogleWorld
    faults: FaultPlan
    base_url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    """Every API request served, as (method, path with query), for assertions."""
    schedule_push: Callable[[DriveChannel, str], None] = lambda channel, state: None
    """Send a notification in the background (set by the server)."""


CONTEXT = web.AppKey("google_sandbox_context", SandboxContext)


def google_error(
    status: int,
    message: str,
    *,
    reason: str,
    location: str | None = None,
    location_type: str = "parameter",
    headers: dict[str, str] | None = None,
) -> web.Response:
    detail: dict[str, str] = {"message": message, "domain": "global", "reason": reason}
    if location is not None:
        detail |= {"location": location, "locationType": location_type}
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [detail],
            "status": _STATUS_TEXT.get(status, "UNKNOWN"),
        }
    }
    return web.json_response(body, status=status, headers=headers)
