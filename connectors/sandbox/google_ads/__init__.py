"""Google Ads API sandbox: a local gRPC server for the unmodified `google-ads` client.

Start it with `start_google_ads_sandbox(data)` (or `python -m connectors.sandbox.google_ads`)
and point `GoogleAdsClient(credentials, developer_token=sandbox.developer_token,
endpoint=sandbox.endpoint, ...)` at it. Change the world through `sandbox.state`
(`add_spend`, `pause_campaign`, ...), inject failures through `sandbox.faults` (the shared
`connectors.sandbox.faults.FaultPlan`), or over HTTP with `AdminServer` (`admin.py`).
See `server.py` and `service.py` for the contract.
"""

from connectors.sandbox.google_ads.admin import AdminServer
from connectors.sandbox.google_ads.gaql import GaqlError, GaqlQuery, evaluate, parse_gaql
from connectors.sandbox.google_ads.server import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_DEVELOPER_TOKEN,
    DEMO_REFRESH_TOKEN,
    GoogleAdsSandbox,
    oauth_token_validator,
    start_google_ads_sandbox,
)
from connectors.sandbox.google_ads.service import RecordedCall, TokenState
from connectors.sandbox.google_ads.state import GoogleAdsState, channel_type_for
from connectors.sandbox.google_ads.tls import SandboxCertificate, sandbox_certificate

__all__ = [
    "DEMO_ACCESS_TOKEN",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_DEVELOPER_TOKEN",
    "DEMO_REFRESH_TOKEN",
    "AdminServer",
    "GaqlError",
    "GaqlQuery",
    "GoogleAdsSandbox",
    "GoogleAdsState",
    "RecordedCall",
    "SandboxCertificate",
    "TokenState",
    "channel_type_for",
    "evaluate",
    "oauth_token_validator",
    "parse_gaql",
    "sandbox_certificate",
    "start_google_ads_sandbox",
]
