"""Every injected sandbox fault ends as the right typed error, retried when it should be."""

from __future__ import annotations

import time

import pytest

from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    RateLimitedError,
    TransientError,
)
from connectors.google_ads import GoogleAdsConnector
from connectors.sandbox.google_ads import GoogleAdsSandbox
from tests.connectors.google_ads_fixtures import (
    CUSTOMER_ID,
    START,
    RecordingSleep,
    make_connector,
)

pytest_plugins = ["tests.connectors.google_ads_fixtures"]

ADS = "/google.ads.googleads.v26.services.GoogleAdsService"
STREAM = f"{ADS}/SearchStream"
LIST = "/google.ads.googleads.v26.services.CustomerService/ListAccessibleCustomers"


async def read(connector: GoogleAdsConnector) -> int:
    return len(await connector.read_daily_performance(CUSTOMER_ID, START, START))


async def test_resource_exhausted_backs_off_for_the_announced_delay_then_succeeds(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.faults.inject("status", status=429, retry_after_s=6, path=STREAM)
    assert await read(ads_connector) == 7
    assert len(sleeps.delays) == 1 and sleeps.delays[0] >= 6
    assert [c.method for c in ads_sandbox.calls].count("SearchStream") == 2


async def test_resource_exhausted_carries_the_delay_when_retries_run_out(
    ads_sandbox: GoogleAdsSandbox,
) -> None:
    ads_sandbox.faults.inject("status", status=429, retry_after_s=2.5, path=STREAM)
    async with make_connector(ads_sandbox, attempts=1) as connector:
        with pytest.raises(RateLimitedError) as caught:
            await read(connector)
    assert caught.value.retry_after_s == pytest.approx(2.5)
    assert "RESOURCE_TEMPORARILY_EXHAUSTED" in str(caught.value)
    assert "request_id=sandbox-" in str(caught.value)


async def test_a_long_quota_delay_is_left_to_the_orchestrator(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.faults.inject("status", status=429, retry_after_s=3600, path=STREAM)
    with pytest.raises(RateLimitedError) as caught:
        await read(ads_connector)
    assert caught.value.retry_after_s == 3600 and sleeps.delays == []


@pytest.mark.parametrize("status", [503, 500, 504])
async def test_server_errors_are_retried_with_backoff(
    ads_sandbox: GoogleAdsSandbox,
    ads_connector: GoogleAdsConnector,
    sleeps: RecordingSleep,
    status: int,
) -> None:
    ads_sandbox.faults.inject("status", status=status, path=STREAM, times=2)
    assert await read(ads_connector) == 7
    assert len(sleeps.delays) == 2 and sleeps.delays[1] > sleeps.delays[0]


async def test_unavailable_everywhere_gives_up_as_transient(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.faults.inject("status", status=503, path=LIST, times=None)
    with pytest.raises(TransientError):
        await ads_connector.discover_resources()
    assert len(sleeps.delays) == 3  # 4 attempts
    assert [c.method for c in ads_sandbox.calls] == ["ListAccessibleCustomers"] * 4


async def test_a_slow_answer_times_out_as_transient(ads_sandbox: GoogleAdsSandbox) -> None:
    ads_sandbox.faults.inject("delay", delay_s=5, path=STREAM)
    async with make_connector(ads_sandbox, attempts=1, stream_timeout_s=0.3) as connector:
        started = time.monotonic()
        with pytest.raises(TransientError) as caught:
            await read(connector)
    assert "DEADLINE_EXCEEDED" in str(caught.value)
    assert time.monotonic() - started < 2


async def test_a_slow_search_page_times_out_as_transient(ads_sandbox: GoogleAdsSandbox) -> None:
    async with make_connector(ads_sandbox, attempts=1, timeout_s=0.3) as connector:
        ads_sandbox.faults.inject("delay", delay_s=5, path=f"{ADS}/Search")
        with pytest.raises(TransientError) as caught:
            await connector.discover_resources()
    assert "DEADLINE_EXCEEDED" in str(caught.value)


async def test_a_slow_answer_within_the_deadline_is_served(ads_sandbox: GoogleAdsSandbox) -> None:
    ads_sandbox.faults.inject("delay", delay_s=0.2, path=STREAM)
    async with make_connector(ads_sandbox, attempts=1, stream_timeout_s=5) as connector:
        assert await read(connector) == 7


@pytest.mark.parametrize("body", [None, "partial"])
async def test_malformed_pages_are_typed_and_retried(
    ads_sandbox: GoogleAdsSandbox, body: str | None
) -> None:
    ads_sandbox.faults.inject("malformed", path=STREAM, body=body)
    async with make_connector(ads_sandbox, attempts=1) as connector:
        with pytest.raises(MalformedResponseError):
            await read(connector)
    ads_sandbox.faults.inject("malformed", path=STREAM, body=body)
    async with make_connector(ads_sandbox, attempts=2) as connector:
        assert await read(connector) == 7


async def test_a_malformed_search_page_is_typed(ads_sandbox: GoogleAdsSandbox) -> None:
    ads_sandbox.page_size = 3
    async with make_connector(ads_sandbox, attempts=1) as connector:
        await connector.discover_resources()
        ads_sandbox.faults.inject("malformed", path=f"{ADS}/Search")
        with pytest.raises(MalformedResponseError):
            await connector.read_resource("1004")


async def test_an_interrupted_stream_is_retried_from_the_start(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.page_size = 2
    ads_sandbox.faults.inject("malformed", path=STREAM, body="interrupt")
    assert await read(ads_connector) == 7  # no row twice, none lost
    assert len(sleeps.delays) == 1


async def test_permission_errors_are_not_retried(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.faults.inject("status", status=403, path=STREAM)
    with pytest.raises(ConnectorError) as caught:
        await read(ads_connector)
    assert not caught.value.retryable and sleeps.delays == []


async def test_a_disabled_customer_is_not_retried(
    ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector, sleeps: RecordingSleep
) -> None:
    ads_sandbox.state.set_customer_status(CUSTOMER_ID, "SUSPENDED")
    with pytest.raises(ConnectorError) as caught:
        await read(ads_connector)
    assert type(caught.value) is ConnectorError
    assert "CUSTOMER_NOT_ENABLED" in str(caught.value) and sleeps.delays == []
