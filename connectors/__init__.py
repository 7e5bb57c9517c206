"""Platform connectors (Google Drive/Sheets, Meta, Google Ads) and their local sandbox.

Each platform is its own package behind the `Connector` interface (`connectors.base`),
returning the normalized records of `connectors.records` and raising the typed errors
of `connectors.errors`. `connectors` never imports `agents`, `evals` or `orchestration`.
"""

from connectors.base import Connector
from connectors.errors import (
    AuthExpiredError,
    ConnectorError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    SheetFormatError,
    TransientError,
)
from connectors.records import (
    CampaignBrief,
    Change,
    ChangePage,
    ChannelBound,
    DailyPerformanceRow,
    OAuthTokens,
    Platform,
    Resource,
    WatchChannel,
)

__all__ = [
    "AuthExpiredError",
    "CampaignBrief",
    "Change",
    "ChangePage",
    "ChannelBound",
    "Connector",
    "ConnectorError",
    "DailyPerformanceRow",
    "MalformedResponseError",
    "NotFoundError",
    "OAuthTokens",
    "Platform",
    "RateLimitedError",
    "ReconnectRequiredError",
    "Resource",
    "SheetFormatError",
    "TransientError",
    "WatchChannel",
]
