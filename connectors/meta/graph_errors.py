"""Graph API error bodies mapped to the typed `connectors.errors`.

Contract: `error_from_graph` turns one Graph error (`{"error": {"code", "error_subcode",
"is_transient", "message", "type", "fbtrace_id"}}`, the HTTP status and the response
headers) into exactly one `ConnectorError`:

- throttling, codes 4, 17, 32, 613 and 80000-80014 (and HTTP 429) -> `RateLimitedError`
  with `retry_after_s` = the longest `estimated_time_to_regain_access` of the usage
  headers (at least `MIN_THROTTLE_WAIT_S`), else `MIN_THROTTLE_WAIT_S`;
- 190 (invalid/expired token), 102 (session), 10 and 200-299 (permission) ->
  `ReconnectRequiredError`;
- 1, 2, `is_transient: true` or HTTP >= 500 -> `TransientError`;
- 100 with subcode 33 (object does not exist) and 803 -> `NotFoundError`;
- anything else (100 bad parameter, ...) -> `MetaRequestError` (not retryable).

`redact` removes tokens and secrets from text (URLs in transport errors carry them in
the query string); error messages built from foreign exceptions go through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.errors import (
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.meta.usage import parse_usage_headers

__all__ = [
    "MIN_THROTTLE_WAIT_S",
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "MetaRequestError",
    "error_from_graph",
    "redact",
]

PLATFORM = "meta"
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
AUTH_CODES = frozenset({102, 190})
MIN_THROTTLE_WAIT_S = 60.0
_SECRET_PARAM = re.compile(
    r"(access_token|appsecret_proof|client_secret|fb_exchange_token|input_token|code)=[^&\s'\"]+"
)


def redact(text: str) -> str:
    """`text` with the values of token/secret query parameters replaced by `***`."""
    return _SECRET_PARAM.sub(r"\1=***", text)


class MetaRequestError(ConnectorError):
    """Meta rejected the request itself (bad parameter, unsupported call): do not retry."""

    retryable = False

    def __init__(
        self, message: str, *, code: int | None = None, subcode: int | None = None
    ) -> None:
        super().__init__(message, platform=PLATFORM)
        self.code = code
        self.subcode = subcode


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def error_from_graph(
    error: Mapping[str, Any] | None,
    *,
    http_status: int | None,
    headers: Mapping[str, str] | None = None,
) -> ConnectorError:
    """The typed error for one Graph error object (`body["error"]`; None if absent)."""
    err = error or {}
    code = _int(err.get("code"))
    subcode = _int(err.get("error_subcode"))
    transient = err.get("is_transient") is True
    message = str(err.get("message") or f"Graph API call failed (HTTP {http_status})")
    detail = f"{message} [code={code} subcode={subcode} status={http_status}"
    detail += f" fbtrace_id={err.get('fbtrace_id')}]"
    if code in THROTTLE_CODES or (code is None and http_status == 429):
        usage = parse_usage_headers(headers or {})
        regain = usage.regain_access_s if usage else None
        wait = max(regain, MIN_THROTTLE_WAIT_S) if regain else MIN_THROTTLE_WAIT_S
        return RateLimitedError(detail, platform=PLATFORM, retry_after_s=wait)
    if code in AUTH_CODES or code == 10 or (code is not None and 200 <= code <= 299):
        return ReconnectRequiredError(detail, platform=PLATFORM)
    if code in TRANSIENT_CODES or transient or (http_status or 0) >= 500:
        return TransientError(detail, platform=PLATFORM)
    if code == 803 or (code == 100 and subcode == 33):
        return NotFoundError(detail, platform=PLATFORM)
    return MetaRequestError(detail, code=code, subcode=subcode)
