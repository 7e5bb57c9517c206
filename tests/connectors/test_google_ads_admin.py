"""The sandbox's HTTP control plane and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from connectors.errors import RateLimitedError
from connectors.google_ads import GoogleAdsConnector
from connectors.sandbox.google_ads import AdminServer, GoogleAdsSandbox
from connectors.sandbox.google_ads.__main__ import demo_data
from tests.connectors.google_ads_fixtures import CUSTOMER_ID, START, make_connector

pytest_plugins = ["tests.connectors.google_ads_fixtures"]


@pytest.fixture
def admin(ads_sandbox: GoogleAdsSandbox) -> Iterator[httpx.Client]:
    server = AdminServer(ads_sandbox).start()
    try:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            yield client
    finally:
        server.stop()


async def test_mutations_and_faults_over_http(
    admin: httpx.Client, ads_sandbox: GoogleAdsSandbox, ads_connector: GoogleAdsConnector
) -> None:
    cursor = (await ads_connector.list_changes(None)).next_cursor
    spend = {"customer_id": CUSTOMER_ID, "campaign_id": "1001", "date": str(START), "amount": 5}
    assert admin.post("/_sandbox/add-spend", json=spend).status_code == 200
    status = {"customer_id": CUSTOMER_ID, "campaign_id": "1002", "status": "paused"}
    assert admin.post("/_sandbox/campaign-status", json=status).status_code == 200
    rows = await ads_connector.read_daily_performance(CUSTOMER_ID, START, START)
    assert next(r for r in rows if r.campaign_id == "1001").spend == pytest.approx(16.0)
    page = await ads_connector.list_changes(cursor)
    assert [(c.resource_id, c.change_type) for c in page.changes] == [("1002", "updated")]

    fault = {"kind": "status", "status": 429, "retry_after_s": 1, "times": 4}
    assert admin.post("/_sandbox/faults", json=fault).status_code == 201
    async with make_connector(ads_sandbox, attempts=1) as connector:
        with pytest.raises(RateLimitedError):
            await connector.read_daily_performance(CUSTOMER_ID, START, START)
    assert admin.delete("/_sandbox/faults").status_code == 204

    calls = admin.get("/_sandbox/calls").json()["calls"]
    assert calls and all("authorization" not in c["metadata"] for c in calls)


def test_bad_requests_are_rejected(admin: httpx.Client) -> None:
    unknown = {"customer_id": CUSTOMER_ID, "campaign_id": "9", "date": str(START), "amount": 1}
    assert admin.post("/_sandbox/add-spend", json=unknown).status_code == 404
    bad = {"customer_id": CUSTOMER_ID, "campaign_id": "1001", "status": "archived"}
    assert admin.post("/_sandbox/campaign-status", json=bad).status_code == 400
    assert admin.post("/_sandbox/tokens", json={"token": "t", "state": "odd"}).status_code == 400


@pytest.mark.slow
def test_the_command_line_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox.google_ads", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["endpoint"].startswith("127.0.0.1:") and info["roots_file"].endswith(".pem")
        with httpx.Client(base_url=info["admin_url"], timeout=5) as client:
            assert client.get("/_sandbox/calls").json() == {"calls": []}
    finally:
        process.terminate()
        assert process.wait(10) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_demo_data_has_one_campaign_per_main_channel() -> None:
    customer = demo_data(days=3).google_ads_customers[0]
    assert [c.channel for c in customer.campaigns] == [
        "google_ads:search",
        "google_ads:shopping",
        "google_ads:pmax",
        "google_ads:youtube",
        "google_ads:display",
    ]
    assert all(len(c.daily) == 3 for c in customer.campaigns)
