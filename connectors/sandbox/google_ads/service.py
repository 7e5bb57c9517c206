"""Request handling of the Google Ads sandbox: checks, faults, GAQL, pages and streams.

Contract: `AdsServicer` implements `ListAccessibleCustomers`, `Search` and `SearchStream`
for a `SandboxView` (the sandbox's state, token table, fault plan and call log). Order per
call: record it; fire a fault from the shared `connectors.sandbox.faults.FaultPlan`
(matched with method `POST` and the full gRPC path, e.g.
`/google.ads.googleads.v26.services.GoogleAdsService/Search`); check `developer-token`,
the bearer token, the customer id and `login-customer-id`; run the query. Failures end
the call with the status and `GoogleAdsFailure` trailer the real API sends.

How the shared fault kinds look on this wire:
- `status`: 429 -> `RESOURCE_EXHAUSTED` + `QuotaError.RESOURCE_TEMPORARILY_EXHAUSTED`
  (with `quota_error_details.retry_delay` = `retry_after_s` when set); 401 ->
  `UNAUTHENTICATED`/`OAUTH_TOKEN_INVALID`; 403 -> `PERMISSION_DENIED`/
  `USER_PERMISSION_DENIED`; 404 -> `NOT_FOUND`; 500 -> `INTERNAL`/`InternalError`;
  503 (and other 5xx) -> `UNAVAILABLE`; 504 -> `DEADLINE_EXCEEDED`; other 4xx ->
  `INVALID_ARGUMENT`.
- `delay`: answer after `delay_s` (a shorter client deadline sees `DEADLINE_EXCEEDED`).
- `expire_token` / `revoke_refresh`: the request's token becomes expired / revoked first.
- `malformed`: `body` None -> the first page or batch is bytes that do not parse;
  `"partial"` -> its rows carry only resource names; `"interrupt"` -> SearchStream sends
  one batch, then fails with `UNAVAILABLE`; any other text -> those bytes as the page.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, Protocol

import grpc  # type: ignore[import-untyped]

from connectors.sandbox.faults import Fault, FaultPlan
from connectors.sandbox.google_ads import protos
from connectors.sandbox.google_ads.gaql import GaqlError, GaqlQuery, Row, parse_gaql
from connectors.sandbox.google_ads.state import ChangeStatusQueryError, GoogleAdsState

__all__ = ["AdsServicer", "RecordedCall", "RpcMethod", "SandboxView", "TokenState"]

RpcMethod = Literal["Search", "SearchStream", "ListAccessibleCustomers"]
TokenState = Literal["valid", "expired", "revoked", "invalid"]
_PATHS: dict[RpcMethod, str] = {
    "Search": f"/{protos.GOOGLE_ADS_SERVICE}/Search",
    "SearchStream": f"/{protos.GOOGLE_ADS_SERVICE}/SearchStream",
    "ListAccessibleCustomers": f"/{protos.CUSTOMER_SERVICE}/ListAccessibleCustomers",
}
_Failure = tuple[Any, str | None, str, str]
_STATUS_FAULTS: dict[int, _Failure] = {
    429: (
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "quota_error",
        "RESOURCE_TEMPORARILY_EXHAUSTED",
        "Too many requests. Retry in the time the failure details announce.",
    ),
    401: (
        grpc.StatusCode.UNAUTHENTICATED,
        "authentication_error",
        "OAUTH_TOKEN_INVALID",
        "Request had invalid authentication credentials.",
    ),
    403: (
        grpc.StatusCode.PERMISSION_DENIED,
        "authorization_error",
        "USER_PERMISSION_DENIED",
        "The caller does not have permission.",
    ),
    404: (grpc.StatusCode.NOT_FOUND, "request_error", "RESOURCE_NOT_FOUND", "Not found."),
    500: (grpc.StatusCode.INTERNAL, "internal_error", "INTERNAL_ERROR", "Internal error."),
    503: (grpc.StatusCode.UNAVAILABLE, None, "", "The service is currently unavailable."),
    504: (grpc.StatusCode.DEADLINE_EXCEEDED, None, "", "Deadline exceeded."),
}
_TOKEN_ERRORS = {
    "expired": "OAUTH_TOKEN_EXPIRED",
    "revoked": "OAUTH_TOKEN_REVOKED",
    "invalid": "OAUTH_TOKEN_INVALID",
}
_UNPARSEABLE = b"\xff\xff\xff\xff\xff"


@dataclass(frozen=True)
class RecordedCall:
    method: RpcMethod
    customer_id: str | None
    query: str | None
    metadata: Mapping[str, str]
    """Request metadata without `authorization`."""
    deadline_s: float | None
    """Seconds the client's deadline left when the call arrived (None: no deadline)."""


class SandboxView(Protocol):
    state: GoogleAdsState
    faults: FaultPlan
    developer_token: str
    page_size: int

    def token_state(self, token: str) -> TokenState: ...

    def set_token_state(self, token: str, state: TokenState) -> None: ...

    def record(self, call: RecordedCall) -> None: ...


@dataclass(frozen=True)
class _Shape:
    """How a fired `malformed` fault bends the answer."""

    body: bytes | None = None
    partial: bool = False
    interrupt: bool = False


def _status_failure(status: int) -> _Failure:
    if status in _STATUS_FAULTS:
        return _STATUS_FAULTS[status]
    if status >= 500:
        return _STATUS_FAULTS[503]
    return (grpc.StatusCode.INVALID_ARGUMENT, "request_error", "UNKNOWN", "Bad request.")


class AdsServicer:
    def __init__(self, sandbox: SandboxView, stopping: threading.Event) -> None:
        self._sandbox = sandbox
        self._stopping = stopping
        self._request_ids = itertools.count(1)

    def _request_id(self) -> str:
        return f"sandbox-{next(self._request_ids):08d}"

    def _fail(
        self,
        context: Any,
        failure: _Failure,
        message: str | None = None,
        retry_delay_s: float | None = None,
    ) -> NoReturn:
        code, category, error, default_message = failure
        text = message or default_message
        request_id = self._request_id()
        trailer: list[tuple[str, str | bytes]] = [("request-id", request_id)]
        if category is not None:
            details = protos.failure(
                category, error, text, request_id=request_id, retry_delay_s=retry_delay_s
            )
            trailer.insert(0, (protos.FAILURE_METADATA_KEY, details))
        context.set_trailing_metadata(tuple(trailer))
        context.abort(code, text)
        raise AssertionError("unreachable: context.abort raises")

    def _admit(
        self, context: Any, method: RpcMethod, customer_id: str | None, query: str | None
    ) -> _Shape:
        metadata = dict(context.invocation_metadata())
        remaining = context.time_remaining()
        deadline = remaining if remaining is not None and remaining < 1e9 else None
        recorded = {k: v for k, v in metadata.items() if k != "authorization"}
        self._sandbox.record(RecordedCall(method, customer_id, query, recorded, deadline))
        _, _, bearer = str(metadata.get("authorization", "")).partition(" ")
        fault = self._sandbox.faults.take("POST", _PATHS[method])
        shape = self._apply(context, fault, bearer) if fault is not None else _Shape()
        self._check_credentials(context, metadata, bearer, customer_id)
        return shape

    def _apply(self, context: Any, fault: Fault, bearer: str) -> _Shape:
        if fault.kind == "status":
            self._fail(context, _status_failure(fault.status), retry_delay_s=fault.retry_after_s)
        if fault.kind == "delay":
            end = time.monotonic() + fault.delay_s
            while context.is_active() and not self._stopping.is_set():
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._stopping.wait(min(left, 0.02))
        elif fault.kind in {"expire_token", "revoke_refresh"} and bearer:
            state: TokenState = "expired" if fault.kind == "expire_token" else "revoked"
            self._sandbox.set_token_state(bearer, state)
        elif fault.kind == "malformed":
            body = fault.body or ""
            if body == "partial":
                return _Shape(partial=True)
            if body == "interrupt":
                return _Shape(interrupt=True)
            return _Shape(body=body.encode() or _UNPARSEABLE)
        return _Shape()

    def _check_credentials(
        self, context: Any, metadata: Mapping[str, object], bearer: str, customer_id: str | None
    ) -> None:
        unauthenticated = grpc.StatusCode.UNAUTHENTICATED
        invalid = grpc.StatusCode.INVALID_ARGUMENT
        developer_token = metadata.get("developer-token")
        if not developer_token:
            missing = (invalid, "request_error", "DEVELOPER_TOKEN_PARAMETER_MISSING", "")
            self._fail(context, missing, "The developer-token metadata is missing.")
        if developer_token != self._sandbox.developer_token:
            bad = (unauthenticated, "authentication_error", "DEVELOPER_TOKEN_INVALID", "")
            self._fail(context, bad, "The developer token is not valid.")
        scheme = str(metadata.get("authorization", "")).partition(" ")[0]
        if scheme.lower() != "bearer" or not bearer:
            header = (unauthenticated, "authentication_error", "OAUTH_TOKEN_HEADER_INVALID", "")
            self._fail(context, header, "The authorization metadata is not a Bearer token.")
        state = self._sandbox.token_state(bearer)
        if state != "valid":
            error = _TOKEN_ERRORS[state]
            self._fail(context, (unauthenticated, "authentication_error", error, f"{error}."))
        if customer_id is None:
            return
        login = metadata.get("login-customer-id")
        for value in (customer_id, login):
            if value is not None and not (isinstance(value, str) and _is_customer_id(value)):
                bad_id = (invalid, "request_error", "INVALID_CUSTOMER_ID", "")
                self._fail(context, bad_id, f"Invalid customer id {value!r}: use 10 digits.")
        denied = self._sandbox.state.authorize(
            customer_id, login if isinstance(login, str) else None
        )
        if denied is not None:
            text = f"The caller does not have permission ({denied}) for customer {customer_id}."
            failure = (grpc.StatusCode.PERMISSION_DENIED, "authorization_error", denied, "")
            self._fail(context, failure, text)

    def _query(self, context: Any, customer_id: str, text: str) -> tuple[GaqlQuery, list[Row]]:
        invalid = grpc.StatusCode.INVALID_ARGUMENT
        try:
            query = parse_gaql(text)
            return query, self._sandbox.state.run_query(customer_id, query)
        except GaqlError as exc:
            self._fail(context, (invalid, "query_error", exc.code, str(exc)))
        except ChangeStatusQueryError as exc:
            self._fail(context, (invalid, "change_status_error", exc.code, str(exc)))

    def list_accessible_customers(self, request: Any, context: Any) -> Any:
        shape = self._admit(context, "ListAccessibleCustomers", None, None)
        response = protos.ListAccessibleCustomersResponse()
        ids = self._sandbox.state.accessible_customers()
        response.resource_names.extend(f"customers/{cid}" for cid in ids)
        context.set_trailing_metadata((("request-id", self._request_id()),))
        return shape.body if shape.body is not None else response

    def search(self, request: Any, context: Any) -> Any:
        shape = self._admit(context, "Search", request.customer_id, request.query)
        invalid = grpc.StatusCode.INVALID_ARGUMENT
        if request.page_size:
            self._fail(
                context,
                (invalid, "request_error", "PAGE_SIZE_NOT_SUPPORTED", ""),
                "Setting the page size is not supported; pages have a fixed size.",
            )
        query, rows = self._query(context, request.customer_id, request.query)
        key = f"{request.customer_id}\n{request.query}".encode()
        fingerprint = hashlib.sha256(key).hexdigest()[:16]
        offset = _page_offset(request.page_token, fingerprint)
        if offset is None or offset > len(rows):
            bad = (invalid, "request_error", "INVALID_PAGE_TOKEN", "The page token is invalid.")
            self._fail(context, bad)
        end = offset + self._sandbox.page_size
        response = protos.SearchResponse()
        _write(query, rows[offset:end], response, partial=shape.partial)
        if end < len(rows):
            response.next_page_token = _page_token(end, fingerprint)
        if request.search_settings.return_total_results_count:
            response.total_results_count = len(rows)
        context.set_trailing_metadata((("request-id", self._request_id()),))
        return shape.body if shape.body is not None else response

    def search_stream(self, request: Any, context: Any) -> Iterator[Any]:
        shape = self._admit(context, "SearchStream", request.customer_id, request.query)
        query, rows = self._query(context, request.customer_id, request.query)
        request_id = self._request_id()
        context.set_trailing_metadata((("request-id", request_id),))
        size = self._sandbox.page_size
        for index, start in enumerate(range(0, max(len(rows), 1), size)):
            if index == 1 and shape.interrupt:
                unavailable = _STATUS_FAULTS[503]
                self._fail(context, unavailable, "The stream was interrupted.")
            if index == 0 and shape.body is not None:
                yield shape.body
                continue
            batch = protos.SearchStreamResponse()
            batch.request_id = request_id
            _write(query, rows[start : start + size], batch, partial=index == 0 and shape.partial)
            yield batch


def _is_customer_id(value: str) -> bool:
    return len(value) == 10 and value.isdigit()


def _write(query: GaqlQuery, rows: list[Row], response: Any, *, partial: bool) -> None:
    fields = [f"{query.resource}.resource_name"] if partial else list(query.select)
    protos.RowWriter(fields).write(rows, response.results)
    response.field_mask.paths.extend(query.select)


def _page_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _page_offset(token: str, fingerprint: str) -> int | None:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = data["o"]
        valid = data["f"] == fingerprint and isinstance(offset, int) and offset >= 0
    except (ValueError, KeyError, TypeError):
        return None
    return offset if valid else None
