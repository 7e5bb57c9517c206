"""The Meta sandbox's in-memory state: tokens, codes, ad accounts, campaigns, metrics,
report runs and webhook subscriptions.

Contract: `MetaWorld` is plain synchronous state with no I/O, owned by the sandbox's
event loop. Time is the real clock plus an offset that tests move with `advance_clock`.
It raises `GraphError` for anything Graph would reject. Mutations (`add_spend`,
`set_status`, `create_campaign`) return the `WebhookEvent`s Meta would emit; delivering
them is the server's job. Campaign channels (`meta:<placement>`) are exposed as ad labels
named `placement:<placement>` (see `connectors.meta.placements`). Ids: ad accounts keep
their seed id (served as `act_<id>`); report runs and new campaigns get fresh numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.sandbox.data import SandboxData
from connectors.sandbox.meta.errors import GraphError, expired_token_error, invalid_token_error

__all__ = [
    "ALL_SCOPES",
    "DEMO_USER_ID",
    "LONG_LIVED_S",
    "METRICS",
    "SHORT_LIVED_S",
    "AccountState",
    "AppSubscription",
    "CampaignState",
    "MetaWorld",
    "ReportRun",
    "TokenRecord",
    "WebhookEvent",
    "graph_time",
    "unsupported_get",
]

SHORT_LIVED_S = 2 * 3600
LONG_LIVED_S = 5183944
ALL_SCOPES = ("ads_read", "ads_management", "business_management")
DEMO_USER_ID = "10000000000001"
METRICS = ("spend", "impressions", "clicks", "conversions", "revenue")


def graph_time(ts: float) -> str:
    """Graph's timestamp format, e.g. `2026-10-01T12:00:00+0000`."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class TokenRecord:
    token: str
    kind: Literal["short", "long"]
    user_id: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float | None
    revoked: bool = False


@dataclass
class CodeRecord:
    code: str
    redirect_uri: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False


@dataclass
class AccountState:
    id: str
    name: str
    currency: str
    timezone_name: str


@dataclass
class CampaignState:
    id: str
    account_id: str
    name: str
    channel: str
    status: str
    objective: str | None
    created_time: float
    updated_time: float
    daily: dict[dt.date, dict[str, float]] = field(default_factory=dict)

    def adlabels(self) -> list[dict[str, str]]:
        placement = self.channel.split(":", 1)[1] if ":" in self.channel else "other"
        return [{"id": f"9{self.id[-12:]}", "name": f"placement:{placement}"}]


MAX_REPORT_RUNS = 32


@dataclass
class ReportRun:
    id: str
    account_id: str
    params: dict[str, Any]
    polls_needed: int
    fail: bool
    created: float
    polls: int = 0
    rows: list[dict[str, Any]] | None = None


@dataclass
class AppSubscription:
    object: str
    callback_url: str
    fields: tuple[str, ...]
    verify_token: str
    include_values: bool = True


@dataclass(frozen=True)
class WebhookEvent:
    account_id: str
    field: str
    value: dict[str, Any]
    time: int


class MetaWorld:
    def __init__(self, data: SandboxData, *, report_polls: int = 2) -> None:
        self._offset = 0.0
        self._ids = itertools.count(1)
        self.report_polls = report_polls
        self.tokens: dict[str, TokenRecord] = {}
        self.codes: dict[str, CodeRecord] = {}
        self.accounts: dict[str, AccountState] = {}
        self.campaigns: dict[str, CampaignState] = {}
        self.report_runs: dict[str, ReportRun] = {}
        self.app_subscriptions: dict[str, AppSubscription] = {}
        self.subscribed_accounts: set[str] = set()
        self._fail_runs = 0
        seeded = self.now() - 86400
        for acc in data.meta_ad_accounts:
            self.accounts[acc.id] = AccountState(acc.id, acc.name, acc.currency, acc.timezone_name)
            for c in acc.campaigns:
                updated = c.updated_time.timestamp() if c.updated_time else seeded
                self.campaigns[c.id] = CampaignState(
                    id=c.id,
                    account_id=acc.id,
                    name=c.name,
                    channel=c.channel,
                    status=c.status,
                    objective=c.objective,
                    created_time=min(updated, seeded),
                    updated_time=updated,
                    daily={m.date: {k: float(getattr(m, k)) for k in METRICS} for m in c.daily},
                )

    # -- time and ids ----------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self._offset

    def advance_clock(self, seconds: float) -> None:
        self._offset += seconds

    def new_id(self) -> str:
        while True:
            candidate = f"23{next(self._ids):013d}"
            if candidate not in self.campaigns and candidate not in self.report_runs:
                return candidate

    # -- tokens and codes ------------------------------------------------------------

    def issue_token(
        self,
        kind: Literal["short", "long"] = "long",
        scopes: tuple[str, ...] = ALL_SCOPES,
        lifetime_s: float | None = None,
    ) -> TokenRecord:
        now = self.now()
        life = (
            lifetime_s
            if lifetime_s is not None
            else (SHORT_LIVED_S if kind == "short" else LONG_LIVED_S)
        )
        prefix = "EAAS" if kind == "short" else "EAAL"
        record = TokenRecord(
            token=prefix + secrets.token_urlsafe(24),
            kind=kind,
            user_id=DEMO_USER_ID,
            scopes=tuple(scopes),
            issued_at=now,
            expires_at=now + life if life > 0 else None,
        )
        self.tokens[record.token] = record
        return record

    def user_token(self, token: str) -> TokenRecord:
        """The record of a usable user token; `GraphError` 190 otherwise."""
        record = self.tokens.get(token)
        if record is None:
            raise invalid_token_error()
        if record.revoked:
            raise GraphError(
                190,
                "Error validating access token: The user has not authorized application.",
                subcode=458,
            )
        if record.expires_at is not None and record.expires_at <= self.now():
            raise expired_token_error(graph_time(record.expires_at), graph_time(self.now()))
        return record

    def expire_token(self, token: str) -> None:
        if token in self.tokens:
            self.tokens[token].expires_at = self.now() - 1

    def revoke_token(self, token: str) -> None:
        if token in self.tokens:
            self.tokens[token].revoked = True

    def issue_code(self, redirect_uri: str, scopes: tuple[str, ...]) -> str:
        code = "AQ" + secrets.token_urlsafe(48)
        self.codes[code] = CodeRecord(code, redirect_uri, scopes, self.now() + 600)
        return code

    def redeem_code(self, code: str, redirect_uri: str) -> CodeRecord:
        record = self.codes.get(code)
        if record is None:
            raise GraphError(100, "Invalid verification code format.", subcode=36008)
        if record.used:
            raise GraphError(100, "This authorization code has been used.", subcode=36009)
        if record.expires_at <= self.now():
            raise GraphError(100, "This authorization code has expired.", subcode=36007)
        if record.redirect_uri != redirect_uri:
            raise GraphError(
                100,
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        record.used = True
        return record

    # -- ads objects -----------------------------------------------------------------

    def account(self, account_id: str) -> AccountState:
        found = self.accounts.get(account_id.removeprefix("act_"))
        if found is None:
            raise unsupported_get(account_id)
        return found

    def campaign(self, campaign_id: str) -> CampaignState:
        found = self.campaigns.get(campaign_id)
        if found is None:
            raise unsupported_get(campaign_id)
        return found

    def account_campaigns(self, account_id: str) -> list[CampaignState]:
        return sorted(
            (c for c in self.campaigns.values() if c.account_id == account_id),
            key=lambda c: c.id,
        )

    # -- report runs -----------------------------------------------------------------

    def fail_report_runs(self, count: int) -> None:
        """The next `count` report runs end in `Job Failed`."""
        self._fail_runs += count

    def create_report_run(self, account_id: str, params: dict[str, Any]) -> ReportRun:
        fail = self._fail_runs > 0
        self._fail_runs -= 1 if fail else 0
        run = ReportRun(self.new_id(), account_id, params, self.report_polls, fail, self.now())
        self.report_runs[run.id] = run
        # Meta expires report runs; keeping only the newest bounds the sandbox's memory
        # (each holds its rows) across repeated two-year reads.
        while len(self.report_runs) > MAX_REPORT_RUNS:
            del self.report_runs[next(iter(self.report_runs))]
        return run

    # -- mutations (each returns the webhook events Meta would send) -----------------

    def add_spend(self, campaign_id: str, day: dt.date, **metrics: float) -> list[WebhookEvent]:
        campaign = self.campaign(campaign_id)
        row = campaign.daily.setdefault(day, dict.fromkeys(METRICS, 0.0))
        for key, amount in metrics.items():
            if key not in METRICS or amount < 0:
                raise ValueError(f"bad metric {key}={amount}")
            row[key] += amount
        value = {
            "object_id": campaign.id,
            "object_type": "CAMPAIGN",
            "account_id": campaign.account_id,
            "trigger_type": "STATS_CHANGE",
            "trigger_field": "spend",
            "current_value": f"{row['spend']:.2f}",
            "date": day.isoformat(),
        }
        return [self._event(campaign.account_id, "subscriptions", value)]

    def set_metrics(self, campaign_id: str, day: dt.date, **metrics: float) -> None:
        """Restate a day (Meta restates silently: no webhook)."""
        campaign = self.campaign(campaign_id)
        row = campaign.daily.setdefault(day, dict.fromkeys(METRICS, 0.0))
        for key, value in metrics.items():
            if key not in METRICS or value < 0:
                raise ValueError(f"bad metric {key}={value}")
            row[key] = float(value)

    def set_status(self, campaign_id: str, status: str) -> list[WebhookEvent]:
        if status not in ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED"):
            raise ValueError(f"bad campaign status {status!r}")
        campaign = self.campaign(campaign_id)
        campaign.status = status
        campaign.updated_time = self.now()
        value = {"id": campaign.id, "level": "CAMPAIGN", "status_name": status}
        return [self._event(campaign.account_id, "in_process_ad_objects", value)]

    def create_campaign(
        self, account_id: str, name: str, channel: str, status: str = "ACTIVE"
    ) -> tuple[CampaignState, list[WebhookEvent]]:
        account = self.account(account_id)
        now = self.now()
        campaign = CampaignState(self.new_id(), account.id, name, channel, status, None, now, now)
        self.campaigns[campaign.id] = campaign
        value = {
            "object_id": campaign.id,
            "object_type": "CAMPAIGN",
            "account_id": account.id,
            "trigger_type": "METADATA_CREATION",
        }
        return campaign, [self._event(account.id, "subscriptions", value)]

    def _event(self, account_id: str, field_name: str, value: dict[str, Any]) -> WebhookEvent:
        return WebhookEvent(account_id, field_name, value, int(self.now()))


def unsupported_get(object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        type="GraphMethodException",
    )
