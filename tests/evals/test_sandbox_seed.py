"""The sandbox seed from a simulated world: its shape, and a round trip through the connectors.

The round trip starts every sandbox on 127.0.0.1, configures the three connectors from
the suite's JSON description (`connectors.config.sandbox_env`) and reads the whole
history back: the daily totals per channel and the campaign brief must be the world's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from connectors.config import ConnectorSettings, sandbox_env
from connectors.google_ads import GoogleAdsConnector, RetryPolicy, channel_for
from connectors.google_drive import GoogleDriveConnector, parse_campaign_brief
from connectors.meta import MetaConnector, channel_for_campaign
from connectors.records import CampaignBrief, ChannelBound, DailyPerformanceRow, OAuthTokens
from connectors.sandbox.google_ads import channel_type_for
from connectors.sandbox.server import SandboxSuite
from evals.sandbox_seed import (
    GOOGLE_ADS_CUSTOMER_ID,
    META_ACCOUNT_ID,
    PLAN_FILE_ID,
    PLAN_SHEET,
    plan_rows,
    sandbox_data,
)
from evals.simulator import World, WorldSpec, simulate_world
from evals.simulator.examples import northwind

Metrics = tuple[float, float, float, float, float]
_METRICS = ("spend", "impressions", "clicks", "conversions", "revenue")


@pytest.fixture(scope="module")
def world() -> World:
    return northwind()


def expected_daily(world: World) -> dict[tuple[str, dt.date], Metrics]:
    """The world's history per (channel, day), days without any delivery left out."""
    out: dict[tuple[str, dt.date], Metrics] = {}
    for row in world.planning_input["history"]:
        s, i, c, v, r = (float(row[k]) for k in _METRICS)
        if any((s, i, c, v, r)):
            out[(row["channel"], dt.date.fromisoformat(row["date"]))] = (s, i, c, v, r)
    return out


def actual_daily(rows: Iterable[DailyPerformanceRow]) -> dict[tuple[str, dt.date], Metrics]:
    out: dict[tuple[str, dt.date], list[float]] = {}
    for row in rows:
        values = [float(getattr(row, k)) for k in _METRICS]
        if any(values):
            total = out.setdefault((row.channel, row.date), [0.0] * 5)
            for i, v in enumerate(values):
                total[i] += v
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in out.items()}


def expected_brief(world: World, source_id: str = PLAN_FILE_ID) -> CampaignBrief:
    campaign: dict[str, Any] = world.planning_input["campaign"]
    goal = campaign.get("goal") or {"kind": "max_outcome"}
    return CampaignBrief(
        source_id=source_id,
        campaign_id=campaign["campaign_id"],
        objective=campaign["objective"],
        total_budget=campaign["total_budget"],
        currency=campaign.get("currency", "USD"),
        start_date=dt.date.fromisoformat(campaign["start_date"]),
        end_date=dt.date.fromisoformat(campaign["end_date"]),
        channels=[ChannelBound.model_validate(c) for c in campaign["channels"]],
        goal_kind=goal["kind"],
        goal_value=goal.get("value"),
        industry=campaign.get("industry"),
        region=campaign.get("region"),
    )


def test_every_channel_becomes_one_campaign_that_maps_back(world: World) -> None:
    data = sandbox_data(world)
    channels = [c["channel"] for c in world.planning_input["campaign"]["channels"]]
    [account] = data.meta_ad_accounts
    [customer] = data.google_ads_customers
    assert account.id == META_ACCOUNT_ID and customer.id == GOOGLE_ADS_CUSTOMER_ID
    assert len(channels) >= 6
    assert sorted(c.channel for c in [*account.campaigns, *customer.campaigns]) == sorted(channels)
    for campaign in account.campaigns:
        assert channel_for_campaign(campaign.name) == campaign.channel  # the name tag alone
        assert campaign.objective == "OUTCOME_SALES"
    for campaign in customer.campaigns:
        assert channel_for(channel_type_for(campaign.channel)) == campaign.channel
    days = {m.date for c in [*account.campaigns, *customer.campaigns] for m in c.daily}
    assert len(days) == 730  # two years of daily data
    assert sandbox_data(world) == data  # deterministic


def test_drive_holds_the_plan_last_quarters_plan_and_unrelated_files(world: World) -> None:
    files = {f.id: f for f in sandbox_data(world).drive_files}
    plan = files[PLAN_FILE_ID]
    assert plan.sheets[PLAN_SHEET][3] == ["Total budget", 297000.0]  # B4, as the docs say
    brief = parse_campaign_brief(plan.id, plan.sheets, title=plan.name)
    assert brief.model_dump(exclude={"name"}) == expected_brief(world).model_dump(exclude={"name"})
    assert brief.name == plan.name == "Northwind Outdoor Q1 2027 Media Plan"
    assert sum(f.trashed for f in files.values()) == 1
    assert len(files) >= 4


def test_target_goals_and_loose_bounds_survive_the_sheet() -> None:
    spec = WorldSpec(
        channels=("google_ads:search", "google_ads:display", "meta:instagram_feed"),
        history_days=60,
        goal="target_roas",
        bounds="loose",
        campaign_id="roas-test",
    )
    world = simulate_world(spec, 5)
    campaign = world.planning_input["campaign"]
    rows = plan_rows(campaign, name="ROAS test")
    brief = parse_campaign_brief("x", {"Plan": rows})
    assert brief.goal_kind == "target_roas" and brief.goal_value == campaign["goal"]["value"]
    assert brief.model_dump(exclude={"name"}) == expected_brief(world, "x").model_dump(
        exclude={"name"}
    )


def test_channels_of_other_platforms_are_refused(world: World) -> None:
    history = [*world.planning_input["history"][:3]]
    history.append({**history[0], "channel": "tiktok:feed"})
    odd = dataclasses.replace(world, planning_input={**world.planning_input, "history": history})
    with pytest.raises(ValueError, match="tiktok:feed"):
        sandbox_data(odd)


@pytest.fixture(scope="module")
async def suite(world: World) -> AsyncIterator[SandboxSuite]:
    async with SandboxSuite(sandbox_data(world)) as running:
        yield running


async def test_round_trip_through_the_three_connectors(suite: SandboxSuite, world: World) -> None:
    info = suite.endpoints()
    settings = ConnectorSettings.from_env(sandbox_env(info))
    google = info["google"]
    tokens = OAuthTokens(
        access_token=google["access_token"],
        refresh_token=google["refresh_token"],
        scope=google["scopes"],
    )
    client_id, client_secret = settings.google.client_credentials()
    history = world.planning_input["history"]
    start = dt.date.fromisoformat(history[0]["date"])
    end = dt.date.fromisoformat(history[-1]["date"])

    meta_config = settings.meta.connector_config(async_poll_interval_s=0.01, max_retries=0)
    async with MetaConnector(meta_config, info["meta"]["access_token"]) as meta:
        meta_rows = await meta.read_daily_performance(META_ACCOUNT_ID, start, end)
    ads = GoogleAdsConnector.from_tokens(
        tokens,
        settings.google_ads.settings(),
        client_id=client_id,
        client_secret=client_secret,
        token_url=settings.google.token_url,
        retry=RetryPolicy(attempts=1),
    )
    async with ads:
        ads_rows = await ads.read_daily_performance(GOOGLE_ADS_CUSTOMER_ID, start, end)
    drive = GoogleDriveConnector(
        tokens,
        client_id=client_id,
        client_secret=client_secret,
        settings=settings.google.drive_settings(),
    )
    async with drive:
        plans = await drive.discover_resources()
        brief = await drive.read_campaign_brief(PLAN_FILE_ID)

    assert {r.platform for r in meta_rows} == {"meta"}
    assert {r.platform for r in ads_rows} == {"google_ads"}
    actual = actual_daily([*meta_rows, *ads_rows])
    expected = expected_daily(world)
    assert actual.keys() == expected.keys()
    for key, values in expected.items():
        assert actual[key] == pytest.approx(values, abs=1e-6), key
    assert [p.id for p in plans] == [PLAN_FILE_ID]
    assert brief.model_dump(exclude={"name"}) == expected_brief(world).model_dump(exclude={"name"})
