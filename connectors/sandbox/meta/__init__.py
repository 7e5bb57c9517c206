"""The Meta sandbox: Facebook Login and the Graph Marketing API on 127.0.0.1.

Start it with `await start_meta_sandbox(data)` (or `async with MetaSandbox(data)`, or
`MetaSandboxThread` for synchronous code, or ``python -m connectors.sandbox.meta``) and
point `MetaOAuthConfig(graph_url=..., dialog_url=...)` / `MetaConnectorConfig(graph_url=...)`
at `sandbox.base_url` with the demo app's id and secret. See `server` for the contract,
`graph_routes` / `oauth_routes` for what is served and `control` for faults and the
``/_sandbox/...`` mutation API that triggers signed webhooks.
"""

from connectors.sandbox.meta.context import (
    DEMO_APP_ID,
    DEMO_APP_SECRET,
    DEMO_VERIFY_TOKEN,
    MetaSandboxConfig,
    WebhookDelivery,
)
from connectors.sandbox.meta.server import (
    MetaEndpoints,
    MetaSandbox,
    MetaSandboxThread,
    start_meta_sandbox,
)

__all__ = [
    "DEMO_APP_ID",
    "DEMO_APP_SECRET",
    "DEMO_VERIFY_TOKEN",
    "MetaEndpoints",
    "MetaSandbox",
    "MetaSandboxConfig",
    "MetaSandboxThread",
    "WebhookDelivery",
    "start_meta_sandbox",
]
