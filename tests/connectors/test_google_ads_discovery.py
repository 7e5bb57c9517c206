"""Discovery, reads, headers and the account hierarchy against the Google Ads sandbox."""

from __future__ import annotations

import pytest

from connectors.base import Connector
from connectors.errors import ConnectorError, NotFoundError
from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings, GoogleAdsTransport, queries
from connectors.records import WatchChannel
from connectors.sandbox.google_ads import GoogleAdsSandbox, start_google_ads_sandbox
from tests.connectors.google_ads_fixtures import (
    CUSTOMER_ID,
    MANAGER_ID,
    SECOND_ID,
    START,
    make_connector,
    make_data,
)

pytest_plugins = ["tests.connectors.google_ads_fixtures"]


async def test_discovers_customers_and_campaigns(ads_connector: GoogleAdsConnector) -> None:
    assert isinstance(ads_connector, Connector)
    resources = await ads_connector.discover_resources()
    customers = {r.id: r for r in resources if r.type == "customer"}
    assert set(customers) == {CUSTOMER_ID, SECOND_ID, MANAGER_ID}
    northwind = customers[CUSTOMER_ID]
    assert northwind.name == "Northwind Outdoor"
    assert northwind.metadata["currency_code"] == "EUR"
    assert northwind.metadata["time_zone"] == "Europe/Berlin"
    assert northwind.metadata["manager"] is False
    assert customers[MANAGER_ID].metadata["manager"] is True
    campaigns = [r for r in resources if r.type == "campaign" and r.parent_id == CUSTOMER_ID]
    assert [c.id for c in campaigns] == [str(1000 + i) for i in range(7)]
    channels = [c.metadata["channel"] for c in campaigns]
    assert channels == [
        "google_ads:search",
        "google_ads:shopping",
        "google_ads:pmax",
        "google_ads:youtube",
        "google_ads:display",
        "google_ads:demand_gen",
        "google_ads:other",
    ]
    assert {c.metadata["status"] for c in campaigns} == {"ENABLED"}


async def test_every_call_carries_the_headers_and_a_deadline(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    await ads_connector.discover_resources()
    await ads_connector.read_daily_performance(CUSTOMER_ID, START, START)
    calls = ads_sandbox.calls
    assert {c.method for c in calls} == {"ListAccessibleCustomers", "Search", "SearchStream"}
    for call in calls:
        assert call.metadata["developer-token"] == ads_sandbox.developer_token
        assert call.deadline_s is not None and call.deadline_s <= 21.0
        if call.customer_id is not None:
            assert call.metadata["login-customer-id"] == call.customer_id


async def test_search_follows_page_tokens(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    ads_sandbox.page_size = 2
    resources = await ads_connector.discover_resources()
    assert len([r for r in resources if r.parent_id == CUSTOMER_ID]) == 7
    campaign_pages = [c for c in ads_sandbox.calls if c.query and "FROM campaign " in c.query]
    assert len([c for c in campaign_pages if c.customer_id == CUSTOMER_ID]) == 4


async def test_removed_campaigns_are_not_discovered(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    ads_sandbox.state.pause_campaign(CUSTOMER_ID, "1001")
    ads_sandbox.state.remove_campaign(CUSTOMER_ID, "1002")
    resources = await ads_connector.discover_resources()
    by_id = {r.id: r for r in resources}
    assert by_id["1001"].metadata["status"] == "PAUSED"
    assert "1002" not in by_id


async def test_clients_reached_through_a_manager_use_its_login_customer_id() -> None:
    data = make_data(campaigns=2, days=3)
    with start_google_ads_sandbox(data, direct_access=[MANAGER_ID]) as sandbox:
        async with make_connector(sandbox) as connector:
            resources = await connector.discover_resources()
            customers = {r.id: r for r in resources if r.type == "customer"}
            assert customers[CUSTOMER_ID].parent_id == MANAGER_ID
            assert customers[CUSTOMER_ID].metadata["login_customer_id"] == MANAGER_ID
            assert customers[SECOND_ID].metadata["currency_code"] == "USD"
            rows = await connector.read_daily_performance(CUSTOMER_ID, START, START)
            assert len(rows) == 2
        stream = [c for c in sandbox.calls if c.method == "SearchStream"]
        assert stream[-1].metadata["login-customer-id"] == MANAGER_ID


def test_a_client_needs_its_manager_as_login_customer_id() -> None:
    data = make_data(campaigns=1, days=1)
    with start_google_ads_sandbox(data, direct_access=[MANAGER_ID]) as sandbox:
        transport = GoogleAdsTransport(
            sandbox.credentials(),
            GoogleAdsSettings(developer_token=sandbox.developer_token, endpoint=sandbox.endpoint),
        )
        try:
            for login in (None, CUSTOMER_ID, SECOND_ID):
                with pytest.raises(ConnectorError) as caught:
                    transport.search(CUSTOMER_ID, queries.CUSTOMER_QUERY, login, str)
                assert type(caught.value) is ConnectorError and not caught.value.retryable
                assert "USER_PERMISSION_DENIED" in str(caught.value)
            rows = transport.search(CUSTOMER_ID, queries.CUSTOMER_QUERY, MANAGER_ID, str)
            assert len(rows) == 1
        finally:
            transport.close()
    sent = [c.metadata.get("login-customer-id") for c in sandbox.calls]
    assert sent == [None, CUSTOMER_ID, SECOND_ID, MANAGER_ID]


async def test_discovery_skips_customers_the_api_refuses(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    ads_sandbox.state.set_customer_status(SECOND_ID, "CANCELED")
    resources = await ads_connector.discover_resources()
    assert SECOND_ID not in {r.id for r in resources}
    assert CUSTOMER_ID in {r.id for r in resources}


async def test_reads_one_resource_by_id_or_resource_name(
    ads_connector: GoogleAdsConnector,
) -> None:
    customer = await ads_connector.read_resource(CUSTOMER_ID)
    assert customer["name"] == "Northwind Outdoor" and customer["currency_code"] == "EUR"
    campaign = await ads_connector.read_resource("1003")
    assert campaign["name"] == "Campaign 3"
    assert campaign["channel"] == "google_ads:youtube"
    assert campaign["customer_id"] == CUSTOMER_ID
    by_name = await ads_connector.read_resource(f"customers/{SECOND_ID}/campaigns/1100")
    assert by_name["name"] == "Campaign 100"
    with pytest.raises(NotFoundError):
        await ads_connector.read_resource("424242")
    with pytest.raises(NotFoundError):
        await ads_connector.read_resource("not-an-id")


async def test_google_ads_has_no_push(ads_connector: GoogleAdsConnector) -> None:
    assert await ads_connector.start_watch(CUSTOMER_ID, "https://x.test/hook", "t") is None
    channel = WatchChannel(
        platform="google_ads",
        channel_id="c",
        resource_id=CUSTOMER_ID,
        address="https://x.test/hook",
        expires_at=None,
    )
    assert await ads_connector.renew_watch(channel) is None
    await ads_connector.stop_watch(channel)
