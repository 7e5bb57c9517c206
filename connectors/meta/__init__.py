"""Meta: Facebook Login OAuth, the Marketing API connector and webhook helpers.

`MetaOAuth` connects a user (long-lived token, `debug_token` checks; Meta has no refresh
tokens), `MetaConnector` implements `connectors.base.Connector` over the unmodified
facebook-business SDK, and `webhooks` verifies and parses Meta's push notifications.
Point `graph_url`/`dialog_url` at `connectors.sandbox.meta` to run offline.
"""

from connectors.meta.config import MetaConnectorConfig
from connectors.meta.connector import MetaConnector, normalize_account_id
from connectors.meta.graph_errors import MetaRequestError
from connectors.meta.insights import PURCHASE_ACTION_TYPES, lookback_window
from connectors.meta.oauth import (
    InvalidStateError,
    MetaLogin,
    MetaOAuth,
    MetaOAuthConfig,
    MetaTokenInfo,
)
from connectors.meta.placements import channel_for_campaign
from connectors.meta.usage import BusinessUseCaseUsage, MetaUsage, parse_usage_headers
from connectors.meta.webhooks import (
    SIGNATURE_HEADER,
    parse_webhook,
    sign_body,
    verify_signature,
    verify_subscription,
)

__all__ = [
    "PURCHASE_ACTION_TYPES",
    "SIGNATURE_HEADER",
    "BusinessUseCaseUsage",
    "InvalidStateError",
    "MetaConnector",
    "MetaConnectorConfig",
    "MetaLogin",
    "MetaOAuth",
    "MetaOAuthConfig",
    "MetaRequestError",
    "MetaTokenInfo",
    "MetaUsage",
    "channel_for_campaign",
    "lookback_window",
    "normalize_account_id",
    "parse_usage_headers",
    "parse_webhook",
    "sign_body",
    "verify_signature",
    "verify_subscription",
]
