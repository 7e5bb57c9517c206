"""The ingest's inputs and its report: tokens, options, per-platform results, a summary.

Contract: immutable data, no I/O. `IngestTokens` holds one connection per platform of
`PLATFORMS` (None: not connected); `IngestOptions` the connector timeouts
(`SANDBOX_OPTIONS` for a local sandbox); `PlatformReport` and `IngestReport` what a run of
`orchestration.ingest.ingest_workspace` read and wrote (see that module's docstring).
`describe_ingest(report)` is a short human summary, one line per platform. Import these
from `orchestration.ingest`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final, Literal

from connectors.records import CampaignBrief, OAuthTokens

__all__ = [
    "LABELS",
    "PLATFORMS",
    "SANDBOX_OPTIONS",
    "IngestOptions",
    "IngestPlatform",
    "IngestReport",
    "IngestTokens",
    "PlatformReport",
    "describe_ingest",
]

IngestPlatform = Literal["google_drive", "meta", "google_ads"]
PLATFORMS: Final[tuple[IngestPlatform, ...]] = ("google_drive", "meta", "google_ads")
LABELS: Final[dict[str, str]] = {
    "google_drive": "Google Drive",
    "meta": "Meta",
    "google_ads": "Google Ads",
}
"""A platform's name for people."""


# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestTokens:
    """One connection per platform; None: not connected (the platform is skipped).

    Drive and Google Ads are separate Google grants in production (different scopes,
    connected separately) even though the sandbox's demo grant covers both. For Meta only
    ``access_token`` is used (Meta has no refresh tokens).
    """

    google_drive: OAuthTokens | None = None
    meta: OAuthTokens | None = None
    google_ads: OAuthTokens | None = None

    def for_platform(self, platform: IngestPlatform) -> OAuthTokens | None:
        found: OAuthTokens | None = getattr(self, platform)
        return found


@dataclass(frozen=True)
class IngestOptions:
    """Connector timeouts; the defaults suit the real APIs."""

    timeout_s: float = 30.0
    """Each HTTP request or unary RPC."""
    stream_timeout_s: float = 600.0
    """A whole Google Ads SearchStream."""
    meta_poll_interval_s: float = 5.0
    """Between polls of a Meta async report run (ranges over 90 days)."""

    def __post_init__(self) -> None:
        if min(self.timeout_s, self.stream_timeout_s, self.meta_poll_interval_s) <= 0:
            raise ValueError("ingest timeouts and intervals must be positive")


SANDBOX_OPTIONS: Final = IngestOptions(
    timeout_s=10.0, stream_timeout_s=60.0, meta_poll_interval_s=0.02
)
"""For a local sandbox: short timeouts, and Meta report runs polled without waiting."""


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformReport:
    """What one platform gave. For Drive, rows are briefs and counts are campaigns."""

    platform: IngestPlatform
    resources: tuple[str, ...] = ()
    """Spreadsheet ids whose brief was read; ad account or customer ids read."""
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    channels: tuple[str, ...] = ()
    spend: float = 0.0
    currencies: tuple[str, ...] = ()
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    read_s: float = 0.0
    write_s: float = 0.0
    skipped: tuple[str, ...] = ()
    """Why something was not read: "not connected", a spreadsheet that is not a plan, ..."""

    @property
    def connected(self) -> bool:
        return "not connected" not in self.skipped

    @property
    def written(self) -> int:
        return self.inserted + self.updated


@dataclass(frozen=True)
class IngestReport:
    """See the docstring of `orchestration.ingest`."""

    workspace_id: str
    start: dt.date
    end: dt.date
    platforms: dict[IngestPlatform, PlatformReport]
    """Every platform of `PLATFORMS`, in that order."""
    briefs: tuple[CampaignBrief, ...]
    other_accounts: tuple[str, ...]
    """``platform:account`` with stored rows in the window that this run did not read."""
    tokens: IngestTokens = field(repr=False)
    seconds: float

    @property
    def campaign_ids(self) -> tuple[str, ...]:
        return tuple(b.campaign_id for b in self.briefs)

    @property
    def performance_rows(self) -> int:
        return sum(self.platforms[p].rows_read for p in ("meta", "google_ads"))

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything (False on a repeat over unchanged data)."""
        return any(r.written for r in self.platforms.values())


# -- the summary ------------------------------------------------------------------------


def describe_ingest(report: IngestReport) -> str:
    """One line per platform: what was read, what changed, how long it took."""
    lines = [
        f"ingested workspace {report.workspace_id!r} ({report.start}..{report.end}) "
        f"in {report.seconds:.1f} s:"
    ]
    for platform, r in report.platforms.items():
        label = LABELS[platform]
        if not r.connected:
            lines.append(f"  {label:<12} not connected")
            continue
        counts = f"{r.inserted:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged"
        timing = f"read {r.read_s:.1f} s, write {r.write_s:.1f} s"
        if platform == "google_drive":
            what = ", ".join(
                f"{b.campaign_id!r} ({b.total_budget:,.0f} {b.currency}, {b.start_date} to "
                f"{b.end_date}, {len(b.channels)} channels)"
                for b in report.briefs
            )
            lines.append(
                f"  {label:<12} {len(r.resources)} plan spreadsheet(s): {what or 'none'}; "
                f"campaigns {counts} ({timing})"
            )
        else:
            span = f"{r.first_day} to {r.last_day}" if r.first_day else "no days"
            lines.append(
                f"  {label:<12} {len(r.resources)} account(s) {', '.join(r.resources)}: "
                f"{r.rows_read:,} rows, {len(r.channels)} channels, {span}, spend "
                f"{r.spend:,.0f} {'/'.join(r.currencies)}; {counts} ({timing})"
            )
        lines.extend(f"    skipped {s}" for s in r.skipped)
    if report.other_accounts:
        lines.append(
            "  warning: the store also holds rows in this window from accounts not read "
            f"now ({', '.join(report.other_accounts)}); planning sums them too"
        )
    return "\n".join(lines)
