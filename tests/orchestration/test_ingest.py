"""orchestration.ingest: plans and performance through the connectors from a sandbox.

Every test starts its own `SandboxSuite` on 127.0.0.1 (ephemeral ports; it starts in a
few milliseconds) and writes to an SQLite store in `tmp_path`; both are closed at
teardown. Nothing contacts a real API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from connectors.config import ConnectorSettings, sandbox_env
from connectors.errors import NotFoundError, ReconnectRequiredError, SheetFormatError
from connectors.records import OAuthTokens
from connectors.sandbox.data import DriveFileData, SandboxData
from connectors.sandbox.server import SandboxSuite
from evals.sandbox_seed import GOOGLE_ADS_CUSTOMER_ID, META_ACCOUNT_ID, PLAN_FILE_ID, sandbox_data
from evals.simulator import World
from evals.simulator.examples import northwind
from orchestration.ingest import (
    PLATFORMS,
    SANDBOX_OPTIONS,
    IngestReport,
    IngestTokens,
    describe_ingest,
    ingest_workspace,
    sandbox_login,
    sandbox_tokens,
    stored_tokens,
)
from orchestration.store import Store
from orchestration.store._models import Base
from tests.orchestration.store.conftest import KEY, FakeClock

WS = "ws-ingest"
START, END = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
_METRICS = ("spend", "impressions", "clicks", "conversions", "revenue")


@pytest.fixture(scope="module")
def world() -> World:
    return northwind()


@pytest.fixture(scope="module")
def seed(world: World) -> SandboxData:
    return sandbox_data(world)


@pytest.fixture
async def suite(seed: SandboxData) -> AsyncIterator[SandboxSuite]:
    async with SandboxSuite(seed) as running:
        yield running


@pytest.fixture
def settings(suite: SandboxSuite) -> ConnectorSettings:
    return ConnectorSettings.from_env(sandbox_env(suite.endpoints()))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Any, clock: FakeClock) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'store.db'}", clock=clock, secret_key=KEY) as opened:
        opened.upgrade()
        yield opened


def _tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
            for t in Base.metadata.sorted_tables
        }


def _daily(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[float, ...]]:
    """(date, channel) -> metrics, days without any delivery left out."""
    out = {}
    for row in rows:
        values = tuple(float(row[k] or 0.0) for k in _METRICS)
        if any(values):
            out[(str(row["date"]), str(row["channel"]))] = values
    return out


async def _ingest(
    store: Store, settings: ConnectorSettings, tokens: IngestTokens, **kwargs: Any
) -> IngestReport:
    options: dict[str, Any] = {"start": START, "end": END, "options": SANDBOX_OPTIONS}
    return await ingest_workspace(store, WS, settings, tokens, **(options | kwargs))


async def test_ingest_reproduces_the_world_and_a_second_run_changes_nothing(
    store: Store, settings: ConnectorSettings, world: World, clock: FakeClock
) -> None:
    tokens = await sandbox_login(settings)  # the connectors' OAuth flows, auto-approved
    report = await _ingest(store, settings, tokens)

    assert report.campaign_ids == ("q1-2027-northwind",) and report.other_accounts == ()
    drive, meta, ads = (report.platforms[p] for p in PLATFORMS)
    assert drive.resources == (PLAN_FILE_ID,) and (drive.inserted, drive.rows_read) == (1, 1)
    assert meta.resources == (f"act_{META_ACCOUNT_ID}",) and len(meta.channels) == 3
    assert ads.resources == (GOOGLE_ADS_CUSTOMER_ID,) and len(ads.channels) == 4
    for r in (meta, ads):
        assert r.rows_read == r.inserted == 730 * len(r.channels)
        assert (r.first_day, r.last_day) == (START, END) and r.currencies == ("USD",)
    assert report.performance_rows == 5110 and report.changed
    summary = describe_ingest(report)
    assert "Meta" in summary and "2,920 rows" in summary and "warning" not in summary

    # The planning input built from the store is the simulated world's, minus the KPI
    # (a business series no platform reports; run_demo loads it separately).
    example = world.planning_input
    doc = store.planning_input(WS, "q1-2027-northwind")
    assert doc["campaign"] == {**example["campaign"], "workspace_id": WS}
    brief = store.get_campaign(WS, "q1-2027-northwind")
    assert brief.source_id == PLAN_FILE_ID and brief.total_budget == 297000.0
    bounds = {b.channel: b for b in brief.channels}
    assert bounds["meta:instagram_reels"].min_spend == 20000.0
    assert bounds["google_ads:youtube"].max_spend == 25000.0
    got, want = _daily(doc["history"]), _daily(example["history"])
    assert got.keys() == want.keys()
    for key, values in want.items():
        assert got[key] == pytest.approx(values, abs=1e-6), key
    assert "kpi" not in doc

    before, version = _tables(store), store.data_version(WS, "q1-2027-northwind")
    clock.advance(days=1)
    again = await _ingest(store, settings, report.tokens)
    assert not again.changed
    assert [again.platforms[p].unchanged for p in PLATFORMS] == [1, 2190, 2920]
    assert _tables(store) == before  # not even updated_at moved
    assert store.data_version(WS, "q1-2027-northwind") == version  # cached plans stay valid


async def test_demo_tokens_one_spreadsheet_and_a_short_window(
    store: Store, suite: SandboxSuite, settings: ConnectorSettings
) -> None:
    tokens = sandbox_tokens(suite.endpoints())
    assert tokens.google_drive == tokens.google_ads  # one demo grant for both Google APIs
    start = END - dt.timedelta(days=29)  # Meta reads this with the sync insights edge
    report = await _ingest(store, settings, tokens, start=start, brief_file_id=PLAN_FILE_ID)
    assert report.campaign_ids == ("q1-2027-northwind",)
    assert report.performance_rows == 7 * 30
    rows = store.performance_range(WS, START, END)
    assert {r.date for r in rows} == {start + dt.timedelta(days=i) for i in range(30)}

    stale = rows[0].model_copy(update={"account_id": "act_999", "campaign_id": "1"})
    store.upsert_performance(WS, [stale])  # e.g. an account disconnected since
    again = await _ingest(store, settings, tokens, start=start, brief_file_id=PLAN_FILE_ID)
    assert again.other_accounts == (f"{stale.platform}:act_999",) and not again.changed
    assert "warning: the store also holds rows" in " ".join(describe_ingest(again).split())


async def test_only_connected_platforms_are_read(
    store: Store, suite: SandboxSuite, settings: ConnectorSettings
) -> None:
    tokens = IngestTokens(google_drive=sandbox_tokens(suite.endpoints()).google_drive)
    report = await _ingest(store, settings, tokens)
    assert report.campaign_ids == ("q1-2027-northwind",) and report.performance_rows == 0
    for platform in ("meta", "google_ads"):
        assert not report.platforms[platform].connected
    assert "Meta         not connected" in describe_ingest(report)
    assert store.performance_range(WS, START, END) == []


async def test_discovery_skips_non_plans_and_older_duplicates(
    store: Store, seed: SandboxData
) -> None:
    plan = next(f for f in seed.drive_files if f.id == PLAN_FILE_ID)
    older = plan.model_copy(
        update={
            "id": "1nwPlanCopySheet",
            "name": "Copy of " + plan.name,
            "modified_time": plan.modified_time - dt.timedelta(days=3),
        }
    )
    not_a_plan = DriveFileData(
        id="1nwBudgetNotesSheet",
        name="Budget notes",
        modified_time=plan.modified_time,
        sheets={"Sheet1": [["Idea", "Cost"], ["Billboards", 1000]]},
    )
    data = seed.model_copy(update={"drive_files": [*seed.drive_files, older, not_a_plan]})
    async with SandboxSuite(data) as suite:
        settings = ConnectorSettings.from_env(sandbox_env(suite.endpoints()))
        tokens = IngestTokens(google_drive=sandbox_tokens(suite.endpoints()).google_drive)
        report = await _ingest(store, settings, tokens)
        with pytest.raises(SheetFormatError, match=r"^Google Drive: reading the plan spread"):
            await _ingest(store, settings, tokens, brief_file_id=not_a_plan.id)
    drive = report.platforms["google_drive"]
    assert drive.resources == (PLAN_FILE_ID,) and report.campaign_ids == ("q1-2027-northwind",)
    skipped = " | ".join(drive.skipped)
    assert "1nwBudgetNotesSheet) is not a plan" in skipped
    repeated = f"repeats campaign 'q1-2027-northwind' of the more recent {PLAN_FILE_ID}"
    assert f"1nwPlanCopySheet) {repeated}" in skipped


async def test_connector_errors_keep_their_type_and_name_the_platform(
    store: Store, suite: SandboxSuite, settings: ConnectorSettings
) -> None:
    tokens = await sandbox_login(settings)
    suite.inject_fault("meta", "expire-token")
    with pytest.raises(ReconnectRequiredError) as meta_failed:
        await _ingest(store, settings, tokens)
    assert str(meta_failed.value).startswith("Meta: discovering ad accounts: ")
    assert meta_failed.value.platform == "meta" and not meta_failed.value.retryable

    tokens = await sandbox_login(settings)  # Meta's token is spent; connect again
    suite.inject_fault("google_ads", "revoke-refresh")
    with pytest.raises(NotFoundError) as both_failed:  # Drive's error comes first
        await _ingest(store, settings, tokens, brief_file_id="no-such-file")
    assert str(both_failed.value).startswith("Google Drive: reading the plan spreadsheet no-such")
    notes = " ".join(getattr(both_failed.value, "__notes__", []))
    assert "also failed: ReconnectRequiredError: Google Ads: " in notes

    assert store.performance_range(WS, START, END) == []  # nothing written after a failure
    assert store.list_campaigns(WS) == []
    with pytest.raises(ValueError, match="after end"):
        await _ingest(store, settings, tokens, start=END, end=START)
    real = ConnectorSettings.from_env(
        {"MEDIAPLAN_GOOGLE_CLIENT_ID": "x", "MEDIAPLAN_META_APP_ID": "y"}
    )
    with pytest.raises(ValueError, match="needs a local sandbox, but MEDIAPLAN_GOOGLE_AUTH_URL"):
        await sandbox_login(real)


async def test_stored_tokens_are_the_active_integrations(store: Store, suite: SandboxSuite) -> None:
    demo = sandbox_tokens(suite.endpoints())
    store.ensure_workspace(WS)
    assert stored_tokens(store, WS) == IngestTokens()
    for platform in PLATFORMS:
        tokens = demo.for_platform(platform)
        assert isinstance(tokens, OAuthTokens)
        store.save_integration(WS, platform, tokens)
    store.set_integration_status(WS, "meta", "revoked")
    found = stored_tokens(store, WS)
    assert found == IngestTokens(google_drive=demo.google_drive, google_ads=demo.google_ads)
