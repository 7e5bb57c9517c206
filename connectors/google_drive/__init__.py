"""Google Drive/Sheets connector: campaign plans kept in spreadsheets (layout: README.md).

`GoogleDriveConnector` implements `connectors.base.Connector`; `parse_campaign_brief`
reads the documented plan layout from sheet rows; `parse_push_notification` checks a
Drive channel notification. Connect accounts with `connectors.google_oauth` and
`DRIVE_SCOPES`.
"""

from connectors.google_drive.api import error_from_http
from connectors.google_drive.brief import CHANNEL_HEADERS, KEY_LABELS, parse_campaign_brief
from connectors.google_drive.connector import (
    DEFAULT_PLAN_NAME_TERMS,
    DRIVE_SCOPES,
    SPREADSHEET_MIME,
    DriveSettings,
    GoogleDriveConnector,
    plan_query,
)
from connectors.google_drive.push import (
    InvalidPushNotificationError,
    PushNotification,
    parse_push_notification,
)

__all__ = [
    "CHANNEL_HEADERS",
    "DEFAULT_PLAN_NAME_TERMS",
    "DRIVE_SCOPES",
    "KEY_LABELS",
    "SPREADSHEET_MIME",
    "DriveSettings",
    "GoogleDriveConnector",
    "InvalidPushNotificationError",
    "PushNotification",
    "error_from_http",
    "parse_campaign_brief",
    "parse_push_notification",
    "plan_query",
]
