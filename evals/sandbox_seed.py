"""Seed data for the connector sandbox, generated from a simulated advertiser.

Contract: `sandbox_data(world)` converts an `evals.simulator.World` (default: the bundled
Northwind example, `simulate_world(NORTHWIND_SPEC, seed)` with `NORTHWIND_BOUNDS`) into
`connectors.sandbox.data.SandboxData`, the plain data the emulators serve, so
`connectors` never imports `evals`. Deterministic: the same world gives the same seed.

- **Meta**: every ``meta:<placement>`` channel becomes one campaign of one ad account
  (`META_ACCOUNT_ID`), named ``"<advertiser> - <Placement> [<placement>]"`` with the
  channel in `CampaignData.channel`; the sandbox exposes it as the ad label
  ``placement:<placement>`` and the name tag is the fallback, so
  `connectors.meta.placements.channel_for_campaign` maps it back to the same channel.
- **Google Ads**: every ``google_ads:<placement>`` channel becomes one campaign of one
  customer (`GOOGLE_ADS_CUSTOMER_ID`); the sandbox serves its advertising channel type
  (search -> SEARCH, pmax -> PERFORMANCE_MAX, youtube -> VIDEO, ...), which
  `connectors.google_ads.mapping.channel_for` maps back to the channel.
- **Daily metrics**: the world's history rows (spend, impressions, clicks, conversions,
  revenue), one `DailyMetrics` per channel and day, unchanged.
- **Drive**: `PLAN_FILE_ID`, a campaign-plan spreadsheet in the layout of
  `connectors/google_drive/README.md` (sheet ``Plan``: the key/value block in A1:B11 -
  so ``B4`` is the total budget - and the channel table with every channel's bounds
  from row 13), holding the world's campaign; last quarter's plan (trashed); and
  unrelated files (a document, two spreadsheets whose names are not plan names).

``python -m evals.sandbox_seed --out seed.json`` writes the default seed as JSON, for
``mediaplan sandbox --data seed.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from connectors.sandbox.data import (
    AdAccountData,
    CampaignData,
    CustomerData,
    DailyMetrics,
    DriveFileData,
    SandboxData,
)
from evals.simulator import World, simulate_world
from evals.simulator.examples import NORTHWIND_BOUNDS, NORTHWIND_SEED, NORTHWIND_SPEC

__all__ = [
    "DEFAULT_ADVERTISER",
    "GOOGLE_ADS_CUSTOMER_ID",
    "META_ACCOUNT_ID",
    "PLAN_FILE_ID",
    "PLAN_SHEET",
    "main",
    "plan_rows",
    "sandbox_data",
]

DEFAULT_ADVERTISER = "Northwind Outdoor"
META_ACCOUNT_ID = "1000000001"
GOOGLE_ADS_CUSTOMER_ID = "1234567890"
PLAN_FILE_ID = "1nwPlanQ1x2027MediaPlanSheet"
PLAN_SHEET = "Plan"
USER_EMAIL = "planner@example.com"

_META_CAMPAIGN_BASE = 120_210_000_000_000_000
_GOOGLE_ADS_CAMPAIGN_BASE = 21_000_000_000
_TITLES = {
    "pmax": "Performance Max",
    "youtube": "YouTube",
    "demand_gen": "Demand Gen",
    "advantage_plus": "Advantage+",
}
_GOALS = {"max_outcome": "max outcome", "target_roas": "target ROAS", "target_cpa": "target CPA"}


def _title(placement: str) -> str:
    return _TITLES.get(placement, placement.replace("_", " ").title())


def _daily(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[DailyMetrics]]:
    """History rows grouped by channel, in date order."""
    out: dict[str, list[DailyMetrics]] = {}
    for row in rows:
        metrics = DailyMetrics(
            date=dt.date.fromisoformat(str(row["date"])),
            spend=float(row["spend"]),
            impressions=int(row["impressions"]),
            clicks=int(row["clicks"]),
            conversions=float(row["conversions"]),
            revenue=float(row["revenue"]),
        )
        out.setdefault(str(row["channel"]), []).append(metrics)
    for series in out.values():
        series.sort(key=lambda m: m.date)
    return out


def plan_rows(campaign: Mapping[str, Any], *, name: str) -> list[list[Any]]:
    """The ``Plan`` sheet for a `PlanningInput` campaign (README layout, A1 top left)."""
    goal = campaign.get("goal") or {"kind": "max_outcome"}
    rows: list[list[Any]] = [
        ["Campaign ID", campaign["campaign_id"]],
        ["Campaign name", name],
        ["Objective", campaign["objective"]],
        ["Total budget", campaign["total_budget"]],
        ["Currency", campaign.get("currency", "USD")],
        ["Start date", campaign["start_date"]],
        ["End date", campaign["end_date"]],
        ["Goal", _GOALS[str(goal["kind"])]],
        ["Target", goal.get("value")],
        ["Industry", campaign.get("industry")],
        ["Region", campaign.get("region")],
        [],
        ["Channel", "Min spend", "Max spend", "Fixed spend"],
    ]
    for bound in campaign.get("channels") or []:
        row = [bound["channel"], *(bound.get(k) for k in ("min_spend", "max_spend", "fixed_spend"))]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def _quarter(day: dt.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def _drive_files(campaign: Mapping[str, Any], advertiser: str) -> list[DriveFileData]:
    start = dt.date.fromisoformat(str(campaign["start_date"]))
    end = dt.date.fromisoformat(str(campaign["end_date"]))
    modified = dt.datetime.combine(start - dt.timedelta(days=14), dt.time(9), dt.UTC)
    name = f"{advertiser} {_quarter(start)} Media Plan"
    days = (end - start).days + 1
    previous_start = start - dt.timedelta(days=days)
    previous = {
        **campaign,
        "campaign_id": f"{campaign['campaign_id']}-previous",
        "start_date": previous_start.isoformat(),
        "end_date": (start - dt.timedelta(days=1)).isoformat(),
        "goal": {"kind": "max_outcome"},
    }
    notes = [
        ["Notes"],
        ["Budget approved by the CMO; channel bounds agreed with the agency."],
        ["Edit the Plan sheet: mediaplan re-reads it when Drive notifies a change."],
    ]

    def file(file_id: str, title: str, **fields: Any) -> DriveFileData:
        return DriveFileData.model_validate(
            {"id": file_id, "name": title, "modified_time": modified, **fields}
        )

    return [
        file(
            PLAN_FILE_ID,
            name,
            sheets={PLAN_SHEET: plan_rows(campaign, name=name), "Notes": notes},
        ),
        file(
            "1nwPlanPreviousQuarterSheet",
            f"{advertiser} {_quarter(previous_start)} Media Plan",
            trashed=True,
            sheets={PLAN_SHEET: plan_rows(previous, name=f"{advertiser} previous quarter")},
        ),
        file(
            "1nwBrandGuidelinesDocument",
            f"{advertiser} brand guidelines",
            mime_type="application/vnd.google-apps.document",
        ),
        file(
            "1nwCreativeCalendarSheet",
            "Creative calendar",
            sheets={"Sheet1": [["Week", "Asset", "Owner"], ["2027-01-04", "Winter hero", "Ana"]]},
        ),
        file(
            "1nwTeamOffsiteSheet",
            "Team offsite",
            sheets={"Sheet1": [["Where", "When"], ["Lisbon", "2027-03-12"]]},
        ),
    ]


def sandbox_data(
    world: World | None = None,
    *,
    seed: int = NORTHWIND_SEED,
    advertiser: str = DEFAULT_ADVERTISER,
) -> SandboxData:
    """The sandbox seed for `world` (None: Northwind simulated with `seed`); see module doc.

    Raises `ValueError` for a channel that is neither ``meta:`` nor ``google_ads:``.
    """
    if world is None:
        world = simulate_world(NORTHWIND_SPEC, seed).with_bounds(NORTHWIND_BOUNDS)
    document = world.planning_input
    campaign = document["campaign"]
    daily = _daily(document.get("history") or [])
    channels = list(dict.fromkeys([*(c["channel"] for c in campaign["channels"]), *daily]))
    short = advertiser.split()[0] if advertiser.strip() else advertiser
    meta: list[CampaignData] = []
    ads: list[CampaignData] = []
    objective = "OUTCOME_SALES" if campaign["objective"] == "revenue" else "OUTCOME_LEADS"
    for channel in channels:
        platform, _, placement = channel.partition(":")
        title = _title(placement)
        if platform == "meta":
            meta.append(
                CampaignData(
                    id=str(_META_CAMPAIGN_BASE + len(meta) + 1),
                    name=f"{short} - {title} [{placement}]",
                    channel=channel,
                    objective=objective,
                    daily=daily.get(channel, []),
                )
            )
        elif platform == "google_ads":
            ads.append(
                CampaignData(
                    id=str(_GOOGLE_ADS_CAMPAIGN_BASE + len(ads) + 1),
                    name=f"{short} - {title}",
                    channel=channel,
                    daily=daily.get(channel, []),
                )
            )
        else:
            raise ValueError(f"channel {channel!r} is neither a meta: nor a google_ads: channel")
    currency = str(campaign.get("currency", "USD"))
    return SandboxData(
        advertiser=advertiser,
        user_email=USER_EMAIL,
        meta_ad_accounts=[
            AdAccountData(id=META_ACCOUNT_ID, name=advertiser, currency=currency, campaigns=meta)
        ]
        if meta
        else [],
        google_ads_customers=[
            CustomerData(
                id=GOOGLE_ADS_CUSTOMER_ID,
                descriptive_name=advertiser,
                currency_code=currency,
                campaigns=ads,
            )
        ]
        if ads
        else [],
        drive_files=_drive_files(campaign, advertiser),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.sandbox_seed", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--seed", type=int, default=NORTHWIND_SEED)
    args = parser.parse_args(argv)
    data = sandbox_data(seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(data.model_dump_json() + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
