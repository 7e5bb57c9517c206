"""Pure conversions between the store's documents and the workflow's summaries.

Contract: no I/O. `campaign_from_brief` maps a `CampaignBrief` to the planning
contract's `Campaign` (`ValueError` when it cannot be planned). `history_window` maps a
`DateRange` to the store's ``history_days``/``history_end`` arguments (empty: the store's
default window). `summarize_history` turns history rows into per-channel summaries (the
rows themselves never enter workflow history). `market_insights` looks up benchmarks and
seasonality for the channels a campaign may fund.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from agents.contract import Campaign
from connectors.records import CampaignBrief
from orchestration.errors import describe_validation_error
from orchestration.workflows.models import (
    ChannelBenchmarkSummary,
    ChannelHistory,
    DateRange,
    HistoricalPerformance,
    MarketInsights,
)
from orchestration.workflows.scope import platform_of

__all__ = ["campaign_from_brief", "history_window", "market_insights", "summarize_history"]

_RUN_RATE_DAYS = 28


def campaign_from_brief(workspace_id: str, brief: CampaignBrief) -> Campaign:
    """The planning contract's campaign for `brief`."""
    doc: dict[str, Any] = {
        "campaign_id": brief.campaign_id,
        "workspace_id": workspace_id,
        "objective": brief.objective,
        "total_budget": brief.total_budget,
        "currency": brief.currency,
        "start_date": brief.start_date,
        "end_date": brief.end_date,
        "goal": {"kind": brief.goal_kind}
        | ({} if brief.goal_value is None else {"value": brief.goal_value}),
        "industry": brief.industry,
        "region": brief.region,
    }
    if brief.channels:
        doc["channels"] = [b.model_dump(exclude_none=True) for b in brief.channels]
    try:
        return Campaign.model_validate(doc)
    except ValidationError as exc:
        raise ValueError(
            f"campaign {brief.campaign_id!r} in workspace {workspace_id!r} cannot be planned: "
            + "; ".join(describe_validation_error(exc))
        ) from None


def history_window(date_range: DateRange | None) -> dict[str, Any]:
    """Keyword arguments of `PlanStore.planning_input` for `date_range`."""
    if date_range is None:
        return {}
    return {"history_days": date_range.days, "history_end": date_range.end}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def summarize_history(
    rows: Iterable[Mapping[str, Any]],
    kpi: Iterable[Mapping[str, Any]] = (),
    date_range: DateRange | None = None,
) -> HistoricalPerformance:
    """Per-channel totals, run-rates and attributed returns of history rows."""
    by_channel: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    n = 0
    for row in rows:
        by_channel[str(row["channel"])].append(row)
        n += 1
    channels: list[ChannelHistory] = []
    first_all: date | None = None
    last_all: date | None = None
    for channel in sorted(by_channel):
        days = sorted(by_channel[channel], key=lambda r: _day(r["date"]))
        first, last = _day(days[0]["date"]), _day(days[-1]["date"])
        first_all = first if first_all is None else min(first_all, first)
        last_all = last if last_all is None else max(last_all, last)
        spend = sum(float(r.get("spend") or 0.0) for r in days)
        conversions = sum(float(r.get("conversions") or 0.0) for r in days)
        revenue = sum(float(r.get("revenue") or 0.0) for r in days)
        recent = [r for r in days if (last - _day(r["date"])).days < _RUN_RATE_DAYS]
        run_rate = sum(float(r.get("spend") or 0.0) for r in recent) / _RUN_RATE_DAYS
        channels.append(
            ChannelHistory(
                channel=channel,
                days=len(days),
                first_day=first,
                last_day=last,
                spend=round(spend, 2),
                conversions=round(conversions, 2),
                revenue=round(revenue, 2),
                run_rate_daily=round(run_rate, 2),
                roas=round(revenue / spend, 4) if spend > 0 and revenue > 0 else None,
                cpa=round(spend / conversions, 4) if conversions > 0 else None,
            )
        )
    return HistoricalPerformance(
        channels=channels,
        rows=n,
        kpi_days=sum(1 for _ in kpi),
        window_start=date_range.start if date_range else first_all,
        window_end=date_range.end if date_range else last_all,
    )


def market_insights(
    campaign: Campaign,
    overrides: Mapping[str, Any] | None,
    overrides_version: int | None,
    platforms: Iterable[str] = (),
) -> MarketInsights:
    """Benchmarks for the channels `campaign` may fund on `platforms` (empty: all)."""
    from agents.market import load_benchmarks

    notes: list[str] = []
    try:
        table = load_benchmarks(overrides)
    except ValueError as exc:
        notes.append(f"the workspace's market overrides are invalid and were ignored: {exc}")
        table = load_benchmarks(None)
        overrides_version = None
    wanted = set(platforms)
    if campaign.channels is not None:
        channels = [s.channel for s in campaign.channels]
    else:
        channels = table.channels()
        notes.append("the campaign lists no channels: benchmarks of every known channel")
    channels = [ch for ch in channels if not wanted or platform_of(ch) in wanted]
    benchmarks: list[ChannelBenchmarkSummary] = []
    for ch in channels:
        b = table.lookup(ch, campaign.industry, campaign.region)
        benchmarks.append(
            ChannelBenchmarkSummary(
                channel=ch,
                cpm=round(b.cpm, 4),
                cpc=round(b.cpc, 4),
                ctr=round(b.ctr, 6),
                cvr=round(b.cvr, 6),
                cpa=round(b.cpa, 4),
                roas=round(b.roas, 4),
                note=b.fallback,
            )
        )
    industry, industry_note = table.resolve_industry(campaign.industry)
    region, region_note = table.resolve_region(campaign.region)
    notes += [n for n in (industry_note, region_note) if n]
    season = table.seasonal_multiplier(campaign.start_date, campaign.end_date, campaign.industry)
    return MarketInsights(
        industry=industry,
        region=region,
        seasonality_cpm=round(season.cpm, 4),
        seasonality_demand=round(season.demand, 4),
        benchmarks=benchmarks,
        overrides_version=overrides_version,
        notes=notes,
    )
