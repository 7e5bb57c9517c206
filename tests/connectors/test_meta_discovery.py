"""Meta discovery, resource reads, channel resolution and change listing."""

from __future__ import annotations

import pytest

from connectors.base import Connector
from connectors.errors import NotFoundError
from connectors.meta import MetaConnector, channel_for_campaign, normalize_account_id
from connectors.sandbox.meta import MetaSandbox, start_meta_sandbox
from tests.connectors.meta_fixtures import (
    ACCOUNT,
    CHANNELS,
    connector_config,
    make_meta_data,
    meta_connector,
    meta_sandbox,
)

__all__ = ["meta_connector", "meta_sandbox"]


async def test_discovery_pages_through_many_accounts_and_campaigns() -> None:
    sandbox = await start_meta_sandbox(make_meta_data(campaigns=23, days=1, accounts=3))
    try:
        config = connector_config(sandbox, page_size=5)
        async with MetaConnector(config, sandbox.demo_access_token) as connector:
            assert isinstance(connector, Connector)
            resources = await connector.discover_resources()
    finally:
        await sandbox.stop()
    accounts = [r for r in resources if r.type == "ad_account"]
    campaigns = [r for r in resources if r.type == "campaign"]
    assert [a.id for a in accounts] == ["act_1000000001", "act_1000000002", "act_1000000003"]
    assert accounts[0].metadata["currency"] == "USD"
    assert len(campaigns) == 69 and len({c.id for c in campaigns}) == 69
    first = [c for c in campaigns if c.parent_id == "act_1000000001"]
    assert [c.metadata["channel"] for c in first[:4]] == list(CHANNELS)
    assert first[0].last_modified is not None
    assert first[0].metadata["status"] == "ACTIVE"


async def test_read_resource_and_missing_objects(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    account = await meta_connector.read_resource(f"act_{ACCOUNT}")
    assert account["account_id"] == ACCOUNT and account["currency"] == "USD"
    campaign_id = next(iter(meta_sandbox.world.campaigns))
    campaign = await meta_connector.read_resource(campaign_id)
    assert campaign["id"] == campaign_id
    labels = campaign["adlabels"]
    assert isinstance(labels, list) and labels[0]["name"] == "placement:instagram_reels"
    with pytest.raises(NotFoundError):
        await meta_connector.read_resource("999999")


def test_channel_conventions() -> None:
    label = [{"id": "1", "name": "placement:Instagram_Stories"}]
    assert channel_for_campaign("whatever", label) == "meta:instagram_stories"
    assert channel_for_campaign("Spring [facebook_feed] push") == "meta:facebook_feed"
    assert channel_for_campaign("Spring [meta:advantage_plus]") == "meta:advantage_plus"
    assert channel_for_campaign("Brand [Q4]") == "meta:other"
    assert channel_for_campaign(None, [{"name": "placement:bad slug!"}]) == "meta:other"
    assert normalize_account_id("123") == normalize_account_id("act_123") == "act_123"
    with pytest.raises(ValueError):
        normalize_account_id("act_abc")


async def test_list_changes_reports_each_change_once(
    meta_connector: MetaConnector, meta_sandbox: MetaSandbox
) -> None:
    first = await meta_connector.list_changes(None)
    assert first.changes == []
    assert (await meta_connector.list_changes(first.next_cursor)).changes == []

    paused, archived, kept = list(meta_sandbox.world.campaigns)[:3]
    await meta_sandbox.pause_campaign(paused)
    await meta_sandbox.set_campaign_status(archived, "ARCHIVED")
    created, _ = await meta_sandbox.create_campaign(ACCOUNT, "New [instagram_reels]", "meta:x")
    page = await meta_connector.list_changes(first.next_cursor)
    kinds = {c.resource_id: c.change_type for c in page.changes}
    assert kinds == {paused: "updated", archived: "removed", created: "created"}
    assert kept not in kinds
    assert all(c.changed_at is not None for c in page.changes)

    again = await meta_connector.list_changes(page.next_cursor)
    assert again.changes == []  # same second, already reported: nothing repeats
    await meta_sandbox.set_campaign_status(paused, "DELETED")
    later = await meta_connector.list_changes(again.next_cursor)
    assert [(c.resource_id, c.change_type) for c in later.changes] == [(paused, "removed")]
    with pytest.raises(ValueError):
        await meta_connector.list_changes("garbage")
