"""Meta insights rows -> `DailyPerformanceRow`, and the incremental re-read window.

Contract:

- `INSIGHT_FIELDS` is what the connector asks `/insights` for (level=campaign,
  time_increment=1). Graph returns numbers as strings; `to_performance_row` converts
  them and raises `MalformedResponseError` for a row that does not parse or that spans
  more than one day.
- Conversions and revenue come from `actions` / `action_values`. Meta reports the same
  purchases under several overlapping action types, so summing them double counts.
  The FIRST type of `PURCHASE_ACTION_TYPES` present in a row is used, for both
  conversions (`actions`) and revenue (`action_values`): `omni_purchase` (all surfaces,
  de-duplicated by Meta), then `purchase`, then the pixel/web/app-specific types.
  Callers can pass their own ordered list (e.g. a custom conversion).
- `lookback_window` is the date range an incremental read re-reads: Meta restates
  metrics for up to 28 days, so every run re-reads at least the last `lookback_days`
  days and callers upsert by `DailyPerformanceRow.key`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.errors import MalformedResponseError
from connectors.records import DailyPerformanceRow

__all__ = [
    "INSIGHT_FIELDS",
    "PURCHASE_ACTION_TYPES",
    "RETENTION_DAYS",
    "dedupe_rows",
    "lookback_window",
    "pick_action_value",
    "to_performance_row",
]

INSIGHT_FIELDS = (
    "account_id",
    "campaign_id",
    "campaign_name",
    "spend",
    "impressions",
    "clicks",
    "actions",
    "action_values",
)
PURCHASE_ACTION_TYPES = (
    "omni_purchase",
    "purchase",
    "offsite_conversion.fb_pixel_purchase",
    "onsite_web_purchase",
    "onsite_web_app_purchase",
    "app_custom_event.fb_mobile_purchase",
)
RETENTION_DAYS = 37 * 30
"""Meta keeps insights for about 37 months; older ranges are clamped to this."""


class _Action(BaseModel):
    model_config = ConfigDict(extra="ignore")
    action_type: str
    value: float = 0.0


class _InsightRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign_id: str = Field(min_length=1)
    campaign_name: str = ""
    date_start: dt.date
    date_stop: dt.date
    spend: float = Field(default=0.0, ge=0)
    impressions: float = Field(default=0.0, ge=0)
    clicks: float = Field(default=0.0, ge=0)
    actions: list[_Action] = Field(default_factory=list)
    action_values: list[_Action] = Field(default_factory=list)


def pick_action_value(actions: Iterable[Mapping[str, Any]], types: Sequence[str]) -> float:
    """The value of the first of `types` present in `actions` (0.0 when none is)."""
    pairs = ((str(a.get("action_type")), float(a.get("value") or 0.0)) for a in actions)
    return _pick(pairs, types)


def _pick(pairs: Iterable[tuple[str, float]], types: Sequence[str]) -> float:
    by_type: dict[str, float] = {}
    for action_type, value in pairs:
        by_type.setdefault(action_type, value)
    for action_type in types:
        if action_type in by_type:
            return by_type[action_type]
    return 0.0


def to_performance_row(
    raw: Mapping[str, Any],
    *,
    account_id: str,
    currency: str,
    channel_of: Callable[[str, str], str],
    action_types: Sequence[str] = PURCHASE_ACTION_TYPES,
) -> DailyPerformanceRow:
    """One daily campaign insights row as a `DailyPerformanceRow`.

    `channel_of(campaign_id, campaign_name)` gives the row's `meta:<placement>` channel.
    """
    try:
        row = _InsightRow.model_validate(raw)
    except ValidationError as exc:
        raise MalformedResponseError(
            f"insights row does not parse: {exc.errors()[0]['msg']} in {dict(raw)!r:.200}",
            platform="meta",
        ) from exc
    if row.date_start != row.date_stop:
        raise MalformedResponseError(
            f"insights row spans {row.date_start}..{row.date_stop}; expected one day",
            platform="meta",
        )
    return DailyPerformanceRow(
        date=row.date_start,
        platform="meta",
        account_id=account_id,
        campaign_id=row.campaign_id,
        campaign_name=row.campaign_name,
        channel=channel_of(row.campaign_id, row.campaign_name),
        spend=row.spend,
        impressions=row.impressions,
        clicks=row.clicks,
        conversions=_pick(((a.action_type, a.value) for a in row.actions), action_types),
        revenue=_pick(((a.action_type, a.value) for a in row.action_values), action_types),
        currency=currency,
    )


def dedupe_rows(rows: Iterable[DailyPerformanceRow]) -> list[DailyPerformanceRow]:
    """One row per `key` (the last one read wins), sorted by date then campaign."""
    by_key = {row.key: row for row in rows}
    return sorted(by_key.values(), key=lambda r: (r.date, r.campaign_id, r.channel))


def lookback_window(
    last_synced: dt.date | None,
    today: dt.date,
    *,
    lookback_days: int = 28,
    initial_days: int = 730,
) -> tuple[dt.date, dt.date]:
    """The [start, end] an incremental read covers.

    First run (`last_synced` None): the last `initial_days` days. Later runs: from the
    day after `last_synced` or `lookback_days` days before `today`, whichever is earlier,
    to `today`. The start never precedes Meta's retention limit.
    """
    if lookback_days < 1 or initial_days < 1:
        raise ValueError("lookback_days and initial_days must be positive")
    if last_synced is None:
        start = today - dt.timedelta(days=initial_days - 1)
    else:
        start = min(last_synced + dt.timedelta(days=1), today - dt.timedelta(days=lookback_days))
    start = max(start, today - dt.timedelta(days=RETENTION_DAYS))
    return min(start, today), today
