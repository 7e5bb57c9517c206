"""google-auth credentials for the Google Ads connector, to and from stored `OAuthTokens`.

Contract: `credentials_from_tokens` builds the `google.oauth2.credentials.Credentials` the
connector refreshes against `token_url` (Google's, or a sandbox's); `tokens_from_credentials`
reads them back (after a refresh) so the caller can persist the new access token. Expiries
are aware UTC in `OAuthTokens` and naive UTC in google-auth. `TimedRequest` is the
google-auth HTTP transport with an explicit timeout on every token request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.auth.credentials import Credentials as BaseCredentials
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials

from connectors.records import OAuthTokens

__all__ = ["TimedRequest", "credentials_from_tokens", "tokens_from_credentials"]


def credentials_from_tokens(
    tokens: OAuthTokens, *, client_id: str, client_secret: str, token_url: str
) -> Credentials:
    expiry = tokens.expires_at
    return Credentials(  # type: ignore[no-untyped-call]
        token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_uri=token_url,
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(tokens.scope) or None,
        expiry=None if expiry is None else expiry.astimezone(dt.UTC).replace(tzinfo=None),
    )


def tokens_from_credentials(credentials: BaseCredentials) -> OAuthTokens:
    """The tokens of any google-auth credentials (refresh token and scopes if they have them)."""
    expiry = credentials.expiry
    granted = getattr(credentials, "granted_scopes", None) or getattr(credentials, "scopes", None)
    return OAuthTokens(
        access_token=str(credentials.token),
        refresh_token=getattr(credentials, "refresh_token", None),
        expires_at=None if expiry is None else expiry.replace(tzinfo=dt.UTC),
        scope=list(granted or []),
    )


class TimedRequest(Request):
    """`google.auth.transport.requests.Request` whose calls default to `timeout_s`."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        timeout_s = timeout or self.timeout_s
        return super().__call__(url, method, body, headers, timeout_s, **kwargs)  # type: ignore[no-untyped-call]
