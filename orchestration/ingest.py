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
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from connectors.config import ConnectorSettings
from connectors.errors import ConnectorError, SheetFormatError
from connectors.records import CampaignBrief, DailyPerformanceRow, OAuthTokens, Resource

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

IngestPlatform = Literal["google_drive", "meta", "google_ads"]
PLATFORMS: Final[tuple[IngestPlatform, ...]] = ("google_drive", "meta", "google_ads")
_LABELS: Final[dict[str, str]] = {
    "google_drive": "Google Drive",
    "meta": "Meta",
    "google_ads": "Google Ads",
}
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_SANDBOX_REDIRECT = "http://127.0.0.1:9/oauth/callback"
"""Never contacted: the sandbox answers the consent with a redirect we read, not follow."""


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
    """See the module docstring."""

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


# -- errors -----------------------------------------------------------------------------


@contextlib.contextmanager
def _step(platform: str, what: str) -> Iterator[None]:
    """Prefix a connector error's message with the platform and `what` (same object)."""
    try:
        yield
    except ConnectorError as exc:
        message = str(exc.args[0]) if exc.args else type(exc).__name__
        exc.args = (f"{_LABELS[platform]}: {what}: {message}", *exc.args[1:])
        raise


# -- reading ----------------------------------------------------------------------------


@dataclass
class _Read:
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
) -> _Read:
    from connectors.google_drive import GoogleDriveConnector

    out = _Read("google_drive", tokens)
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
            with _step("google_drive", "discovering plan spreadsheets"):
                found = await drive.discover_resources()
            files = [(r.id, r.name) for r in _newest_first(found) if r.type == "spreadsheet"]
        seen: dict[str, str] = {}
        for file_id, name in files:
            try:
                with _step("google_drive", f"reading the plan spreadsheet {file_id}"):
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
) -> _Read:
    from connectors.meta import MetaConnector

    out = _Read("meta", tokens)
    config = settings.meta.connector_config(
        timeout_s=options.timeout_s, async_poll_interval_s=options.meta_poll_interval_s
    )
    async with MetaConnector(config, tokens.access_token) as meta:
        with _step("meta", "discovering ad accounts"):
            found = await meta.discover_resources()
        for account in [r.id for r in found if r.type == "ad_account"]:
            with _step("meta", f"reading ad account {account} {start}..{end}"):
                out.rows += await meta.read_daily_performance(account, start, end)
            out.resources.append(account)
    return out


async def _read_google_ads(
    settings: ConnectorSettings,
    tokens: OAuthTokens,
    options: IngestOptions,
    start: dt.date,
    end: dt.date,
) -> _Read:
    from connectors.google_ads import GoogleAdsConnector

    out = _Read("google_ads", tokens)
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
        with _step("google_ads", "discovering customers"):
            found = await ads.discover_resources()
        customers = [r for r in found if r.type == "customer"]
        for customer in customers:
            if customer.metadata.get("manager"):
                out.skipped.append(f"manager account {customer.id} (its clients are read)")
                continue
            with _step("google_ads", f"reading customer {customer.id} {start}..{end}"):
                out.rows += await ads.read_daily_performance(customer.id, start, end)
            out.resources.append(customer.id)
        out.tokens = ads.tokens()
    return out


async def _timed(read: Awaitable[_Read]) -> _Read:
    began = time.perf_counter()
    out = await read
    out.seconds = time.perf_counter() - began
    return out


async def _read_all(
    settings: ConnectorSettings,
    tokens: IngestTokens,
    options: IngestOptions,
    start: dt.date,
    end: dt.date,
    brief_file_id: str | None,
) -> list[_Read]:
    jobs: list[Awaitable[_Read]] = []
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
    return [r for r in results if isinstance(r, _Read)]


async def _idle(platform: IngestPlatform) -> _Read:
    return _Read(platform, None, skipped=["not connected"])


# -- writing ----------------------------------------------------------------------------


def _outcome_counts(outcomes: Sequence[UpsertOutcome]) -> tuple[int, int, int]:
    return (
        outcomes.count("inserted"),
        outcomes.count("updated"),
        outcomes.count("unchanged"),
    )


def _platform_report(read: _Read, counts: tuple[int, int, int], write_s: float) -> PlatformReport:
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
    store: Store, workspace_id: str, reads: Sequence[_Read], start: dt.date, end: dt.date
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
    store: Store, workspace_id: str, reads: Sequence[_Read], start: dt.date, end: dt.date
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
    reads = await _read_all(settings, tokens, options or IngestOptions(), start, end, brief_file_id)
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


# -- tokens -----------------------------------------------------------------------------


def stored_tokens(store: Store, workspace_id: str) -> IngestTokens:
    """The workspace's active integrations' tokens (None for a platform without one).

    Raises the store's `TokenDecryptionError` when the configured key is not the one the
    tokens were written with (the user must reconnect, or the key be restored).
    """
    active = {
        i.platform
        for i in store.list_integrations(workspace_id)
        if i.status == "active" and i.platform in PLATFORMS
    }
    found = {p: store.get_tokens(workspace_id, p) for p in PLATFORMS if p in active}
    return IngestTokens(**found)


def sandbox_tokens(endpoints: Mapping[str, Any]) -> IngestTokens:
    """The demo credentials of a sandbox (`SandboxSuite.endpoints()`); no network.

    One Google grant with the Drive, Sheets and Ads scopes (used for both Google
    platforms) and Meta's long-lived demo token.
    """
    google, meta = endpoints["google"], endpoints["meta"]
    grant = OAuthTokens(
        access_token=str(google["access_token"]),
        refresh_token=google.get("refresh_token"),
        scope=list(google.get("scopes") or []),
    )
    return IngestTokens(
        google_drive=grant,
        meta=OAuthTokens(access_token=str(meta["access_token"])),
        google_ads=grant,
    )


async def _approved(url: str, timeout_s: float) -> str:
    """The callback URL a sandbox consent page redirects to when it approves itself."""
    import httpx

    separator = "&" if "?" in url else "?"
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as http:
        answer = await http.get(f"{url}{separator}sandbox_auto_approve=1")
    location = answer.headers.get("location")
    if answer.status_code not in (302, 303) or not location:
        raise RuntimeError(
            f"the sandbox consent page did not approve (HTTP {answer.status_code}): "
            f"{answer.text[:200]}"
        )
    return str(location)


async def sandbox_login(
    settings: ConnectorSettings,
    *,
    workspace_id: str = "sandbox",
    timeout_s: float = 10.0,
) -> IngestTokens:
    """Connect the three platforms through the connectors' real OAuth flows, auto-approved.

    `settings` must point at a sandbox on this machine (`sandbox_env`): Google's and
    Meta's consent hosts must be loopback addresses, else `ValueError` before any
    request. OAuth errors are the connectors' typed errors, prefixed with the platform.
    """
    for name, url in (
        ("MEDIAPLAN_GOOGLE_AUTH_URL", settings.google.auth_url),
        ("MEDIAPLAN_META_DIALOG_URL", settings.meta.dialog_url),
    ):
        if urlsplit(url).hostname not in _LOOPBACK:
            raise ValueError(f"sandbox_login needs a local sandbox, but {name} is {url}")
    from connectors.google_drive import DRIVE_SCOPES
    from connectors.google_oauth import SCOPE_ADWORDS, GoogleOAuthFlow, InMemoryStateStore
    from connectors.meta import MetaOAuth

    states = InMemoryStateStore()

    async def google(platform: IngestPlatform, scopes: tuple[str, ...]) -> OAuthTokens:
        config = settings.google.oauth_config(
            scopes, redirect_uri=_SANDBOX_REDIRECT, timeout_s=timeout_s
        )
        flow = GoogleOAuthFlow(config, states, platform=platform)
        with _step(platform, "connecting (OAuth)"):
            request = await flow.start(workspace_id)
            done = await flow.complete(await _approved(request.url, timeout_s))
        return done.tokens

    async def meta() -> OAuthTokens:
        oauth = MetaOAuth(settings.meta.oauth_config(timeout_s=timeout_s), states)
        with _step("meta", "connecting (Facebook Login)"):
            url = await oauth.authorization_url(
                workspace_id=workspace_id, redirect_uri=_SANDBOX_REDIRECT
            )
            login = await oauth.complete(await _approved(url, timeout_s))
        return login.tokens

    drive, ads, meta_tokens = await asyncio.gather(
        google("google_drive", DRIVE_SCOPES), google("google_ads", (SCOPE_ADWORDS,)), meta()
    )
    return IngestTokens(google_drive=drive, meta=meta_tokens, google_ads=ads)


# -- the summary ------------------------------------------------------------------------


def describe_ingest(report: IngestReport) -> str:
    """One line per platform: what was read, what changed, how long it took."""
    lines = [
        f"ingested workspace {report.workspace_id!r} ({report.start}..{report.end}) "
        f"in {report.seconds:.1f} s:"
    ]
    for platform, r in report.platforms.items():
        label = _LABELS[platform]
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
