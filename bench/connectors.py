"""Connector throughput against the local sandboxes: `run()` returns markdown table lines.

Contract: `run()` starts a `connectors.sandbox.server.SandboxSuite` on 127.0.0.1 seeded
with synthetic data (one Meta ad account and one Google Ads customer with `campaigns`
campaigns x `days` days of daily metrics each, and a Drive of `files` files of which
60 % are campaign plans), then times, `runs` times each (median and best reported):

- Meta: `MetaConnector.read_daily_performance` over the whole range (an async report
  run, then 500-row insights pages - the connector's defaults; the report-status poll
  interval is 0 because the sandbox finishes a run after two polls);
- Google Ads: `GoogleAdsConnector.read_daily_performance` (one SearchStream over TLS);
- Drive: `GoogleDriveConnector.discover_resources` (files.list, 100 per page).

Each read is checked (row and file counts) so a broken connector cannot look fast.
Client and servers share one process (and its GIL), so the numbers are a lower bound
of what the connectors do against a remote API that answers instantly. `python -m
bench.connectors` prints the lines.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from connectors.config import ConnectorSettings, sandbox_env
from connectors.google_ads import GoogleAdsConnector
from connectors.google_drive import GoogleDriveConnector
from connectors.meta import MetaConnector
from connectors.records import OAuthTokens
from connectors.sandbox.data import (
    AdAccountData,
    CampaignData,
    CustomerData,
    DailyMetrics,
    DriveFileData,
    SandboxData,
)
from connectors.sandbox.server import SandboxSuite

__all__ = ["bench_data", "main", "run"]

META_ACCOUNT = "1000000001"
ADS_CUSTOMER = "1234567890"
END = dt.date(2026, 12, 31)
_META_PLACEMENTS = ("facebook_feed", "instagram_reels", "instagram_feed", "advantage_plus")
_ADS_PLACEMENTS = ("search", "shopping", "pmax", "youtube", "display", "demand_gen")
_PLAN = [
    ["Campaign ID", "bench"],
    ["Objective", "revenue"],
    ["Total budget", 100000],
    ["Start date", "2027-01-01"],
    ["End date", "2027-03-31"],
]


def _daily(index: int, days: int) -> list[DailyMetrics]:
    start = END - dt.timedelta(days=days - 1)
    return [
        DailyMetrics(
            date=start + dt.timedelta(days=d),
            spend=round(50 + index + (d % 17) * 1.25, 2),
            impressions=10_000 + 37 * d + index,
            clicks=150 + d % 23,
            conversions=float(3 + d % 5),
            revenue=round(400 + (d % 29) * 3.5, 2),
        )
        for d in range(days)
    ]


def bench_data(campaigns: int = 50, days: int = 730, files: int = 1000) -> SandboxData:
    """The synthetic seed (see the module docstring); deterministic."""
    meta = [
        CampaignData(
            id=str(120_000_000_000_000_000 + i),
            name=f"Bench {i}",
            channel=f"meta:{_META_PLACEMENTS[i % len(_META_PLACEMENTS)]}",
            daily=_daily(i, days),
        )
        for i in range(campaigns)
    ]
    ads = [
        CampaignData(
            id=str(21_000_000_000 + i),
            name=f"Bench {i}",
            channel=f"google_ads:{_ADS_PLACEMENTS[i % len(_ADS_PLACEMENTS)]}",
            daily=_daily(i, days),
        )
        for i in range(campaigns)
    ]
    modified = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    drive = [
        DriveFileData(
            id=f"bench-file-{i:05d}",
            name=f"Q{i % 4 + 1} media plan {i}" if i % 5 < 3 else f"Team notes {i}",
            modified_time=modified,
            sheets={"Plan": _PLAN} if i % 5 < 3 else {"Sheet1": [["note"]]},
        )
        for i in range(files)
    ]
    return SandboxData(
        meta_ad_accounts=[AdAccountData(id=META_ACCOUNT, name="Bench", campaigns=meta)],
        google_ads_customers=[
            CustomerData(id=ADS_CUSTOMER, descriptive_name="Bench", campaigns=ads)
        ],
        drive_files=drive,
    )


Timing = tuple[list[float], list[float]]
"""(wall seconds, process CPU seconds) per run."""


async def _timed(runs: int, read: Callable[[], Awaitable[int]], expected: int) -> Timing:
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        count = await read()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        if count != expected:
            raise RuntimeError(f"read {count} items, expected {expected}")
    return wall, cpu


async def _measure(
    campaigns: int, days: int, files: int, runs: int
) -> list[tuple[str, int, str, Timing]]:
    start = END - dt.timedelta(days=days - 1)
    rows = campaigns * days
    plans = sum(1 for i in range(files) if i % 5 < 3)
    async with SandboxSuite(bench_data(campaigns, days, files)) as suite:
        info = suite.endpoints()
        settings = ConnectorSettings.from_env(sandbox_env(info))
        demo = suite.demo_google_tokens
        tokens = OAuthTokens(
            access_token=demo["access_token"],
            refresh_token=demo["refresh_token"],
            scope=demo["scope"].split(),
        )
        client_id, client_secret = settings.google.client_credentials()
        meta_config = settings.meta.connector_config(async_poll_interval_s=0.0)
        ads = GoogleAdsConnector.from_tokens(
            tokens,
            settings.google_ads.settings(),
            client_id=client_id,
            client_secret=client_secret,
            token_url=settings.google.token_url,
        )
        drive = GoogleDriveConnector(
            tokens,
            client_id=client_id,
            client_secret=client_secret,
            settings=settings.google.drive_settings(),
        )
        async with MetaConnector(meta_config, info["meta"]["access_token"]) as meta, ads, drive:

            async def read_meta() -> int:
                return len(await meta.read_daily_performance(META_ACCOUNT, start, END))

            async def read_ads() -> int:
                return len(await ads.read_daily_performance(ADS_CUSTOMER, start, END))

            async def discover() -> int:
                return len(await drive.discover_resources())

            return [
                (
                    f"Meta insights, {campaigns} campaigns x {days} days "
                    f"(async report run, {meta_config.page_size}-row pages)",
                    rows,
                    "rows",
                    await _timed(runs, read_meta, rows),
                ),
                (
                    f"Google Ads SearchStream, {campaigns} campaigns x {days} days (gRPC, TLS)",
                    rows,
                    "rows",
                    await _timed(runs, read_ads, rows),
                ),
                (
                    f"Drive discovery over {files:,} files ({plans:,} plans; "
                    f"{settings.google.drive_settings().page_size} per page)",
                    files,
                    "files",
                    await _timed(runs, discover, plans),
                ),
            ]


def run(campaigns: int = 50, days: int = 730, files: int = 1000, runs: int = 3) -> list[str]:
    """Markdown lines: a heading, a note and the table (see the module docstring)."""
    results = asyncio.run(_measure(campaigns, days, files, runs))
    lines = [
        "## Connectors against the sandbox",
        "",
        f"In-process sandboxes on 127.0.0.1, official SDKs unmodified; {runs} runs each. "
        "Throughput is from the median wall time; CPU is the whole process (connector and "
        f"sandbox). Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores when "
        "it finished.",
        "",
        "| read | items | wall p50 | best | CPU p50 | throughput |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, items, unit, (wall, cpu) in results:
        median = statistics.median(wall)
        cells: list[Any] = [
            label,
            f"{items:,} {unit}",
            f"{median:.2f} s",
            f"{min(wall):.2f} s",
            f"{statistics.median(cpu):.2f} s",
            f"{items / median:,.0f} {unit}/s",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main() -> int:
    print("\n".join(run()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
