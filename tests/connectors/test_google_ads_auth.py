"""Developer token, OAuth tokens and refresh: which failures are typed how."""

from __future__ import annotations

import pytest
from google.ads.googleads.client import GoogleAdsClient
from google.ads.googleads.errors import GoogleAdsException

from connectors.errors import AuthExpiredError, ConnectorError, ReconnectRequiredError
from connectors.google_ads import (
    GoogleAdsConnector,
    GoogleAdsSettings,
    RetryPolicy,
    to_connector_error,
)
from connectors.google_oauth import SCOPE_ADWORDS
from connectors.records import OAuthTokens
from connectors.sandbox.google import GoogleSandbox
from connectors.sandbox.google_ads import GoogleAdsSandbox, oauth_token_validator
from tests.connectors.google_ads_fixtures import (
    CUSTOMER_ID,
    START,
    RecordingSleep,
    TokenEndpoint,
    make_connector,
)

pytest_plugins = ["tests.connectors.google_ads_fixtures"]

STREAM = "/google.ads.googleads.v26.services.GoogleAdsService/SearchStream"


async def read(connector: GoogleAdsConnector) -> int:
    return len(await connector.read_daily_performance(CUSTOMER_ID, START, START))


def raw_search(sandbox: GoogleAdsSandbox, developer_token: str | None) -> None:
    client = GoogleAdsClient(
        sandbox.credentials(),
        developer_token=developer_token,
        endpoint=sandbox.endpoint,
        use_proto_plus=False,
        version="v26",
    )
    service = client.get_service("GoogleAdsService")
    try:
        list(service.search(customer_id=CUSTOMER_ID, query="SELECT customer.id FROM customer"))
    finally:
        service.transport.close()


@pytest.mark.parametrize(
    ("developer_token", "code"),
    [(None, "DEVELOPER_TOKEN_PARAMETER_MISSING"), ("wrong", "DEVELOPER_TOKEN_INVALID")],
)
def test_the_developer_token_is_required(
    ads_sandbox: GoogleAdsSandbox, developer_token: str | None, code: str
) -> None:
    with pytest.raises(GoogleAdsException) as caught:
        raw_search(ads_sandbox, developer_token)
    error = to_connector_error(caught.value)
    assert type(error) is ConnectorError and not error.retryable  # configuration, not the user
    assert code in str(error)


def test_settings_refuse_a_missing_developer_token() -> None:
    with pytest.raises(ValueError):
        GoogleAdsSettings(developer_token="")
    with pytest.raises(ValueError):
        GoogleAdsSettings(developer_token="x", login_customer_id="123-456-7890")


def test_the_sandbox_rejects_page_size_like_v26(ads_sandbox: GoogleAdsSandbox) -> None:
    client = GoogleAdsClient(
        ads_sandbox.credentials(),
        developer_token=ads_sandbox.developer_token,
        endpoint=ads_sandbox.endpoint,
        version="v26",
    )
    service = client.get_service("GoogleAdsService")
    request = {"customer_id": CUSTOMER_ID, "query": "SELECT customer.id FROM customer"}
    try:
        with pytest.raises(GoogleAdsException) as caught:
            list(service.search(request=request | {"page_size": 5}))
    finally:
        service.transport.close()
    assert "PAGE_SIZE_NOT_SUPPORTED" in str(to_connector_error(caught.value))


async def test_an_unknown_token_that_cannot_be_refreshed_needs_a_reconnect(
    ads_sandbox: GoogleAdsSandbox, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.mode = "invalid_grant"
    credentials = ads_sandbox.credentials(token="forged", token_uri=token_endpoint.token_uri)
    async with make_connector(ads_sandbox, credentials=credentials) as connector:
        with pytest.raises(ReconnectRequiredError) as caught:
            await read(connector)
    assert "invalid_grant" in str(caught.value)
    assert len(token_endpoint.requests) == 1


async def test_an_expired_token_is_refreshed_and_the_call_retried(
    ads_sandbox: GoogleAdsSandbox, token_endpoint: TokenEndpoint, sleeps: RecordingSleep
) -> None:
    credentials = ads_sandbox.credentials(token_uri=token_endpoint.token_uri)
    ads_sandbox.faults.inject("expire_token", path=STREAM)
    async with make_connector(ads_sandbox, credentials=credentials, sleep=sleeps) as connector:
        assert await read(connector) == 7
        assert await read(connector) == 7  # the new token keeps working
    assert len(token_endpoint.requests) == 1
    form = token_endpoint.requests[0]
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == [ads_sandbox.refresh_token]
    assert credentials.token != ads_sandbox.access_token
    assert len(sleeps.delays) == 1


async def test_an_expired_token_whose_grant_is_gone_needs_a_reconnect(
    ads_sandbox: GoogleAdsSandbox, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.mode = "invalid_grant"
    credentials = ads_sandbox.credentials(token_uri=token_endpoint.token_uri)
    ads_sandbox.faults.inject("expire_token", path=STREAM)
    async with make_connector(ads_sandbox, credentials=credentials) as connector:
        with pytest.raises(ReconnectRequiredError):
            await read(connector)


async def test_a_revoked_token_needs_a_reconnect(
    ads_sandbox: GoogleAdsSandbox, token_endpoint: TokenEndpoint, sleeps: RecordingSleep
) -> None:
    credentials = ads_sandbox.credentials(token_uri=token_endpoint.token_uri)
    ads_sandbox.faults.inject("revoke_refresh", path=STREAM)
    async with make_connector(ads_sandbox, credentials=credentials, sleep=sleeps) as connector:
        with pytest.raises(ReconnectRequiredError) as caught:
            await read(connector)
    assert "OAUTH_TOKEN_REVOKED" in str(caught.value)
    assert sleeps.delays == [] and token_endpoint.requests == []


async def test_a_freshly_refreshed_token_that_is_refused_needs_a_reconnect(
    ads_sandbox: GoogleAdsSandbox, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.mode = "stale"
    credentials = ads_sandbox.credentials(token_uri=token_endpoint.token_uri)
    ads_sandbox.faults.inject("status", status=401, path=STREAM)
    async with make_connector(ads_sandbox, credentials=credentials) as connector:
        with pytest.raises(ReconnectRequiredError) as caught:
            await read(connector)
    assert "freshly refreshed" in str(caught.value)
    assert len(token_endpoint.requests) == 1


async def test_an_auth_failure_with_retries_exhausted_stays_refreshable(
    ads_sandbox: GoogleAdsSandbox,
) -> None:
    ads_sandbox.faults.inject("expire_token", path=STREAM)
    async with make_connector(ads_sandbox, attempts=1) as connector:
        with pytest.raises(AuthExpiredError):
            await read(connector)


async def test_tokens_issued_by_the_google_oauth_sandbox(
    google_sandbox: GoogleSandbox, ads_sandbox: GoogleAdsSandbox
) -> None:
    """End to end with the shared Google OAuth sandbox: its tokens, its refresh, its revoke."""
    ads_sandbox.token_validator = oauth_token_validator(google_sandbox.validate_access_token)
    issued = google_sandbox.issue_tokens([SCOPE_ADWORDS])
    stored = OAuthTokens(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=issued["expires_at"],
        scope=issued["scope"].split(),
    )
    settings = GoogleAdsSettings(
        developer_token=ads_sandbox.developer_token, endpoint=ads_sandbox.endpoint
    )
    connector = GoogleAdsConnector.from_tokens(
        stored,
        settings,
        client_id=google_sandbox.client_id,
        client_secret=google_sandbox.client_secret,
        token_url=google_sandbox.endpoints["token_url"],
        retry=RetryPolicy(attempts=3, seed=1),
        sleep=RecordingSleep(),
    )
    async with connector:
        assert await read(connector) == 7
        assert connector.tokens() == stored
        ads_sandbox.faults.inject("expire_token", path=STREAM)
        assert await read(connector) == 7
        refreshed = connector.tokens()
        assert refreshed.access_token != stored.access_token
        assert refreshed.refresh_token == stored.refresh_token
        assert refreshed.expires_at is not None and refreshed.scope == [SCOPE_ADWORDS]
        google_sandbox.revoke_all_grants()
        with pytest.raises(ReconnectRequiredError):
            await read(connector)
