"""All three sandboxes in one process, with one admin endpoint and one JSON description.

Contract: `SandboxSuite(data, host=..., ports=SandboxPorts(...))` serves `data` through
the Google sandbox (OAuth, Drive v3, Sheets v4), the Meta sandbox (Facebook Login,
Graph) and the Google Ads sandbox (gRPC over TLS), plus an admin HTTP server. Start it
with ``async with`` (or `start()` / `stop()`); port 0 means an ephemeral port. The Google
Ads sandbox starts first: it adds its certificate to `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`,
which gRPC reads once per process, before the first TLS channel. Google Ads accepts the
Google sandbox's OAuth access tokens that carry the ``adwords`` scope (one Google OAuth
client for Drive and Ads, as with real Google), so the demo tokens work everywhere.

`endpoints()` is one JSON-able dict with every endpoint and the demo credentials:
``google`` (OAuth auth/token/revoke URLs, Drive and Sheets API roots, client id and
secret, demo access and refresh tokens), ``meta`` (Graph base, login dialog, token and
debug_token URLs, app id/secret, webhook verify token, a long-lived demo token, ad
account ids), ``google_ads`` (gRPC ``endpoint``, ``roots_file`` - export it as
`GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` in client processes - developer token, login and
customer ids, OAuth client and token URL), ``admin`` (mutation and fault URLs) and
``env`` (`connectors.config.sandbox_env`: the same as environment variables).

Mutations (`edit_sheet`, `add_spend`) change the data and return the push deliveries
they caused: Drive ``change`` notifications to live `changes.watch` channels, Meta's
signed ``ad_account`` webhooks to the subscribed callback (Google Ads has no push).
`inject_fault(platform, name)` arms a fault in that platform's plan (names:
`FAULT_NAMES`; each sandbox renders it on its own wire, see `connectors.sandbox.faults`).

Admin HTTP (JSON in and out; 400 for bad input, 404 for unknown files or campaigns):
``GET /_sandbox/endpoints``; ``POST /_sandbox/edit-sheet`` {file_id, sheet, cell,
value}; ``POST /_sandbox/add-spend`` {platform, campaign_id, date, amount,
impressions?, clicks?, conversions?, revenue?}; ``POST /_sandbox/fault`` {platform,
kind, times?, path?, retry_after_s?, delay_s?, body?}; ``GET|DELETE /_sandbox/faults``
(``?platform=``); ``GET /_sandbox/deliveries``; and the Google Ads fault plan itself at
``/_sandbox/google_ads/faults`` (Google and Meta serve theirs on their own ports).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, get_args

from aiohttp import web
from pydantic import ValidationError

from connectors.config import GRPC_ROOTS_ENV, sandbox_env
from connectors.sandbox.data import SandboxData
from connectors.sandbox.faults import Fault, FaultPlan, fault_routes
from connectors.sandbox.google import GoogleSandbox, GoogleSandboxConfig, PushDelivery
from connectors.sandbox.google.a1 import RangeError
from connectors.sandbox.google_ads import GoogleAdsSandbox, oauth_token_validator
from connectors.sandbox.google_ads.tls import trust_sandbox_certificate
from connectors.sandbox.meta import MetaSandbox, MetaSandboxConfig, WebhookDelivery
from connectors.sandbox.meta.control import delivery_json
from connectors.sandbox.meta.errors import GraphError

__all__ = [
    "DEMO_GOOGLE_SCOPES",
    "FAULT_NAMES",
    "FaultName",
    "SandboxPlatform",
    "SandboxPorts",
    "SandboxSuite",
    "fault_for",
    "platform_name",
]

SandboxPlatform = Literal["google", "meta", "google_ads"]
FaultName = Literal["429", "500", "503", "slow", "expire-token", "revoke-refresh", "malformed"]
FAULT_NAMES: tuple[str, ...] = get_args(FaultName)
_PLATFORM_ALIASES: dict[str, SandboxPlatform] = {
    "google": "google",
    "google_drive": "google",
    "drive": "google",
    "meta": "meta",
    "google_ads": "google_ads",
}

_G = "https://www.googleapis.com/auth/"
DEMO_GOOGLE_SCOPES = (
    _G + "drive.metadata.readonly",
    _G + "spreadsheets.readonly",
    _G + "adwords",
)
"""Scopes of the demo Google grant: Drive/Sheets discovery and reading, and Google Ads."""
ADS_API_VERSION = "v26"
_Action = Callable[[web.Request, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class SandboxPorts:
    """Where each server listens; 0 picks an ephemeral port."""

    google: int = 0
    meta: int = 0
    google_ads: int = 0
    admin: int = 0


def platform_name(platform: str) -> SandboxPlatform:
    """`google` (also `google_drive`, `drive`), `meta` or `google_ads`; ValueError else."""
    found = _PLATFORM_ALIASES.get(platform.strip().lower())
    if found is None:
        raise ValueError(f"unknown platform {platform!r}: use google, meta or google_ads")
    return found


def fault_for(
    name: str,
    *,
    times: int | None = 1,
    path: str = "*",
    retry_after_s: float = 2.0,
    delay_s: float = 3.0,
    body: str | None = None,
) -> Fault:
    """The `Fault` for a fault name of `FAULT_NAMES` (ValueError for others).

    ``429`` carries `retry_after_s` (each platform's rate-limit headers announce it),
    ``slow`` delays by `delay_s`, ``malformed`` answers `body` (None: the real answer,
    truncated), ``expire-token`` / ``revoke-refresh`` act on the next request's token.
    """
    fields: dict[str, Any] = {"times": times, "path": path or "*"}
    if name in ("429", "500", "503"):
        fields |= {"kind": "status", "status": int(name)}
        if name == "429":
            fields["retry_after_s"] = retry_after_s
    elif name == "slow":
        fields |= {"kind": "delay", "delay_s": delay_s}
    elif name == "expire-token":
        fields["kind"] = "expire_token"
    elif name == "revoke-refresh":
        fields["kind"] = "revoke_refresh"
    elif name == "malformed":
        fields |= {"kind": "malformed", "body": body}
    else:
        raise ValueError(f"unknown fault {name!r}: use one of {', '.join(FAULT_NAMES)}")
    return Fault.model_validate(fields)


class SandboxSuite:
    """See the module docstring."""

    def __init__(
        self,
        data: SandboxData,
        *,
        host: str = "127.0.0.1",
        ports: SandboxPorts | None = None,
        google_config: GoogleSandboxConfig | None = None,
        meta_config: MetaSandboxConfig | None = None,
        google_ads_page_size: int = 10_000,
    ) -> None:
        self.data = data
        self.host = host
        self.ports = ports or SandboxPorts()
        self.google = GoogleSandbox(data, host=host, port=self.ports.google, config=google_config)
        self.meta = MetaSandbox(data, host, self.ports.meta, config=meta_config)
        self.google_ads = GoogleAdsSandbox(
            data, host=host, port=self.ports.google_ads, page_size=google_ads_page_size
        )
        self._admin: web.AppRunner | None = None
        self._admin_url = ""
        self._demo_tokens: dict[str, Any] = {}
        self._roots_file = ""

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> SandboxSuite:
        if self._admin is not None:
            return self
        try:
            self.google_ads.start()  # first: it sets gRPC's default TLS roots
            self._roots_file = str(trust_sandbox_certificate(self.google_ads.certificate))
            await self.google.start()
            self.google_ads.token_validator = oauth_token_validator(
                self.google.validate_access_token
            )
            await self.meta.start()
            await self._start_admin()
        except BaseException:
            await self.stop()
            raise
        self._demo_tokens = self.google.issue_tokens(list(DEMO_GOOGLE_SCOPES))
        return self

    async def stop(self) -> None:
        """Stop every server (idempotent; safe after a failed `start`)."""
        admin, self._admin = self._admin, None
        if admin is not None:
            await admin.cleanup()
        await self.meta.stop()
        await self.google.stop()
        await asyncio.to_thread(self.google_ads.stop)

    async def __aenter__(self) -> SandboxSuite:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _start_admin(self) -> None:
        app = web.Application()
        app.add_routes(_admin_routes(self))
        app.add_routes(fault_routes(self.google_ads.faults, "/_sandbox/google_ads/faults"))
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.ports.admin).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._admin = runner
        self._admin_url = f"http://{self.host}:{runner.addresses[0][1]}"

    # -- what clients need --------------------------------------------------------------

    @property
    def admin_url(self) -> str:
        if not self._admin_url:
            raise RuntimeError("the sandbox suite is not started")
        return self._admin_url

    @property
    def demo_google_tokens(self) -> dict[str, Any]:
        """The demo Google grant (`DEMO_GOOGLE_SCOPES`), as `GoogleSandbox.issue_tokens`."""
        return dict(self._demo_tokens)

    def endpoints(self) -> dict[str, Any]:
        """Every endpoint and demo credential, JSON-able (see the module docstring)."""
        google, meta, ads = self.google, self.meta, self.google_ads
        tokens = self._demo_tokens
        customers = [c.id for c in self.data.google_ads_customers]
        managers = [c.id for c in self.data.google_ads_customers if c.manager]
        login = next(iter(managers or customers), None)
        admin = self.admin_url
        info: dict[str, Any] = {
            "sandbox": "mediaplan",
            "advertiser": self.data.advertiser,
            "user_email": self.data.user_email,
            "google": {
                **google.endpoints,
                "control_url": google.base_url + "/_sandbox",
                "client_id": google.client_id,
                "client_secret": google.client_secret,
                "scopes": list(DEMO_GOOGLE_SCOPES),
                "access_token": tokens.get("access_token"),
                "refresh_token": tokens.get("refresh_token"),
                "file_ids": [f.id for f in self.data.drive_files],
            },
            "meta": {
                **dataclasses.asdict(meta.endpoints),
                "app_id": meta.app_id,
                "app_secret": meta.app_secret,
                "verify_token": meta.verify_token,
                "access_token": meta.demo_access_token,
                "ad_account_ids": [f"act_{a.id}" for a in self.data.meta_ad_accounts],
            },
            "google_ads": {
                "endpoint": ads.endpoint,
                "api_version": ADS_API_VERSION,
                "roots_file": self._roots_file,
                "roots_env": GRPC_ROOTS_ENV,
                "developer_token": ads.developer_token,
                "login_customer_id": login,
                "customer_ids": customers,
                "client_id": google.client_id,
                "client_secret": google.client_secret,
                "token_url": google.endpoints["token_url"],
                "access_token": tokens.get("access_token"),
                "refresh_token": tokens.get("refresh_token"),
                "faults_url": admin + "/_sandbox/google_ads/faults",
            },
            "admin": {
                "url": admin,
                "endpoints_url": admin + "/_sandbox/endpoints",
                "edit_sheet_url": admin + "/_sandbox/edit-sheet",
                "add_spend_url": admin + "/_sandbox/add-spend",
                "fault_url": admin + "/_sandbox/fault",
                "faults_url": admin + "/_sandbox/faults",
                "deliveries_url": admin + "/_sandbox/deliveries",
            },
        }
        info["env"] = sandbox_env(info)
        return info

    # -- mutations and faults -----------------------------------------------------------

    async def edit_sheet(
        self, file_id: str, sheet: str, cell: str, value: Any
    ) -> list[PushDelivery]:
        """Set one cell (A1 notation); the Drive push deliveries it caused.

        Unknown files or sheets raise `KeyError`; a bad cell `RangeError` (a ValueError).
        """
        return await self.google.edit_cell(file_id, sheet, cell, value)

    async def add_spend(
        self,
        platform: str,
        campaign_id: str,
        day: dt.date,
        amount: float,
        *,
        impressions: float = 0,
        clicks: float = 0,
        conversions: float = 0.0,
        revenue: float = 0.0,
    ) -> list[WebhookDelivery]:
        """Add delivery to a campaign's day; Meta's webhook deliveries (Google Ads: none).

        Unknown campaigns raise `KeyError`; negative amounts `ValueError`.
        """
        which = platform_name(platform)
        if which == "meta":
            try:
                self.meta.world.campaign(campaign_id)
            except GraphError:
                raise KeyError(f"no Meta campaign {campaign_id}") from None
            return await self.meta.add_spend(
                campaign_id,
                day,
                float(amount),
                impressions=float(impressions),
                clicks=float(clicks),
                conversions=float(conversions),
                revenue=float(revenue),
            )
        if which == "google_ads":
            state = self.google_ads.state
            owner = next(
                (c for c in state.customer_ids() if campaign_id in state.campaign_ids(c)), None
            )
            if owner is None:
                raise KeyError(f"no Google Ads campaign {campaign_id}")
            state.add_spend(
                owner,
                campaign_id,
                day,
                float(amount),
                impressions=int(impressions),
                clicks=int(clicks),
                conversions=float(conversions),
                revenue=float(revenue),
            )
            return []
        raise ValueError("add-spend is for meta or google_ads campaigns")

    def fault_plan(self, platform: str) -> FaultPlan:
        which = platform_name(platform)
        if which == "google":
            return self.google.faults
        return self.meta.faults if which == "meta" else self.google_ads.faults

    def inject_fault(self, platform: str, name: str, **options: Any) -> Fault:
        """Arm fault `name` (see `fault_for` for `options`) on `platform`'s next requests."""
        return self.fault_plan(platform).add(fault_for(name, **options))

    def clear_faults(self, platform: str | None = None) -> None:
        for which in [platform] if platform else list(get_args(SandboxPlatform)):
            self.fault_plan(which).clear()

    def deliveries(self) -> dict[str, list[dict[str, Any]]]:
        """Every push attempt so far: Drive notifications and Meta webhooks."""
        return {
            "google": [dataclasses.asdict(d) for d in self.google.deliveries],
            "meta": [delivery_json(d) for d in self.meta.deliveries],
        }


def _required(payload: dict[str, Any], name: str) -> Any:
    if payload.get(name) is None:
        raise ValueError(f"the body needs {name!r}")
    return payload[name]


def _admin_routes(suite: SandboxSuite) -> list[web.RouteDef]:
    def route(method: str, path: str, action: _Action) -> web.RouteDef:
        async def handle(request: web.Request) -> web.Response:
            try:
                payload = await request.json() if request.can_read_body else {}
                if not isinstance(payload, dict):
                    raise ValueError("the body must be a JSON object")
                result = await action(request, payload)
            except KeyError as exc:
                return web.json_response({"error": f"not found: {exc}"}, status=404)
            except (ValueError, TypeError, RangeError, ValidationError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
            return web.json_response(result)

        return web.route(method, "/_sandbox" + path, handle)

    async def endpoints(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        return suite.endpoints()

    async def edit_sheet(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        file_id, sheet, cell = (str(_required(p, k)) for k in ("file_id", "sheet", "cell"))
        sent = await suite.edit_sheet(file_id, sheet, cell, p.get("value"))
        return {"deliveries": [dataclasses.asdict(d) for d in sent]}

    async def add_spend(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        extra = {k: p[k] for k in ("impressions", "clicks", "conversions", "revenue") if k in p}
        sent = await suite.add_spend(
            str(_required(p, "platform")),
            str(_required(p, "campaign_id")),
            dt.date.fromisoformat(str(_required(p, "date"))),
            float(_required(p, "amount")),
            **extra,
        )
        return {"deliveries": [delivery_json(d) for d in sent]}

    async def fault(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        options = {k: p[k] for k in ("times", "path", "retry_after_s", "delay_s", "body") if k in p}
        platform = platform_name(str(_required(p, "platform")))
        added = suite.inject_fault(platform, str(_required(p, "kind")), **options)
        return {"platform": platform, "fault": added.model_dump(mode="json")}

    async def faults(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        only = request.query.get("platform")
        names = [platform_name(only)] if only else list(get_args(SandboxPlatform))
        if request.method == "DELETE":
            for name in names:
                suite.clear_faults(name)
        return {
            name: [f.model_dump(mode="json") for f in suite.fault_plan(name).pending()]
            for name in names
        }

    async def deliveries(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
        return suite.deliveries()

    return [
        route("GET", "/endpoints", endpoints),
        route("POST", "/edit-sheet", edit_sheet),
        route("POST", "/add-spend", add_spend),
        route("POST", "/fault", fault),
        route("GET", "/faults", faults),
        route("DELETE", "/faults", faults),
        route("GET", "/deliveries", deliveries),
    ]
