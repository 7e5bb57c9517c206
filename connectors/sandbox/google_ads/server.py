"""The Google Ads sandbox: a local gRPC server the unmodified `google-ads` client talks to.

Contract: `start_google_ads_sandbox(data, host, port)` starts a TLS gRPC server serving
`CustomerService.ListAccessibleCustomers`, `GoogleAdsService.Search` (fixed pages of
`page_size` rows, opaque page tokens; `page_size` in a request is rejected with
`PAGE_SIZE_NOT_SUPPORTED`, as in v26) and `GoogleAdsService.SearchStream` (batches of
`page_size` rows); `service.py` has the per-call checks and how faults look.

Why TLS (research §4.2 recipe A, see `tls.py`): `GoogleAdsClient.get_service()` always
builds a TLS channel, so with the sandbox's certificate in gRPC's default roots the stock
`GoogleAdsClient(credentials, developer_token=..., endpoint=sandbox.endpoint)` reaches
the sandbox and production and sandbox run the same client code (recipe B, a plaintext
channel, would need the connector to assemble its own channel and interceptors).

Tokens: the demo access token is valid; `set_token_state` expires, revokes or accepts
others, and `token_validator` can delegate to another sandbox's OAuth server (see
`oauth_token_validator`). `stop()` shuts the server and its threads down (idempotent).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

import grpc  # type: ignore[import-untyped]
from google.oauth2.credentials import Credentials

from connectors.sandbox.data import SandboxData
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.google_ads import protos
from connectors.sandbox.google_ads.service import (
    AdsServicer,
    RecordedCall,
    TokenState,
)
from connectors.sandbox.google_ads.state import GoogleAdsState
from connectors.sandbox.google_ads.tls import (
    SandboxCertificate,
    sandbox_certificate,
    trust_sandbox_certificate,
)

__all__ = [
    "DEMO_ACCESS_TOKEN",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_DEVELOPER_TOKEN",
    "DEMO_REFRESH_TOKEN",
    "GoogleAdsSandbox",
    "oauth_token_validator",
    "start_google_ads_sandbox",
]

DEMO_DEVELOPER_TOKEN = "sandbox-developer-token"
DEMO_ACCESS_TOKEN = "sandbox-ads-access-token"
DEMO_REFRESH_TOKEN = "sandbox-ads-refresh-token"
DEMO_CLIENT_ID = "sandbox-ads-client.apps.googleusercontent.com"
DEMO_CLIENT_SECRET = "sandbox-ads-client-secret"
ADWORDS_SCOPE = "https://www.googleapis.com/auth/adwords"


def oauth_token_validator(
    scopes_of: Callable[[str], tuple[str, ...] | None], scope: str = ADWORDS_SCOPE
) -> Callable[[str], TokenState]:
    """A `token_validator` accepting live tokens that carry `scope`, e.g. from
    `GoogleSandbox.validate_access_token` (scopes of a live token, None otherwise)."""

    def validate(token: str) -> TokenState:
        scopes = scopes_of(token)
        return "valid" if scopes is not None and scope in scopes else "invalid"

    return validate


class GoogleAdsSandbox:
    def __init__(
        self,
        data: SandboxData,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        developer_token: str = DEMO_DEVELOPER_TOKEN,
        page_size: int = 10_000,
        direct_access: list[str] | None = None,
        certificate: SandboxCertificate | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        max_workers: int = 16,
    ) -> None:
        if clock is None:
            self.state = GoogleAdsState(data, direct_access=direct_access)
        else:
            self.state = GoogleAdsState(data, direct_access=direct_access, clock=clock)
        self.faults = FaultPlan()
        self.developer_token = developer_token
        self.page_size = page_size
        self.access_token = DEMO_ACCESS_TOKEN
        self.refresh_token = DEMO_REFRESH_TOKEN
        self.client_id = DEMO_CLIENT_ID
        self.client_secret = DEMO_CLIENT_SECRET
        self.token_validator: Callable[[str], TokenState] | None = None
        """Decides tokens not marked locally, e.g. `oauth_token_validator(...)`."""
        self.certificate = certificate or sandbox_certificate()
        self.port = 0
        self._host, self._requested_port, self._max_workers = host, port, max_workers
        self._tokens: dict[str, TokenState] = {DEMO_ACCESS_TOKEN: "valid"}
        self._calls: list[RecordedCall] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: Any = None
        self._executor: ThreadPoolExecutor | None = None

    # ---- lifecycle ---------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """`host:port` for `GoogleAdsClient(endpoint=...)`."""
        if not self.port:
            raise RuntimeError("the Google Ads sandbox is not started")
        return f"{self._host}:{self.port}"

    def start(self) -> GoogleAdsSandbox:
        if self._server is not None:
            return self
        trust_sandbox_certificate(self.certificate)
        self._stopping.clear()
        executor = ThreadPoolExecutor(self._max_workers, thread_name_prefix="ads-sandbox")
        server = grpc.server(executor, options=[("grpc.so_reuseport", 0)])
        server.add_generic_rpc_handlers(_handlers(AdsServicer(self, self._stopping)))
        identity = [(self.certificate.key_pem, self.certificate.cert_pem)]
        address = f"{self._host}:{self._requested_port}"
        port = server.add_secure_port(address, grpc.ssl_server_credentials(identity))
        if not port:
            executor.shutdown(wait=False)
            raise OSError(f"the Google Ads sandbox cannot listen on {address}")
        server.start()
        self._server, self._executor, self.port = server, executor, port
        return self

    def stop(self, grace: float | None = 0.5) -> None:
        server, executor = self._server, self._executor
        self._server = self._executor = None
        self._stopping.set()
        if server is not None:
            server.stop(grace).wait()
        if executor is not None:
            executor.shutdown(wait=True)

    def __enter__(self) -> GoogleAdsSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- tokens and the call log ---------------------------------------------------

    def set_token_state(self, token: str, state: TokenState) -> None:
        """Accept (`valid`), expire, revoke or forget (`invalid`) an access token."""
        with self._lock:
            self._tokens[token] = state

    def token_state(self, token: str) -> TokenState:
        with self._lock:
            local = self._tokens.get(token)
        if local is not None and (local != "valid" or self.token_validator is None):
            return local
        if self.token_validator is not None:
            return self.token_validator(token)
        return "invalid"

    def credentials(self, *, token_uri: str | None = None, token: str | None = None) -> Credentials:
        """Demo OAuth credentials (no expiry, so google-auth refreshes only when told to)."""
        return Credentials(  # type: ignore[no-untyped-call]
            token=self.access_token if token is None else token,
            refresh_token=self.refresh_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_uri=token_uri or "http://127.0.0.1:9/token",
        )

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[RecordedCall]:
        """Every call served, oldest first (metadata without the bearer token)."""
        with self._lock:
            return list(self._calls)

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()


def _serialize(message: Any) -> bytes:
    return message if isinstance(message, bytes) else bytes(message.SerializeToString())


def _handlers(servicer: AdsServicer) -> tuple[Any, ...]:
    ads = grpc.method_handlers_generic_handler(
        protos.GOOGLE_ADS_SERVICE,
        {
            "Search": grpc.unary_unary_rpc_method_handler(
                servicer.search,
                request_deserializer=protos.SearchRequest.FromString,
                response_serializer=_serialize,
            ),
            "SearchStream": grpc.unary_stream_rpc_method_handler(
                servicer.search_stream,
                request_deserializer=protos.SearchStreamRequest.FromString,
                response_serializer=_serialize,
            ),
        },
    )
    customers = grpc.method_handlers_generic_handler(
        protos.CUSTOMER_SERVICE,
        {
            "ListAccessibleCustomers": grpc.unary_unary_rpc_method_handler(
                servicer.list_accessible_customers,
                request_deserializer=protos.ListAccessibleCustomersRequest.FromString,
                response_serializer=_serialize,
            )
        },
    )
    return (ads, customers)


def start_google_ads_sandbox(
    data: SandboxData,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    developer_token: str = DEMO_DEVELOPER_TOKEN,
    page_size: int = 10_000,
    direct_access: list[str] | None = None,
    certificate: SandboxCertificate | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> GoogleAdsSandbox:
    """A started `GoogleAdsSandbox` (port 0: an ephemeral port). Stop it with `stop()`."""
    sandbox = GoogleAdsSandbox(
        data,
        host=host,
        port=port,
        developer_token=developer_token,
        page_size=page_size,
        direct_access=direct_access,
        certificate=certificate,
        clock=clock,
    )
    return sandbox.start()
