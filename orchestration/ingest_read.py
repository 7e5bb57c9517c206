"""The ingest's reading half: the three platforms through their connectors, concurrently.

Contract: `read_all(settings, tokens, options, start, end, brief_file_id)` reads every
platform of `PLATFORMS` concurrently and returns one `Read` per platform, in that order:
Drive's plan spreadsheets (newest first; not-a-plan and duplicate campaigns skipped and
named, unless `brief_file_id` was asked for), Meta's ad accounts and Google Ads'
non-manager customers for [`start`, `end`]; a platform without a token is an empty
``"not connected"`` read. Nothing is written. When reads fail, the first failure in
platform order is raised, the others attached as notes; connector errors carry the
platform and the step in their message (`step`), as the same object. The connectors are
imported only when their platform is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass, field

from connectors.config import ConnectorSettings
from connectors.errors import ConnectorError, SheetFormatError
from connectors.records import CampaignBrief, DailyPerformanceRow, OAuthTokens, Resource
from orchestration.ingest_types import (
    LABELS,
    PLATFORMS,
    IngestOptions,
    IngestPlatform,
    IngestTokens,
)

__all__ = ["Read", "read_all", "step"]


@contextlib.contextmanager
def step(platform: str, what: str) -> Iterator[None]:
    """Prefix a connector error's message with the platform and `what` (same object)."""
    try:
        yield
    except ConnectorError as exc:
        message = str(exc.args[0]) if exc.args else type(exc).__name__
        exc.args = (f"{LABELS[platform]}: {what}: {message}", *exc.args[1:])
        raise


@dataclass
class Read:
    """What one platform gave, before anything is written; `tokens` after the read."""

    platform: IngestPlatform
    tokens: OAuthTokens | None
    resources: list[str] = field(default_factory=list)
    briefs: list[CampaignBrief] = field(default_factory=list)
    rows: list[DailyPerformanceRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _newest_first(resources: Sequence[Resource]) -> list[Resource]:
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(resources, key=lambda r: r.last_modified or oldest, reverse=True)


async def _read_drive(
    settings: ConnectorSettings,
    tokens: OAuthTokens,
    options: IngestOptions,
    brief_file_id: str | None,
) -> Read:
    from connectors.google_drive import GoogleDriveConnector

    out = Read("google_drive", tokens)
    client_id, client_secret = settings.google.client_credentials()
    drive = GoogleDriveConnector(
        tokens,
        client_id=client_id,
        client_secret=client_secret,
        settings=settings.google.drive_settings(timeout_s=options.timeout_s),
    )
    async with drive:
        if brief_file_id is not None:
            files = [(brief_file_id, brief_file_id)]
        else:
            with step("google_drive", "discovering plan spreadsheets"):
                found = await drive.discover_resources()
            files = [(r.id, r.name) for r in _newest_first(found) if r.type == "spreadsheet"]
        seen: dict[str, str] = {}
        for file_id, name in files:
            try:
                with step("google_drive", f"reading the plan spreadsheet {file_id}"):
                    brief = await drive.read_campaign_brief(file_id)
            except SheetFormatError as exc:
                if brief_file_id is not None:
                    raise
                out.skipped.append(f"{name!r} ({file_id}) is not a plan: {exc}")
                continue
            if brief.campaign_id in seen:
                out.skipped.append(
                    f"{name!r} ({file_id}) repeats campaign {brief.campaign_id!r} of the "
                    f"more recent {seen[brief.campaign_id]}"
                )
                continue
            seen[brief.campaign_id] = file_id
            out.resources.append(file_id)
            out.briefs.append(brief)
        out.tokens = drive.tokens
    return out


async def _read_meta(
    settings: ConnectorSettings,
    tokens: OAuthTokens,
    options: IngestOptions,
    start: dt.date,
    end: dt.date,
) -> Read:
    from connectors.meta import MetaConnector

    out = Read("meta", tokens)
    config = settings.meta.connector_config(
        timeout_s=options.timeout_s, async_poll_interval_s=options.meta_poll_interval_s
    )
    async with MetaConnector(config, tokens.access_token) as meta:
        with step("meta", "discovering ad accounts"):
            found = await meta.discover_resources()
        for account in [r.id for r in found if r.type == "ad_account"]:
            with step("meta", f"reading ad account {account} {start}..{end}"):
                out.rows += await meta.read_daily_performance(account, start, end)
            out.resources.append(account)
    return out


async def _read_google_ads(
    settings: ConnectorSettings,
    tokens: OAuthTokens,
    options: IngestOptions,
    start: dt.date,
    end: dt.date,
) -> Read:
    from connectors.google_ads import GoogleAdsConnector

    out = Read("google_ads", tokens)
    client_id, client_secret = settings.google.client_credentials()
    ads = GoogleAdsConnector.from_tokens(
        tokens,
        settings.google_ads.settings(
            timeout_s=options.timeout_s, stream_timeout_s=options.stream_timeout_s
        ),
        client_id=client_id,
        client_secret=client_secret,
        token_url=settings.google.token_url,
    )
    async with ads:
        with step("google_ads", "discovering customers"):
            found = await ads.discover_resources()
        customers = [r for r in found if r.type == "customer"]
        for customer in customers:
            if customer.metadata.get("manager"):
                out.skipped.append(f"manager account {customer.id} (its clients are read)")
                continue
            with step("google_ads", f"reading customer {customer.id} {start}..{end}"):
                out.rows += await ads.read_daily_performance(customer.id, start, end)
            out.resources.append(customer.id)
        out.tokens = ads.tokens()
    return out


async def _timed(read: Awaitable[Read]) -> Read:
    began = time.perf_counter()
    out = await read
    out.seconds = time.perf_counter() - began
    return out


async def read_all(
    settings: ConnectorSettings,
    tokens: IngestTokens,
    options: IngestOptions,
    start: dt.date,
    end: dt.date,
    brief_file_id: str | None,
) -> list[Read]:
    """Every platform's read, in `PLATFORMS` order (see the module docstring)."""
    jobs: list[Awaitable[Read]] = []
    for platform in PLATFORMS:
        token = tokens.for_platform(platform)
        if token is None:
            jobs.append(_timed(_idle(platform)))
        elif platform == "google_drive":
            jobs.append(_timed(_read_drive(settings, token, options, brief_file_id)))
        elif platform == "meta":
            jobs.append(_timed(_read_meta(settings, token, options, start, end)))
        else:
            jobs.append(_timed(_read_google_ads(settings, token, options, start, end)))
    results = await asyncio.gather(*jobs, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        first = next((e for e in errors if not isinstance(e, Exception)), errors[0])
        for other in errors:
            if other is not first:
                first.add_note(f"also failed: {type(other).__name__}: {other}")
        raise first
    return [r for r in results if isinstance(r, Read)]


async def _idle(platform: IngestPlatform) -> Read:
    return Read(platform, None, skipped=["not connected"])
