"""Google sandbox: OAuth 2.0, Drive v3 and Sheets v4 on 127.0.0.1 for the unmodified SDKs.

Start it with ``async with await start_google_sandbox(data) as sandbox:`` (or
`GoogleSandbox` / `GoogleSandboxThread` for synchronous code), point clients at
``sandbox.endpoints`` and use ``sandbox.client_id`` / ``client_secret``. See `server`
for what is served, `faults` (``connectors.sandbox.faults``) for fault injection and
`consent.submit_consent` to approve the consent page without a browser.
"""

from connectors.sandbox.google.consent import ConsentPageError, submit_consent
from connectors.sandbox.google.context import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    GoogleSandboxConfig,
)
from connectors.sandbox.google.push import PushDelivery
from connectors.sandbox.google.runner import GoogleSandboxThread
from connectors.sandbox.google.server import GoogleSandbox, start_google_sandbox

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "ConsentPageError",
    "GoogleSandbox",
    "GoogleSandboxConfig",
    "GoogleSandboxThread",
    "PushDelivery",
    "start_google_sandbox",
    "submit_consent",
]
