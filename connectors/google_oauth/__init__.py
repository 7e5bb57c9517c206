"""Google OAuth 2.0 (authorization code + PKCE, offline access) for every Google platform.

The same flow connects Google Drive/Sheets (`SCOPE_DRIVE_METADATA_READONLY`,
`SCOPE_SPREADSHEETS_READONLY`) and Google Ads (`SCOPE_ADWORDS`): build one
`GoogleOAuthFlow` per platform with its required scopes and a shared `StateStore`.
Endpoints default to Google's; point them at the sandbox's ``endpoints`` in tests.
"""

from connectors.google_oauth.errors import (
    AuthorizationDeniedError,
    MissingScopesError,
    OAuthStateError,
    retry_after_seconds,
)
from connectors.google_oauth.flow import (
    GOOGLE_AUTH_URL,
    GOOGLE_REVOKE_URL,
    GOOGLE_TOKEN_URL,
    SCOPE_ADWORDS,
    SCOPE_DRIVE_METADATA_READONLY,
    SCOPE_SPREADSHEETS_READONLY,
    AuthorizationRequest,
    CompletedAuthorization,
    GoogleOAuthConfig,
    GoogleOAuthFlow,
)
from connectors.google_oauth.state import (
    InMemoryStateStore,
    PendingAuthorization,
    StateStore,
)

__all__ = [
    "GOOGLE_AUTH_URL",
    "GOOGLE_REVOKE_URL",
    "GOOGLE_TOKEN_URL",
    "SCOPE_ADWORDS",
    "SCOPE_DRIVE_METADATA_READONLY",
    "SCOPE_SPREADSHEETS_READONLY",
    "AuthorizationDeniedError",
    "AuthorizationRequest",
    "CompletedAuthorization",
    "GoogleOAuthConfig",
    "GoogleOAuthFlow",
    "InMemoryStateStore",
    "MissingScopesError",
    "OAuthStateError",
    "PendingAuthorization",
    "StateStore",
    "retry_after_seconds",
]
