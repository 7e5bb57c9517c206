"""The Meta sandbox's wire behaviour, raw and through the unmodified SDK in a thread runner."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession

from connectors.sandbox.meta import MetaSandbox, MetaSandboxThread
from tests.connectors.meta_fixtures import ACCOUNT, make_meta_data, meta_sandbox

__all__ = ["meta_sandbox"]


async def test_graph_auth_errors_have_meta_shapes(meta_sandbox: MetaSandbox) -> None:
    base = f"{meta_sandbox.base_url}/v26.0"
    token = meta_sandbox.demo_access_token
    app_token = f"{meta_sandbox.app_id}|{meta_sandbox.app_secret}"
    async with httpx.AsyncClient() as http:
        missing = (await http.get(f"{base}/me/adaccounts")).json()["error"]
        invalid = (await http.get(f"{base}/me", params={"access_token": "EAAx"})).json()["error"]
        proof = await http.get(
            f"{base}/act_{ACCOUNT}/", params={"access_token": token, "appsecret_proof": "00"}
        )
        as_app = (await http.get(f"{base}/me", params={"access_token": app_token})).json()
        good_proof = hmac.new(meta_sandbox.app_secret.encode(), token.encode(), hashlib.sha256)
        node = await http.get(
            f"{base}/act_{ACCOUNT}/",
            params={"access_token": token, "appsecret_proof": good_proof.hexdigest()},
        )
        bearer = await http.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"})
    assert missing["code"] == 104 and invalid["code"] == 190
    assert set(invalid) >= {"message", "type", "code", "fbtrace_id"}
    assert proof.status_code == 400 and "appsecret_proof" in proof.json()["error"]["message"]
    assert as_app["error"]["code"] == 2500
    assert node.json() == {"id": f"act_{ACCOUNT}", "account_id": ACCOUNT}
    assert "X-Business-Use-Case-Usage" in node.headers and bearer.status_code == 200


async def test_paging_summary_and_async_report_lifecycle(meta_sandbox: MetaSandbox) -> None:
    base = f"{meta_sandbox.base_url}/v26.0"
    auth = {"access_token": meta_sandbox.demo_access_token}
    async with httpx.AsyncClient() as http:
        first = (
            await http.get(
                f"{base}/act_{ACCOUNT}/campaigns",
                params={**auth, "limit": "2", "summary": "true", "fields": "id,name"},
            )
        ).json()
        second = (await http.get(first["paging"]["next"])).json()
        created = await http.post(
            f"{base}/act_{ACCOUNT}/insights",
            data={
                **auth,
                "fields": json.dumps(["campaign_id", "spend"]),
                "level": "campaign",
                "time_increment": "1",
                "time_range": json.dumps({"since": "2026-01-01", "until": "2026-01-02"}),
            },
        )
        run_id = created.json()["report_run_id"]
        early = (await http.get(f"{base}/{run_id}/insights", params=auth)).json()
        statuses = [
            (await http.get(f"{base}/{run_id}/", params=auth)).json()["async_status"]
            for _ in range(2)
        ]
        rows = (await http.get(f"{base}/{run_id}/insights", params={**auth, "limit": 4})).json()
    assert first["summary"] == {"total_count": 3} and len(first["data"]) == 2
    assert len(second["data"]) == 1 and "next" not in second["paging"]
    assert early["error"]["code"] == 100
    assert statuses == ["Job Not Started", "Job Completed"]
    assert len(rows["data"]) == 4 and "next" in rows["paging"]
    assert set(rows["data"][0]) == {"campaign_id", "spend", "date_start", "date_stop"}


async def test_consent_page_rejects_unknown_apps(meta_sandbox: MetaSandbox) -> None:
    url = f"{meta_sandbox.base_url}/v26.0/dialog/oauth"
    async with httpx.AsyncClient() as http:
        wrong_app = await http.get(url, params={"client_id": "1", "redirect_uri": "https://x/cb"})
        no_redirect = await http.get(url, params={"client_id": meta_sandbox.app_id})
    assert wrong_app.status_code == 400 and "Invalid App ID" in wrong_app.text
    assert no_redirect.status_code == 400


def test_thread_runner_serves_the_unmodified_sdk() -> None:
    with MetaSandboxThread(make_meta_data(campaigns=5)) as runner:
        sandbox = runner.sandbox
        session = FacebookSession(
            sandbox.app_id, sandbox.app_secret, sandbox.demo_access_token, timeout=5
        )
        session.GRAPH = runner.base_url
        api = FacebookAdsApi(session, api_version="v26.0")
        try:
            cursor = AdAccount(f"act_{ACCOUNT}", api=api).get_campaigns(
                fields=["name", "adlabels"], params={"limit": 2}
            )
            names = [campaign["name"] for campaign in cursor]
        finally:
            session.requests.close()
        campaign_id = runner.call_sync(lambda sb: next(iter(sb.world.campaigns)))
        deliveries = runner.call(lambda sb: sb.pause_campaign(campaign_id))
    assert names == [f"Campaign 0-{i}" for i in range(5)]
    assert deliveries == []  # nobody subscribed


async def test_campaign_level_insights_node(meta_sandbox: MetaSandbox) -> None:
    campaign = next(iter(meta_sandbox.world.campaigns))
    params = {
        "access_token": meta_sandbox.demo_access_token,
        "fields": "campaign_id,spend,actions",
        "time_range": json.dumps({"since": "2026-01-01", "until": "2026-01-03"}),
        "time_increment": "all_days",
    }
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{meta_sandbox.base_url}/v26.0/{campaign}/insights", params=params)
    rows = answer.json()["data"]
    assert len(rows) == 1 and rows[0]["campaign_id"] == campaign
    assert (rows[0]["date_start"], rows[0]["date_stop"]) == ("2026-01-01", "2026-01-03")
    expected = sum(
        meta_sandbox.world.campaigns[campaign].daily[d]["spend"]
        for d in sorted(meta_sandbox.world.campaigns[campaign].daily)[:3]
    )
    assert float(rows[0]["spend"]) == round(expected, 2)
    assert {a["action_type"] for a in rows[0]["actions"]} >= {"omni_purchase", "purchase"}


def test_report_runs_are_bounded_like_metas_expiry() -> None:
    from connectors.sandbox.data import SandboxData
    from connectors.sandbox.meta.world import MAX_REPORT_RUNS, MetaWorld

    world = MetaWorld(SandboxData())
    runs = [world.create_report_run("act_1", {}).id for _ in range(MAX_REPORT_RUNS + 5)]
    assert list(world.report_runs) == runs[-MAX_REPORT_RUNS:]
