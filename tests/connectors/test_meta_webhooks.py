"""Meta webhooks: handshake, signatures, parsing, and real deliveries from the sandbox."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from connectors.errors import MalformedResponseError
from connectors.meta import (
    MetaConnector,
    MetaRequestError,
    parse_webhook,
    sign_body,
    verify_signature,
    verify_subscription,
)
from connectors.sandbox.meta import MetaSandbox
from tests.connectors.meta_fixtures import (
    ACCOUNT,
    START,
    WebhookReceiver,
    meta_connector,
    meta_sandbox,
    webhook_receiver,
)

__all__ = ["meta_connector", "meta_sandbox", "webhook_receiver"]

SECRET = "app-secret"


def test_subscription_challenge_is_echoed_only_for_the_right_token() -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "vt"}
    assert verify_subscription(params, "vt") == "1158201444"
    assert verify_subscription(params, "other") is None
    assert verify_subscription({**params, "hub.mode": "unsubscribe"}, "vt") is None
    assert verify_subscription({**params, "hub.challenge": ""}, "vt") is None
    assert verify_subscription(params, "") is None


def test_signatures_are_checked_over_the_exact_body() -> None:
    body = b'{"object":"ad_account","entry":[]}'
    header = sign_body(body, SECRET)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(body, header, SECRET)
    assert not verify_signature(body + b" ", header, SECRET)  # tampered body
    assert not verify_signature(body, header, "other-secret")
    assert not verify_signature(body, None, SECRET)
    assert not verify_signature(body, "sha1=" + header[7:], SECRET)
    assert not verify_signature(body, "sha256=ünïcode", SECRET)


def test_parse_webhook_changes() -> None:
    entry = {
        "id": ACCOUNT,
        "time": 1_767_225_600,
        "changes": [
            {"field": "in_process_ad_objects", "value": {"id": "7", "level": "CAMPAIGN"}},
            {
                "field": "in_process_ad_objects",
                "value": {"id": "8", "level": "CAMPAIGN", "status_name": "DELETED"},
            },
            {"field": "with_issues_ad_objects", "value": {"id": "9", "level": "AD"}},
            {
                "field": "subscriptions",
                "value": {
                    "object_id": "10",
                    "object_type": "CAMPAIGN",
                    "trigger_type": "METADATA_CREATION",
                },
            },
            {
                "field": "subscriptions",
                "value": {
                    "object_id": "7",
                    "object_type": "CAMPAIGN",
                    "trigger_type": "STATS_CHANGE",
                },
            },
        ],
    }
    changes = parse_webhook(json.dumps({"object": "ad_account", "entry": [entry]}).encode())
    assert [(c.resource_id, c.change_type) for c in changes] == [
        ("7", "updated"),
        ("8", "removed"),
        (f"act_{ACCOUNT}", "updated"),
        ("10", "created"),
    ]
    assert changes[0].changed_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert parse_webhook(b'{"object": "page", "entry": []}') == []
    for bad in (b"not json", b"[]", b'{"object": "ad_account", "entry": [{}]}'):
        with pytest.raises(MalformedResponseError):
            parse_webhook(bad)


async def test_sandbox_delivers_signed_webhooks_after_subscription(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox, webhook_receiver: WebhookReceiver
) -> None:
    channel = await meta_connector.start_watch(
        f"act_{ACCOUNT}", webhook_receiver.url, webhook_receiver.verify_token
    )
    assert channel.expires_at is None and channel.resource_id == f"act_{ACCOUNT}"
    assert webhook_receiver.challenges == 1  # Meta-style hub.challenge GET on subscribe
    assert await meta_connector.renew_watch(channel) == channel

    campaign = next(iter(meta_sandbox.world.campaigns))
    deliveries = await meta_sandbox.add_spend(campaign, START, 12.5, clicks=3)
    assert [d.status for d in deliveries] == [200]
    assert deliveries[0].signature == sign_body(deliveries[0].body, meta_sandbox.app_secret)
    assert [(c.resource_id, c.change_type) for c in webhook_receiver.changes] == [
        (f"act_{ACCOUNT}", "updated")
    ]
    await meta_sandbox.pause_campaign(campaign)
    assert (webhook_receiver.changes[-1].resource_id, webhook_receiver.rejected) == (campaign, 0)

    # Over HTTP, as a demo script would drive it.
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{meta_sandbox.base_url}/_sandbox/add-spend",
            json={"campaign_id": campaign, "date": "2026-01-02", "spend": 1.0},
        )
        assert answer.status_code == 200 and answer.json()["deliveries"][0]["status"] == 200
        log = (await http.get(f"{meta_sandbox.base_url}/_sandbox/deliveries")).json()
    assert len(log["deliveries"]) == 3 and len(webhook_receiver.changes) == 3

    await meta_connector.stop_watch(channel)
    assert await meta_sandbox.add_spend(campaign, START, 1.0) == []


async def test_receiver_rejects_forged_deliveries(
    meta_sandbox: MetaSandbox, webhook_receiver: WebhookReceiver
) -> None:
    body = json.dumps({"object": "ad_account", "entry": [{"id": ACCOUNT, "changes": []}]})
    async with httpx.AsyncClient() as http:
        forged = await http.post(
            webhook_receiver.url,
            content=body,
            headers={"X-Hub-Signature-256": sign_body(body.encode(), "not-the-secret")},
        )
        unsigned = await http.post(webhook_receiver.url, content=body)
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert webhook_receiver.rejected == 2 and webhook_receiver.changes == []


async def test_subscription_fails_when_the_callback_does_not_verify(
    meta_connector: MetaConnector, webhook_receiver: WebhookReceiver
) -> None:
    with pytest.raises(MetaRequestError, match="2200"):
        await meta_connector.start_watch(f"act_{ACCOUNT}", webhook_receiver.url, "wrong-token")
    assert webhook_receiver.challenges == 0
