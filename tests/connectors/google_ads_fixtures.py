"""Fixtures for the Google Ads connector tests: seed data, the sandbox, a token endpoint.

Test modules load them with `pytest_plugins = ["tests.connectors.google_ads_fixtures"]`
(importing fixture names would trip ruff's F811) and import the helpers they call; the
module opts out of assertion rewriting (PYTEST_DONT_REWRITE) because it is imported
before pytest registers it as a plugin, and it asserts nothing.
Everything listens on 127.0.0.1 and is stopped (server, threads, channels, HTTP sessions)
at teardown, because the suite turns warnings such as unclosed sockets into errors.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs

import pytest

from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings, RetryPolicy
from connectors.sandbox.data import CampaignData, CustomerData, DailyMetrics, SandboxData
from connectors.sandbox.google_ads import GoogleAdsSandbox, start_google_ads_sandbox

__all__ = [
    "CUSTOMER_ID",
    "MANAGER_ID",
    "SECOND_ID",
    "START",
    "RecordingSleep",
    "TokenEndpoint",
    "ads_connector",
    "ads_data",
    "ads_sandbox",
    "make_connector",
    "make_data",
    "sleeps",
    "token_endpoint",
]

CUSTOMER_ID = "1234567890"
SECOND_ID = "2345678901"
MANAGER_ID = "9876543210"
START = dt.date(2025, 1, 1)
CHANNELS = [
    "google_ads:search",
    "google_ads:shopping",
    "google_ads:pmax",
    "google_ads:youtube",
    "google_ads:display",
    "google_ads:demand_gen",
    "google_ads:other",
]


def campaign(index: int, days: int, *, start: dt.date = START, every: int = 1) -> CampaignData:
    """Campaign `index`: id 1000+index, channel by index, metrics every `every` days."""
    daily = [
        DailyMetrics(
            date=start + dt.timedelta(days=day),
            spend=round(10 + index + day * 0.25, 2),
            impressions=1000 + 10 * index + day,
            clicks=50 + index,
            conversions=2.5,
            revenue=round(40 + index + day * 0.5, 2),
        )
        for day in range(0, days, every)
    ]
    return CampaignData(
        id=str(1000 + index), name=f"Campaign {index}", channel=CHANNELS[index % 7], daily=daily
    )


def make_data(
    campaigns: int = 7,
    days: int = 30,
    *,
    every: int = 1,
    second_customer: bool = True,
    manager: bool = True,
) -> SandboxData:
    customers = [
        CustomerData(
            id=CUSTOMER_ID,
            descriptive_name="Northwind Outdoor",
            currency_code="EUR",
            time_zone="Europe/Berlin",
            campaigns=[campaign(i, days, every=every) for i in range(campaigns)],
        )
    ]
    if second_customer:
        customers.append(
            CustomerData(
                id=SECOND_ID,
                descriptive_name="Northwind Outlet",
                campaigns=[campaign(100 + i, days, every=every) for i in range(2)],
            )
        )
    if manager:
        customers.append(CustomerData(id=MANAGER_ID, descriptive_name="Agency MCC", manager=True))
    return SandboxData(google_ads_customers=customers)


@dataclass
class RecordingSleep:
    """An instant `sleep` for the retry helper that records the delays asked for."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_connector(
    sandbox: GoogleAdsSandbox,
    *,
    credentials: Any = None,
    sleep: RecordingSleep | None = None,
    attempts: int = 4,
    **settings: Any,
) -> GoogleAdsConnector:
    options: dict[str, Any] = {
        "developer_token": sandbox.developer_token,
        "endpoint": sandbox.endpoint,
        "timeout_s": 10.0,
        "stream_timeout_s": 20.0,
    }
    fields = GoogleAdsSettings.__annotations__
    options.update({k: settings.pop(k) for k in list(settings) if k in fields})
    retry = RetryPolicy(attempts=attempts, base_delay_s=0.5, seed=7)
    return GoogleAdsConnector(
        credentials if credentials is not None else sandbox.credentials(),
        GoogleAdsSettings(**options),
        retry=retry,
        sleep=sleep or RecordingSleep(),
        **settings,
    )


@pytest.fixture
def ads_data() -> SandboxData:
    return make_data()


@pytest.fixture
def ads_sandbox(ads_data: SandboxData) -> Iterator[GoogleAdsSandbox]:
    sandbox = start_google_ads_sandbox(ads_data, page_size=7)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def ads_connector(
    ads_sandbox: GoogleAdsSandbox, sleeps: RecordingSleep
) -> AsyncIterator[GoogleAdsConnector]:
    connector = make_connector(ads_sandbox, sleep=sleeps)
    try:
        yield connector
    finally:
        await connector.aclose()


class TokenEndpoint:
    """A minimal OAuth token endpoint (refresh grant only) that feeds the Ads sandbox.

    `mode="ok"` mints a new access token and marks it valid in the sandbox;
    `"invalid_grant"` answers 400 `invalid_grant` like Google for a revoked grant;
    `"stale"` mints a token the sandbox does not accept.
    """

    def __init__(self, sandbox: GoogleAdsSandbox) -> None:
        self.sandbox = sandbox
        self.mode: Literal["ok", "invalid_grant", "stale"] = "ok"
        self.requests: list[dict[str, list[str]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                endpoint.requests.append(form)
                status, body = endpoint.answer(form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def token_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def answer(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != ["refresh_token"] or self.mode == "invalid_grant":
            return 400, {"error": "invalid_grant", "error_description": "Token has been revoked."}
        token = "ya29.test-" + secrets.token_urlsafe(12)
        if self.mode == "ok":
            self.sandbox.set_token_state(token, "valid")
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def start(self) -> TokenEndpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture
def token_endpoint(ads_sandbox: GoogleAdsSandbox) -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint(ads_sandbox).start()
    try:
        yield endpoint
    finally:
        endpoint.stop()
