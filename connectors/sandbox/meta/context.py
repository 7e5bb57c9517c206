"""What every Meta sandbox route shares: configuration, state, faults, webhook delivery.

Contract: the server stores one `MetaSandboxContext` in its aiohttp app under `CONTEXT`;
route modules read it from `request.app[CONTEXT]`. `request_params` merges the query
string and a form body (facebook-business sends GET parameters in the query and POST
parameters as a form), and `request_token` finds the access token in them or in an
`Authorization: Bearer` / `OAuth` header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.meta.world import MetaWorld, WebhookEvent

__all__ = [
    "CONTEXT",
    "DEMO_APP_ID",
    "DEMO_APP_SECRET",
    "DEMO_VERIFY_TOKEN",
    "MetaSandboxConfig",
    "MetaSandboxContext",
    "WebhookDelivery",
    "request_params",
    "request_token",
]

DEMO_APP_ID = "1234567890123456"
DEMO_APP_SECRET = "sandbox-meta-app-secret"
DEMO_VERIFY_TOKEN = "sandbox-meta-verify-token"


@dataclass(frozen=True)
class MetaSandboxConfig:
    """How the sandbox behaves; the defaults suit tests and the demo."""

    app_id: str = DEMO_APP_ID
    app_secret: str = DEMO_APP_SECRET
    auto_approve: bool = False
    """Skip the consent page: `/dialog/oauth` redirects at once granting every requested
    scope (also per request with the query parameter ``sandbox_auto_approve=1``)."""
    report_polls: int = 2
    """Status reads before an async report run completes."""
    max_page_size: int = 5000
    push_timeout_s: float = 5.0
    require_appsecret_proof: bool = False


@dataclass(frozen=True)
class WebhookDelivery:
    """One signed webhook POST the sandbox made, and how the callback answered."""

    url: str
    body: bytes
    signature: str
    status: int | None
    error: str | None = None


Deliver = Callable[[list[WebhookEvent]], Awaitable[list[WebhookDelivery]]]


@dataclass
class MetaSandboxContext:
    config: MetaSandboxConfig
    world: MetaWorld
    faults: FaultPlan
    deliver: Deliver
    verify_callback: Callable[[str, str], Awaitable[str | None]]
    """(callback_url, verify_token) -> None when the callback echoed the challenge."""
    deliveries: list[WebhookDelivery] = field(default_factory=list)


CONTEXT = web.AppKey("meta_sandbox_context", MetaSandboxContext)


async def request_params(request: web.Request) -> dict[str, str]:
    params = {k: v for k, v in request.query.items()}
    if request.method in ("POST", "DELETE") and request.can_read_body:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def request_token(request: web.Request, params: dict[str, str]) -> str | None:
    if params.get("access_token"):
        return params["access_token"]
    header = request.headers.get("Authorization", "")
    for scheme in ("Bearer ", "OAuth "):
        if header.startswith(scheme):
            return header[len(scheme) :].strip() or None
    return None
