"""Connector configuration from environment variables: the real APIs, or the sandbox.

Contract: `ConnectorSettings.from_env(env)` reads the variables of `ENV_VARS` (blank
counts as unset) and never does I/O. Every endpoint defaults to the real Google / Meta
API, so the same connectors talk to the real platforms once the app credentials are set,
or to `mediaplan sandbox` once its endpoints are: `sandbox_env(endpoints)` turns the
sandbox's JSON line into exactly these variables. The builders (`oauth_config`,
`drive_settings`, `connector_config`, `settings`, ...) return each connector's own
configuration object and raise `MissingCredentialsError` naming the unset variables; a
malformed value (a login customer id that is not 10 digits) raises `ValueError` naming
its variable. Secrets are kept out of ``repr``.

Google OAuth is one client for Drive/Sheets and Google Ads (as in the Google Cloud
console); Google Ads additionally needs a developer token. Heavy client libraries are
imported only by the builder that needs them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.google_ads.transport import GoogleAdsSettings
    from connectors.google_drive.connector import DriveSettings
    from connectors.google_oauth.flow import GoogleOAuthConfig
    from connectors.meta.config import MetaConnectorConfig
    from connectors.meta.oauth import MetaOAuthConfig

__all__ = [
    "ENV_VARS",
    "ConnectorSettings",
    "GoogleAdsAppSettings",
    "GoogleAppSettings",
    "MetaAppSettings",
    "MissingCredentialsError",
    "sandbox_env",
]

GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_REVOKE_URL = "https://oauth2.googleapis.com/revoke"
DRIVE_API = "https://www.googleapis.com/drive/v3/"
SHEETS_API = "https://sheets.googleapis.com/"
META_GRAPH_URL = "https://graph.facebook.com"
META_DIALOG_URL = "https://www.facebook.com"
META_API_VERSION = "v26.0"
GRPC_ROOTS_ENV = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"

ENV_VARS: dict[str, str] = {
    "MEDIAPLAN_GOOGLE_CLIENT_ID": "Google OAuth client id (Drive/Sheets and Google Ads)",
    "MEDIAPLAN_GOOGLE_CLIENT_SECRET": "Google OAuth client secret",
    "MEDIAPLAN_GOOGLE_REDIRECT_URI": "OAuth callback URL registered with the Google client",
    "MEDIAPLAN_GOOGLE_AUTH_URL": f"consent page (default {GOOGLE_AUTH_URL})",
    "MEDIAPLAN_GOOGLE_TOKEN_URL": f"token endpoint (default {GOOGLE_TOKEN_URL})",
    "MEDIAPLAN_GOOGLE_REVOKE_URL": f"revocation endpoint (default {GOOGLE_REVOKE_URL})",
    "MEDIAPLAN_GOOGLE_DRIVE_API": f"Drive v3 API root (default {DRIVE_API})",
    "MEDIAPLAN_GOOGLE_SHEETS_API": f"Sheets v4 API root (default {SHEETS_API})",
    "MEDIAPLAN_META_APP_ID": "Meta app id",
    "MEDIAPLAN_META_APP_SECRET": "Meta app secret (signs calls and webhooks)",
    "MEDIAPLAN_META_VERIFY_TOKEN": "webhook verify token (hub.verify_token)",
    "MEDIAPLAN_META_REDIRECT_URI": "OAuth callback URL registered with the Meta app",
    "MEDIAPLAN_META_GRAPH_URL": f"Graph API host (default {META_GRAPH_URL})",
    "MEDIAPLAN_META_DIALOG_URL": f"Facebook Login dialog host (default {META_DIALOG_URL})",
    "MEDIAPLAN_META_API_VERSION": f"Graph API version (default {META_API_VERSION})",
    "MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN": "Google Ads API developer token",
    "MEDIAPLAN_GOOGLE_ADS_LOGIN_CUSTOMER_ID": "manager (MCC) account to act through, 10 digits",
    "MEDIAPLAN_GOOGLE_ADS_ENDPOINT": "gRPC host:port (default googleads.googleapis.com:443)",
    GRPC_ROOTS_ENV: "extra TLS roots for gRPC; the sandbox's certificate bundle (sandbox only)",
    "MEDIAPLAN_SANDBOX_ADMIN_URL": "a running sandbox's admin URL (mutation and fault commands)",
}


class MissingCredentialsError(ValueError):
    """A connector is not configured; the message names the variables to set."""

    def __init__(self, platform: str, variables: Sequence[str]) -> None:
        names = ", ".join(variables)
        super().__init__(
            f"{platform} is not configured: set {names} (see connectors/README.md), "
            "or run `mediaplan sandbox` and use its endpoints"
        )
        self.platform = platform
        self.variables = tuple(variables)


def _need(platform: str, values: Mapping[str, str | None]) -> None:
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise MissingCredentialsError(platform, missing)


@dataclass(frozen=True)
class GoogleAppSettings:
    """The Google OAuth client and the Drive/Sheets endpoints."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None
    auth_url: str = GOOGLE_AUTH_URL
    token_url: str = GOOGLE_TOKEN_URL
    revoke_url: str = GOOGLE_REVOKE_URL
    drive_api: str = DRIVE_API
    sheets_api: str = SHEETS_API

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def client_credentials(self) -> tuple[str, str]:
        """(client id, client secret) for connectors built from stored tokens."""
        _need(
            "Google",
            {
                "MEDIAPLAN_GOOGLE_CLIENT_ID": self.client_id,
                "MEDIAPLAN_GOOGLE_CLIENT_SECRET": self.client_secret,
            },
        )
        assert self.client_id is not None and self.client_secret is not None
        return self.client_id, self.client_secret

    def oauth_config(
        self, scopes: Sequence[str], *, redirect_uri: str | None = None, **options: Any
    ) -> GoogleOAuthConfig:
        """A `GoogleOAuthConfig` for `scopes` (e.g. `DRIVE_SCOPES` or `SCOPE_ADWORDS`)."""
        from connectors.google_oauth.flow import GoogleOAuthConfig

        client_id, client_secret = self.client_credentials()
        redirect = redirect_uri or self.redirect_uri
        _need("Google", {"MEDIAPLAN_GOOGLE_REDIRECT_URI": redirect})
        assert redirect is not None
        return GoogleOAuthConfig(
            client_id=client_id,
            client_secret=client_secret,
            scopes=tuple(scopes),
            redirect_uri=redirect,
            auth_url=self.auth_url,
            token_url=self.token_url,
            revoke_url=self.revoke_url,
            **options,
        )

    def drive_settings(self, **options: Any) -> DriveSettings:
        """`DriveSettings` with these endpoints (other fields: `options` or defaults)."""
        from connectors.google_drive.connector import DriveSettings

        return DriveSettings(
            drive_api=self.drive_api,
            sheets_api=self.sheets_api,
            token_url=self.token_url,
            **options,
        )


@dataclass(frozen=True)
class MetaAppSettings:
    """The Meta app and the Graph / Facebook Login hosts."""

    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    verify_token: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None
    graph_url: str = META_GRAPH_URL
    dialog_url: str = META_DIALOG_URL
    api_version: str = META_API_VERSION

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)

    def _app(self) -> tuple[str, str]:
        _need(
            "Meta",
            {"MEDIAPLAN_META_APP_ID": self.app_id, "MEDIAPLAN_META_APP_SECRET": self.app_secret},
        )
        assert self.app_id is not None and self.app_secret is not None
        return self.app_id, self.app_secret

    def connector_config(self, **options: Any) -> MetaConnectorConfig:
        """A `MetaConnectorConfig` (other fields: `options` or defaults)."""
        from connectors.meta.config import MetaConnectorConfig

        app_id, app_secret = self._app()
        return MetaConnectorConfig(
            app_id=app_id,
            app_secret=app_secret,
            graph_url=self.graph_url,
            api_version=self.api_version,
            **options,
        )

    def oauth_config(self, **options: Any) -> MetaOAuthConfig:
        """A `MetaOAuthConfig` for Facebook Login (other fields: `options` or defaults)."""
        from connectors.meta.oauth import MetaOAuthConfig

        app_id, app_secret = self._app()
        return MetaOAuthConfig(
            app_id=app_id,
            app_secret=app_secret,
            graph_url=self.graph_url,
            dialog_url=self.dialog_url,
            api_version=self.api_version,
            **options,
        )


@dataclass(frozen=True)
class GoogleAdsAppSettings:
    """The Google Ads developer token, manager account and gRPC endpoint."""

    developer_token: str | None = field(default=None, repr=False)
    login_customer_id: str | None = None
    endpoint: str | None = None
    """`host:port`; None: the library's default (googleads.googleapis.com)."""

    def __post_init__(self) -> None:
        login = self.login_customer_id
        if login is not None and not (len(login) == 10 and login.isdigit()):
            raise ValueError(
                "MEDIAPLAN_GOOGLE_ADS_LOGIN_CUSTOMER_ID must be a 10-digit customer id, "
                f"got {login!r}"
            )

    @property
    def configured(self) -> bool:
        return bool(self.developer_token)

    def settings(self, **options: Any) -> GoogleAdsSettings:
        """`GoogleAdsSettings` (timeouts: `options` or defaults)."""
        from connectors.google_ads.transport import GoogleAdsSettings

        _need("Google Ads", {"MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN": self.developer_token})
        assert self.developer_token is not None
        return GoogleAdsSettings(
            developer_token=self.developer_token,
            endpoint=self.endpoint,
            login_customer_id=self.login_customer_id,
            **options,
        )


@dataclass(frozen=True)
class ConnectorSettings:
    """Every platform's configuration; see the module docstring."""

    google: GoogleAppSettings = field(default_factory=GoogleAppSettings)
    meta: MetaAppSettings = field(default_factory=MetaAppSettings)
    google_ads: GoogleAdsAppSettings = field(default_factory=GoogleAdsAppSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ConnectorSettings:
        source = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = source.get(name, "").strip()
            return value or None

        def url(name: str, default: str) -> str:
            return get(name) or default

        login = get("MEDIAPLAN_GOOGLE_ADS_LOGIN_CUSTOMER_ID")
        return cls(
            google=GoogleAppSettings(
                client_id=get("MEDIAPLAN_GOOGLE_CLIENT_ID"),
                client_secret=get("MEDIAPLAN_GOOGLE_CLIENT_SECRET"),
                redirect_uri=get("MEDIAPLAN_GOOGLE_REDIRECT_URI"),
                auth_url=url("MEDIAPLAN_GOOGLE_AUTH_URL", GOOGLE_AUTH_URL),
                token_url=url("MEDIAPLAN_GOOGLE_TOKEN_URL", GOOGLE_TOKEN_URL),
                revoke_url=url("MEDIAPLAN_GOOGLE_REVOKE_URL", GOOGLE_REVOKE_URL),
                drive_api=url("MEDIAPLAN_GOOGLE_DRIVE_API", DRIVE_API),
                sheets_api=url("MEDIAPLAN_GOOGLE_SHEETS_API", SHEETS_API),
            ),
            meta=MetaAppSettings(
                app_id=get("MEDIAPLAN_META_APP_ID"),
                app_secret=get("MEDIAPLAN_META_APP_SECRET"),
                verify_token=get("MEDIAPLAN_META_VERIFY_TOKEN"),
                redirect_uri=get("MEDIAPLAN_META_REDIRECT_URI"),
                graph_url=url("MEDIAPLAN_META_GRAPH_URL", META_GRAPH_URL),
                dialog_url=url("MEDIAPLAN_META_DIALOG_URL", META_DIALOG_URL),
                api_version=url("MEDIAPLAN_META_API_VERSION", META_API_VERSION),
            ),
            google_ads=GoogleAdsAppSettings(
                developer_token=get("MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN"),
                login_customer_id=login.replace("-", "") if login else None,
                endpoint=get("MEDIAPLAN_GOOGLE_ADS_ENDPOINT"),
            ),
        )

    def configured(self) -> dict[str, bool]:
        """Which platforms have their app credentials (tokens come from OAuth)."""
        return {
            "google_drive": self.google.configured,
            "meta": self.meta.configured,
            "google_ads": self.google.configured and self.google_ads.configured,
        }


def sandbox_env(endpoints: Mapping[str, Any]) -> dict[str, str]:
    """The `ENV_VARS` that point every connector at a sandbox, from its JSON line.

    `endpoints` is `SandboxSuite.endpoints()` (the first line `mediaplan sandbox`
    prints). Export the result in client processes; `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`
    must be set before the process opens its first TLS gRPC channel.
    """
    google, meta, ads = endpoints["google"], endpoints["meta"], endpoints["google_ads"]
    env = {
        "MEDIAPLAN_GOOGLE_CLIENT_ID": google["client_id"],
        "MEDIAPLAN_GOOGLE_CLIENT_SECRET": google["client_secret"],
        "MEDIAPLAN_GOOGLE_AUTH_URL": google["auth_url"],
        "MEDIAPLAN_GOOGLE_TOKEN_URL": google["token_url"],
        "MEDIAPLAN_GOOGLE_REVOKE_URL": google["revoke_url"],
        "MEDIAPLAN_GOOGLE_DRIVE_API": google["drive_api"],
        "MEDIAPLAN_GOOGLE_SHEETS_API": google["sheets_api"],
        "MEDIAPLAN_META_APP_ID": meta["app_id"],
        "MEDIAPLAN_META_APP_SECRET": meta["app_secret"],
        "MEDIAPLAN_META_VERIFY_TOKEN": meta["verify_token"],
        "MEDIAPLAN_META_GRAPH_URL": meta["graph_url"],
        "MEDIAPLAN_META_DIALOG_URL": meta["dialog_url"],
        "MEDIAPLAN_META_API_VERSION": meta["api_version"],
        "MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN": ads["developer_token"],
        "MEDIAPLAN_GOOGLE_ADS_ENDPOINT": ads["endpoint"],
        GRPC_ROOTS_ENV: ads["roots_file"],
    }
    if ads.get("login_customer_id"):
        env["MEDIAPLAN_GOOGLE_ADS_LOGIN_CUSTOMER_ID"] = ads["login_customer_id"]
    admin = endpoints.get("admin") or {}
    if admin.get("url"):
        env["MEDIAPLAN_SANDBOX_ADMIN_URL"] = admin["url"]
    return {k: str(v) for k, v in env.items()}
