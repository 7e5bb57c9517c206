"""Graph API error bodies and usage headers, as the Meta sandbox puts them on the wire.

Contract: `GraphError` is raised anywhere in the sandbox and rendered by `graph_error`
into Meta's envelope, ``{"error": {"message", "type", "code", "error_subcode"?,
"is_transient"?, "fbtrace_id"}}``, which facebook-business parses into
`FacebookRequestError`. `throttle_error` builds a business-use-case throttling error
(code 80004 and friends) with the `X-Business-Use-Case-Usage` header announcing
`estimated_time_to_regain_access`; `usage_headers` are the low-usage headers every
successful Graph answer carries.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field

from aiohttp import web

__all__ = [
    "GraphError",
    "expired_token_error",
    "graph_error",
    "invalid_token_error",
    "throttle_error",
    "usage_headers",
]

_trace = itertools.count(1)


@dataclass
class GraphError(Exception):
    code: int
    message: str
    subcode: int | None = None
    status: int = 400
    type: str = "OAuthException"
    is_transient: bool | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)


def graph_error(error: GraphError) -> web.Response:
    body: dict[str, object] = {"message": error.message, "type": error.type, "code": error.code}
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    if error.is_transient is not None:
        body["is_transient"] = error.is_transient
    body["fbtrace_id"] = f"ASandbox{next(_trace):08d}"
    return web.json_response({"error": body}, status=error.status, headers=error.headers)


def invalid_token_error() -> GraphError:
    return GraphError(190, "Invalid OAuth access token - Cannot parse access token")


def expired_token_error(expired_at: str, now: str) -> GraphError:
    return GraphError(
        190,
        f"Error validating access token: Session has expired on {expired_at}. "
        f"The current time is {now}.",
        subcode=463,
    )


def usage_headers(account_id: str | None, *, pct: int = 1, regain_min: int = 0) -> dict[str, str]:
    """`X-App-Usage` always; BUC and ad-account usage for ad-account calls."""
    app = {"call_count": pct, "total_cputime": pct, "total_time": pct}
    headers = {"X-App-Usage": json.dumps(app)}
    if account_id:
        buc = {
            account_id: [
                {
                    "type": "ads_management",
                    "call_count": pct,
                    "total_cputime": pct,
                    "total_time": pct,
                    "estimated_time_to_regain_access": regain_min,
                }
            ]
        }
        headers["X-Business-Use-Case-Usage"] = json.dumps(buc)
        headers["X-Ad-Account-Usage"] = json.dumps(
            {"acc_id_util_pct": pct, "reset_time_duration": regain_min * 60}
        )
    return headers


def throttle_error(
    account_id: str | None, *, retry_after_s: float | None, status: int = 400, code: int = 80004
) -> GraphError:
    """Meta's ads-management throttling error with the usage header announcing the wait."""
    regain_min = max(1, math.ceil((retry_after_s or 60.0) / 60.0))
    message = (
        f"(#{code}) There have been too many calls to this ad-account. Wait a bit and try "
        "again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management."
    )
    return GraphError(
        code,
        message,
        subcode=2446079,
        status=status,
        is_transient=True,
        headers=usage_headers(account_id or "0", pct=100, regain_min=regain_min),
    )
