"""Where the ingest's tokens come from: the store, a sandbox's demo grant, or its OAuth.

Contract: `stored_tokens(store, workspace_id)` returns the workspace's active
integrations' tokens (production); `sandbox_tokens(endpoints)` the demo grant a
`connectors.sandbox.server.SandboxSuite` exposes (no network); `sandbox_login(settings)`
runs the real OAuth flows (Google code + PKCE for Drive and for Google Ads, Facebook
Login for Meta) against a sandbox, whose consent pages approve themselves when asked
(``sandbox_auto_approve=1``). The sandbox helpers never reach a real API
(`sandbox_login` refuses consent hosts that are not loopback addresses). Import these
from `orchestration.ingest`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from connectors.config import ConnectorSettings
from connectors.records import OAuthTokens
from orchestration.ingest_read import step
from orchestration.ingest_types import PLATFORMS, IngestPlatform, IngestTokens

if TYPE_CHECKING:
    from orchestration.store import Store

__all__ = ["sandbox_login", "sandbox_tokens", "stored_tokens"]

_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_SANDBOX_REDIRECT = "http://127.0.0.1:9/oauth/callback"
"""Never contacted: the sandbox answers the consent with a redirect we read, not follow."""


def stored_tokens(store: Store, workspace_id: str) -> IngestTokens:
    """The workspace's active integrations' tokens (None for a platform without one).

    Raises the store's `TokenDecryptionError` when the configured key is not the one the
    tokens were written with (the user must reconnect, or the key be restored).
    """
    active = {
        i.platform
        for i in store.list_integrations(workspace_id)
        if i.status == "active" and i.platform in PLATFORMS
    }
    found = {p: store.get_tokens(workspace_id, p) for p in PLATFORMS if p in active}
    return IngestTokens(**found)


def sandbox_tokens(endpoints: Mapping[str, Any]) -> IngestTokens:
    """The demo credentials of a sandbox (`SandboxSuite.endpoints()`); no network.

    One Google grant with the Drive, Sheets and Ads scopes (used for both Google
    platforms) and Meta's long-lived demo token.
    """
    google, meta = endpoints["google"], endpoints["meta"]
    grant = OAuthTokens(
        access_token=str(google["access_token"]),
        refresh_token=google.get("refresh_token"),
        scope=list(google.get("scopes") or []),
    )
    return IngestTokens(
        google_drive=grant,
        meta=OAuthTokens(access_token=str(meta["access_token"])),
        google_ads=grant,
    )


async def _approved(url: str, timeout_s: float) -> str:
    """The callback URL a sandbox consent page redirects to when it approves itself."""
    import httpx

    separator = "&" if "?" in url else "?"
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as http:
        answer = await http.get(f"{url}{separator}sandbox_auto_approve=1")
    location = answer.headers.get("location")
    if answer.status_code not in (302, 303) or not location:
        raise RuntimeError(
            f"the sandbox consent page did not approve (HTTP {answer.status_code}): "
            f"{answer.text[:200]}"
        )
    return str(location)


async def sandbox_login(
    settings: ConnectorSettings,
    *,
    workspace_id: str = "sandbox",
    timeout_s: float = 10.0,
) -> IngestTokens:
    """Connect the three platforms through the connectors' real OAuth flows, auto-approved.

    `settings` must point at a sandbox on this machine (`sandbox_env`): Google's and
    Meta's consent hosts must be loopback addresses, else `ValueError` before any
    request. OAuth errors are the connectors' typed errors, prefixed with the platform.
    """
    for name, url in (
        ("MEDIAPLAN_GOOGLE_AUTH_URL", settings.google.auth_url),
        ("MEDIAPLAN_META_DIALOG_URL", settings.meta.dialog_url),
    ):
        if urlsplit(url).hostname not in _LOOPBACK:
            raise ValueError(f"sandbox_login needs a local sandbox, but {name} is {url}")
    from connectors.google_drive import DRIVE_SCOPES
    from connectors.google_oauth import SCOPE_ADWORDS, GoogleOAuthFlow, InMemoryStateStore
    from connectors.meta import MetaOAuth

    states = InMemoryStateStore()

    async def google(platform: IngestPlatform, scopes: tuple[str, ...]) -> OAuthTokens:
        config = settings.google.oauth_config(
            scopes, redirect_uri=_SANDBOX_REDIRECT, timeout_s=timeout_s
        )
        flow = GoogleOAuthFlow(config, states, platform=platform)
        with step(platform, "connecting (OAuth)"):
            request = await flow.start(workspace_id)
            done = await flow.complete(await _approved(request.url, timeout_s))
        return done.tokens

    async def meta() -> OAuthTokens:
        oauth = MetaOAuth(settings.meta.oauth_config(timeout_s=timeout_s), states)
        with step("meta", "connecting (Facebook Login)"):
            url = await oauth.authorization_url(
                workspace_id=workspace_id, redirect_uri=_SANDBOX_REDIRECT
            )
            login = await oauth.complete(await _approved(url, timeout_s))
        return login.tokens

    drive, ads, meta_tokens = await asyncio.gather(
        google("google_drive", DRIVE_SCOPES), google("google_ads", (SCOPE_ADWORDS,)), meta()
    )
    return IngestTokens(google_drive=drive, meta=meta_tokens, google_ads=ads)
