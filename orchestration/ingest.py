"""Read a workspace's plans and platform performance through the connectors into the store.

Contract:

- `ingest_workspace(store, workspace_id, settings, tokens, start=..., end=...)` reads,
  through the connectors configured by `settings` (`connectors.config.ConnectorSettings`:
  the real APIs, or a sandbox via `sandbox_env`) and authorized by `tokens`:

  - **Google Drive**: the campaign-plan spreadsheets `GoogleDriveConnector.discover_resources`
    finds (or only `brief_file_id`), each parsed by `read_campaign_brief`. When two
    spreadsheets hold the same campaign id, the most recently modified one wins; a
    discovered spreadsheet that is not a plan (`SheetFormatError`) or a duplicate is
    skipped and named in `PlatformReport.skipped` (an explicit `brief_file_id` that is
    not a plan raises instead).
  - **Meta**: the daily performance of every ad account `MetaConnector.discover_resources`
    lists, for [`start`, `end`].
  - **Google Ads**: the daily performance of every non-manager customer
    `GoogleAdsConnector.discover_resources` lists, for [`start`, `end`].

  The three platforms are read concurrently and nothing is written until every read has
  succeeded: then the workspace is ensured, each brief is upserted as the store's campaign
  (`Store.upsert_campaign`: the store keeps `CampaignBrief`s as they are, ``source_id``
  being the spreadsheet id) and the rows with `Store.upsert_performance` (keyed by
  (date, platform, account, campaign, channel)). A second run over unchanged data
  therefore writes nothing (every count is ``unchanged``). A platform whose token in
  `tokens` is None is not read and is reported as skipped ("not connected").

  It returns an `IngestReport`: per platform the resources read, the rows (briefs or
  performance rows) read, the upsert counts, channels, spend, first and last day, read and
  write seconds; the campaign ids; the stored accounts with rows in the window that this
  run did not read (`other_accounts`: they are summed into planning inputs too, so a
  non-empty tuple usually means stale data); the tokens after the run (a refresh may
  have replaced an access token: persist them) and the total seconds.

  Errors: `ValueError` for ``start > end``; `MissingCredentialsError` (a ValueError naming
  the variables) when a platform has a token but its app is not configured; a connector's
  typed error (`connectors.errors.ConnectorError` and subclasses) propagates as the same
  object, its message prefixed with the platform and the step (``"Meta: reading ad
  account act_1 2025-01-01..2026-12-31: ..."``), so ``retryable`` and ``retry_after_s``
  still hold. When several platforms fail, the first in the order Drive, Meta, Google
  Ads is raised and the others are attached as notes. Store errors propagate unchanged.

- Tokens are acquired separately: `stored_tokens(store, workspace_id)` returns the
  workspace's active integrations (production), `sandbox_tokens(endpoints)` the demo
  grant a `connectors.sandbox.server.SandboxSuite` exposes, and `sandbox_login(settings)`
  runs the real OAuth flows (Google code + PKCE for Drive and for Google Ads, Facebook
  Login for Meta) against a sandbox, whose consent pages approve themselves when asked
  (``sandbox_auto_approve=1``). The sandbox helpers never reach a real API
  (`sandbox_login` refuses consent hosts that are not loopback addresses).

- `describe_ingest(report)` is a short human summary, one line per platform.

Layout: this module holds `ingest_workspace` and the writing; `ingest_types` the tokens,
options, report and `describe_ingest`; `ingest_read` the connectors' reads;
`ingest_tokens` where tokens come from. Import every public name from here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from connectors.config import ConnectorSettings
from orchestration.ingest_read import Read, read_all
from orchestration.ingest_tokens import sandbox_login, sandbox_tokens, stored_tokens
from orchestration.ingest_types import (
    PLATFORMS,
    SANDBOX_OPTIONS,
    IngestOptions,
    IngestPlatform,
    IngestReport,
    IngestTokens,
    PlatformReport,
    describe_ingest,
)

if TYPE_CHECKING:
    from orchestration.store import Store, UpsertCounts, UpsertOutcome

__all__ = [
    "PLATFORMS",
    "SANDBOX_OPTIONS",
    "IngestOptions",
    "IngestPlatform",
    "IngestReport",
    "IngestTokens",
    "PlatformReport",
    "describe_ingest",
    "ingest_workspace",
    "sandbox_login",
    "sandbox_tokens",
    "stored_tokens",
]


# -- the entry point ----------------------------------------------------------------------


async def ingest_workspace(
    store: Store,
    workspace_id: str,
    settings: ConnectorSettings,
    tokens: IngestTokens,
    *,
    start: dt.date,
    end: dt.date,
    brief_file_id: str | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    """Read plans and [start, end] performance through the connectors into `store`.

    See the module docstring for what is read, the write semantics and the errors. The
    store is synchronous; its calls run in a worker thread.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    began = time.perf_counter()
    reads = await read_all(settings, tokens, options or IngestOptions(), start, end, brief_file_id)
    reports, others = await asyncio.to_thread(_write, store, workspace_id, reads, start, end)
    after = {r.platform: r.tokens for r in reads}
    return IngestReport(
        workspace_id=workspace_id,
        start=start,
        end=end,
        platforms={r.platform: r for r in reports},
        briefs=tuple(b for r in reads for b in r.briefs),
        other_accounts=others,
        tokens=replace(tokens, **after),
        seconds=time.perf_counter() - began,
    )


# -- writing ----------------------------------------------------------------------------


def _outcome_counts(outcomes: Sequence[UpsertOutcome]) -> tuple[int, int, int]:
    return (
        outcomes.count("inserted"),
        outcomes.count("updated"),
        outcomes.count("unchanged"),
    )


def _platform_report(read: Read, counts: tuple[int, int, int], write_s: float) -> PlatformReport:
    rows = read.rows
    days = sorted({r.date for r in rows})
    channels = [b.channel for brief in read.briefs for b in brief.channels]
    channels += [r.channel for r in rows]
    currencies = [b.currency for b in read.briefs] + [r.currency for r in rows]
    return PlatformReport(
        platform=read.platform,
        resources=tuple(read.resources),
        rows_read=len(read.briefs) + len(rows),
        inserted=counts[0],
        updated=counts[1],
        unchanged=counts[2],
        channels=tuple(dict.fromkeys(channels)),
        spend=sum(r.spend for r in rows),
        currencies=tuple(dict.fromkeys(currencies)),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        read_s=read.seconds,
        write_s=write_s,
        skipped=tuple(read.skipped),
    )


def _write(
    store: Store, workspace_id: str, reads: Sequence[Read], start: dt.date, end: dt.date
) -> tuple[list[PlatformReport], tuple[str, ...]]:
    store.ensure_workspace(workspace_id)
    reports: list[PlatformReport] = []
    for read in reads:
        began = time.perf_counter()
        if read.platform == "google_drive":
            outcomes = [store.upsert_campaign(workspace_id, b) for b in read.briefs]
            counts = _outcome_counts(outcomes)
        elif read.rows:
            upserted: UpsertCounts = store.upsert_performance(workspace_id, read.rows)
            counts = (upserted.inserted, upserted.updated, upserted.unchanged)
        else:
            counts = (0, 0, 0)
        reports.append(_platform_report(read, counts, time.perf_counter() - began))
    return reports, _other_accounts(store, workspace_id, reads, start, end)


def _other_accounts(
    store: Store, workspace_id: str, reads: Sequence[Read], start: dt.date, end: dt.date
) -> tuple[str, ...]:
    """``platform:account`` with stored rows in the window, of a platform read now, but
    not read now (a disconnected or renamed account: its rows still count)."""
    platforms = [r.platform for r in reads if r.platform != "google_drive" and r.tokens is not None]
    if not platforms:
        return ()
    read_now = {(r.platform, a) for r in reads if r.platform in platforms for a in r.resources}
    stored = store.performance_range(workspace_id, start, end, platforms=platforms)
    found = {(r.platform, r.account_id) for r in stored}
    return tuple(f"{p}:{a}" for p, a in sorted(found - read_now))
