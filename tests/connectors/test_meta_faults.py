"""Injected faults (shared FaultPlan, Meta wire formats) become the right typed errors."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from connectors.errors import (
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.meta import MetaConnector, MetaRequestError, parse_usage_headers
from connectors.meta.graph_errors import error_from_graph
from connectors.sandbox.faults import Fault
from connectors.sandbox.meta import MetaSandbox
from tests.connectors.meta_fixtures import (
    ACCOUNT,
    START,
    connector_config,
    meta_connector,
    meta_sandbox,
)

__all__ = ["meta_connector", "meta_sandbox"]

INSIGHTS = "/v26.0/act_*/insights*"
CAMPAIGNS = "/v26.0/act_*/campaigns*"


async def _read(connector: MetaConnector) -> int:
    return len(await connector.read_daily_performance(ACCOUNT, START, START + dt.timedelta(2)))


async def test_throttling_uses_the_usage_header_wait(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    meta_sandbox.faults.add(Fault(kind="status", status=429, path=INSIGHTS, retry_after_s=300))
    with pytest.raises(RateLimitedError) as throttled:
        await _read(meta_connector)
    assert throttled.value.retry_after_s == 300.0 and throttled.value.retryable
    assert "80004" in str(throttled.value)
    usage = meta_connector.last_usage
    assert usage is not None and usage.max_util_pct == 100 and usage.regain_access_s == 300
    assert await _read(meta_connector) == 9  # the next call goes through

    code_613 = {
        "error": {
            "message": "(#613) Calls to this api have exceeded the rate limit.",
            "type": "OAuthException",
            "code": 613,
            "error_subcode": 1487742,
        }
    }
    meta_sandbox.faults.add(
        Fault(kind="status", status=400, path=INSIGHTS, body=json.dumps(code_613))
    )
    with pytest.raises(RateLimitedError) as app_level:
        await _read(meta_connector)
    assert app_level.value.retry_after_s == 60.0  # no usage header: the minimum wait


async def test_server_errors_are_retried_then_transient(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    meta_sandbox.faults.add(Fault(kind="status", status=503, path=CAMPAIGNS, times=2))
    assert await _read(meta_connector) == 9  # two retries absorb two 503s
    meta_sandbox.faults.add(
        Fault(
            kind="status", status=502, path=CAMPAIGNS, times=None, body="<html>bad gateway</html>"
        )
    )
    with pytest.raises(TransientError, match="502"):
        await _read(meta_connector)
    fired = [f for f in meta_sandbox.faults.fired if f.fault.status == 502]
    assert len(fired) == 3  # one call plus max_retries=2


async def test_expired_and_revoked_tokens_require_reconnect(meta_sandbox: MetaSandbox) -> None:
    token = meta_sandbox.issue_token()
    async with MetaConnector(connector_config(meta_sandbox), token) as connector:
        meta_sandbox.faults.add(Fault(kind="expire_token", path="/v26.0/me/adaccounts*"))
        with pytest.raises(ReconnectRequiredError, match="190"):
            await connector.discover_resources()
    other = meta_sandbox.issue_token()
    async with MetaConnector(connector_config(meta_sandbox), other) as connector:
        assert await _read(connector) == 9
        meta_sandbox.advance_clock(61 * 86400)  # past the long-lived token's 60 days
        with pytest.raises(ReconnectRequiredError, match="463"):
            await _read(connector)


async def test_malformed_pages_are_reported(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    meta_sandbox.faults.add(Fault(kind="malformed", path=CAMPAIGNS))  # truncated real body
    with pytest.raises(MalformedResponseError):
        await meta_connector.discover_resources()
    meta_sandbox.faults.add(Fault(kind="malformed", path=INSIGHTS, body="<html>login</html>"))
    with pytest.raises(MalformedResponseError, match="not JSON"):
        await _read(meta_connector)
    bad_rows = {
        "data": [
            {
                "campaign_id": "1",
                "spend": "n/a",
                "date_start": "2026-01-01",
                "date_stop": "2026-01-01",
            }
        ]
    }
    meta_sandbox.faults.add(Fault(kind="malformed", path=INSIGHTS, body=json.dumps(bad_rows)))
    with pytest.raises(MalformedResponseError, match="does not parse"):
        await _read(meta_connector)
    meta_sandbox.faults.add(Fault(kind="malformed", path=CAMPAIGNS, body='{"data": "oops"}'))
    with pytest.raises(MalformedResponseError):
        await _read(meta_connector)


async def test_slow_responses_time_out_as_transient(meta_sandbox: MetaSandbox) -> None:
    config = connector_config(meta_sandbox, timeout_s=0.2, max_retries=1)
    async with MetaConnector(config, meta_sandbox.demo_access_token) as connector:
        meta_sandbox.faults.add(Fault(kind="delay", delay_s=1.0, path="/v26.0/me/adaccounts*"))
        assert len(await connector.discover_resources()) == 4  # the retry is fast
        meta_sandbox.faults.add(
            Fault(kind="delay", delay_s=1.0, path="/v26.0/me/adaccounts*", times=2)
        )
        with pytest.raises(TransientError, match="Timeout"):
            await connector.discover_resources()


async def test_faults_can_be_scripted_over_http(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{meta_sandbox.base_url}/_sandbox/faults",
            json={"kind": "status", "status": 404, "path": CAMPAIGNS},
        )
    assert answer.status_code == 201
    with pytest.raises(NotFoundError):
        await meta_connector.discover_resources()


def test_graph_error_mapping() -> None:
    def kind(code: int | None, status: int = 400, **extra: object) -> type:
        return type(error_from_graph({"code": code, **extra}, http_status=status))

    assert all(kind(c) is RateLimitedError for c in (4, 17, 32, 613, 80000, 80004, 80014))
    assert kind(None, 429) is RateLimitedError
    assert kind(190) is ReconnectRequiredError and kind(200) is ReconnectRequiredError
    assert kind(1) is TransientError and kind(2) is TransientError
    assert kind(100, is_transient=True) is TransientError and kind(None, 500) is TransientError
    assert kind(100, error_subcode=33) is NotFoundError
    assert kind(100) is MetaRequestError and not MetaRequestError.retryable


def test_usage_headers() -> None:
    headers = {
        "x-business-use-case-usage": json.dumps(
            {
                "1": [
                    {
                        "type": "ads_insights",
                        "call_count": 96,
                        "total_cputime": 20,
                        "total_time": 30,
                        "estimated_time_to_regain_access": 0,
                    },
                    {
                        "type": "ads_management",
                        "call_count": 100,
                        "estimated_time_to_regain_access": 7,
                    },
                ]
            }
        ),
        "X-App-Usage": '{"call_count": 12, "total_time": 3, "total_cputime": 2}',
        "X-Ad-Account-Usage": '{"acc_id_util_pct": 9.5, "reset_time_duration": 0}',
        "x-fb-ads-insights-throttle": "not json",
    }
    usage = parse_usage_headers(headers)
    assert usage is not None and usage.regain_access_s == 420 and usage.max_util_pct == 100
    assert usage.app["call_count"] == 12 and usage.ad_account["acc_id_util_pct"] == 9.5
    assert usage.insights_throttle == {}
    assert parse_usage_headers({"content-type": "application/json"}) is None


async def test_transport_errors_never_carry_the_token(meta_sandbox: MetaSandbox) -> None:
    token = meta_sandbox.issue_token()
    config = connector_config(meta_sandbox, graph_url="http://127.0.0.1:9", max_retries=0)
    async with MetaConnector(config, token) as connector:
        with pytest.raises(TransientError) as refused:
            await connector.discover_resources()
    assert "ConnectionError" in str(refused.value) and "access_token=***" in str(refused.value)
    assert token not in str(refused.value) and refused.value.__cause__ is None
