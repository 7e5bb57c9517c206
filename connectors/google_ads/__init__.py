"""Google Ads connector (google-ads library over gRPC, API v26).

`GoogleAdsConnector(credentials, GoogleAdsSettings(developer_token=..., endpoint=...))`
implements `connectors.base.Connector`; see `connector.py` for the contract, `retry.py`
for the back-off helper and `error_mapping.py` for how failures are typed.
"""

from connectors.google_ads.connector import GoogleAdsConnector
from connectors.google_ads.credentials import credentials_from_tokens, tokens_from_credentials
from connectors.google_ads.error_mapping import AdsErrorCode, ads_error_codes, to_connector_error
from connectors.google_ads.mapping import CHANNELS, channel_for
from connectors.google_ads.retry import RetryPolicy, retry_async
from connectors.google_ads.transport import GoogleAdsSettings, GoogleAdsTransport

__all__ = [
    "CHANNELS",
    "AdsErrorCode",
    "GoogleAdsConnector",
    "GoogleAdsSettings",
    "GoogleAdsTransport",
    "RetryPolicy",
    "ads_error_codes",
    "channel_for",
    "credentials_from_tokens",
    "retry_async",
    "to_connector_error",
    "tokens_from_credentials",
]
