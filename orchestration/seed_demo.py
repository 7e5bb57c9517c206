"""Load a simulated advertiser into the store: ``mediaplan seed-demo``.

Contract: `seed_demo(store, workspace_id="demo", seed=2)` migrates nothing (the caller
opens and upgrades the store), simulates the bundled Northwind advertiser
(`evals.simulator.examples`: seven Google Ads and Meta channels, two years of daily
history, a KPI series, a Q1 2027 campaign with a minimum on Instagram Reels and a cap on
YouTube) with `seed`, and writes it to `workspace_id`: the workspace, the campaign brief,
one daily performance row per (date, channel) under plausible platform ids (one Meta ad
account ``act_<15 digits>``, one Google Ads customer of 10 digits, one platform campaign
per channel) and the KPI rows. It returns the campaign id. It is idempotent: a second
run with the same arguments finds every row identical and changes nothing. Summed per
(date, channel), the stored rows are exactly the simulator's history, so
``store.planning_input(workspace_id, campaign_id)`` reproduces the example document.

`register(subparsers)` adds ``seed-demo [--workspace demo] [--seed 2] [--database-url URL]``
to the ``mediaplan`` parser; the command upgrades the database, seeds it and prints what
it loaded (``python -m orchestration.seed_demo`` runs it stand-alone).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used, so registering the subcommand stays cheap
    from connectors.records import CampaignBrief, DailyPerformanceRow
    from orchestration.store import Store, UpsertCounts, UpsertOutcome

__all__ = [
    "DEMO_SEED",
    "DEMO_WORKSPACE",
    "SeedReport",
    "describe",
    "load_demo",
    "main",
    "register",
    "seed_demo",
]

DEMO_WORKSPACE = "demo"
DEMO_SEED = 2
_ADVERTISER = "Northwind"


@dataclass(frozen=True)
class SeedReport:
    """What `load_demo` wrote."""

    workspace_id: str
    brief: CampaignBrief
    campaign: UpsertOutcome
    performance: UpsertCounts
    kpi: UpsertCounts
    channels: tuple[str, ...]
    accounts: dict[str, str]
    first_day: str
    last_day: str


@functools.lru_cache(maxsize=4)
def _document(seed: int) -> dict[str, Any]:
    from evals.simulator import simulate_world
    from evals.simulator.examples import NORTHWIND_BOUNDS, NORTHWIND_SPEC

    return simulate_world(NORTHWIND_SPEC, seed).with_bounds(NORTHWIND_BOUNDS).planning_input


def _digits(label: str, n: int) -> str:
    """`n` stable pseudo-random digits for `label` (no leading zero)."""
    number = int.from_bytes(hashlib.sha256(label.encode()).digest()[:16], "big")
    return str(10 ** (n - 1) + number % (9 * 10 ** (n - 1)))


def _account(platform: str, seed: int) -> str:
    if platform == "meta":
        return "act_" + _digits(f"demo:{seed}:meta:account", 15)
    return _digits(f"demo:{seed}:google_ads:customer", 10)


def _platform_campaign(platform: str, channel: str, seed: int) -> str:
    label = f"demo:{seed}:{channel}:campaign"
    return "1202" + _digits(label, 14) if platform == "meta" else _digits(label, 11)


def _brief(document: dict[str, Any], seed: int) -> CampaignBrief:
    from connectors.records import CampaignBrief, ChannelBound

    campaign = document["campaign"]
    goal = campaign.get("goal", {})
    return CampaignBrief(
        source_id=f"evals.simulator:northwind:seed-{seed}",
        campaign_id=campaign["campaign_id"],
        name=f"{_ADVERTISER} Q1 2027 (simulated)",
        objective=campaign["objective"],
        total_budget=campaign["total_budget"],
        currency=campaign.get("currency", "USD"),
        start_date=campaign["start_date"],
        end_date=campaign["end_date"],
        channels=[ChannelBound.model_validate(c) for c in campaign.get("channels") or []],
        goal_kind=goal.get("kind", "max_outcome"),
        goal_value=goal.get("value"),
        industry=campaign.get("industry"),
        region=campaign.get("region"),
    )


def _rows(document: dict[str, Any], seed: int, currency: str) -> list[DailyPerformanceRow]:
    from connectors.records import DailyPerformanceRow

    rows = []
    for r in document["history"]:
        channel: str = r["channel"]
        platform, placement = channel.split(":", 1)
        rows.append(
            DailyPerformanceRow.model_validate(
                {
                    "date": r["date"],
                    "platform": platform,
                    "account_id": _account(platform, seed),
                    "campaign_id": _platform_campaign(platform, channel, seed),
                    "campaign_name": f"{_ADVERTISER} | {placement.replace('_', ' ').title()}",
                    "channel": channel,
                    "spend": r["spend"],
                    "impressions": r.get("impressions") or 0.0,
                    "clicks": r.get("clicks") or 0.0,
                    "conversions": r.get("conversions") or 0.0,
                    "revenue": r.get("revenue") or 0.0,
                    "currency": currency,
                }
            )
        )
    return rows


def load_demo(
    store: Store, workspace_id: str = DEMO_WORKSPACE, seed: int = DEMO_SEED
) -> SeedReport:
    """Seed the demo advertiser (see module doc) and report what was written."""
    from agents.contract import KpiRow

    document = _document(seed)
    brief = _brief(document, seed)
    rows = _rows(document, seed, brief.currency)
    kpi = [KpiRow.model_validate(r) for r in document.get("kpi") or []]
    store.ensure_workspace(workspace_id, name=f"{_ADVERTISER} (simulated demo)")
    outcome = store.upsert_campaign(workspace_id, brief)
    performance = store.upsert_performance(workspace_id, rows)
    kpi_counts = store.upsert_kpi(workspace_id, kpi)
    days = sorted({r.date for r in rows})
    return SeedReport(
        workspace_id=workspace_id,
        brief=brief,
        campaign=outcome,
        performance=performance,
        kpi=kpi_counts,
        channels=tuple(dict.fromkeys(r.channel for r in rows)),
        accounts={r.platform: r.account_id for r in rows},
        first_day=days[0].isoformat() if days else "-",
        last_day=days[-1].isoformat() if days else "-",
    )


def seed_demo(store: Store, workspace_id: str = DEMO_WORKSPACE, seed: int = DEMO_SEED) -> str:
    """Seed the demo advertiser into `workspace_id`; returns its campaign id."""
    return load_demo(store, workspace_id, seed).brief.campaign_id


def _counts(c: UpsertCounts) -> str:
    return f"{c.inserted} new, {c.updated} updated, {c.unchanged} unchanged"


def describe(report: SeedReport) -> str:
    b = report.brief
    accounts = ", ".join(f"{p} {a}" for p, a in sorted(report.accounts.items()))
    return "\n".join(
        [
            f"workspace {report.workspace_id!r}:",
            f"  campaign {b.campaign_id!r} ({report.campaign}): {b.objective}, budget "
            f"{b.total_budget:,.0f} {b.currency}, {b.start_date} to {b.end_date}, "
            f"{len(b.channels)} channels",
            f"  performance rows {report.first_day} to {report.last_day}: "
            f"{_counts(report.performance)} ({accounts})",
            f"  KPI days: {_counts(report.kpi)}",
            f"  channels: {', '.join(report.channels)}",
        ]
    )


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError

    from orchestration.store import Store, StoreError, safe_url

    url: str | None = args.database_url
    try:
        with Store(url) as store:
            where = safe_url(store.url)
            store.upgrade()
            report = load_demo(store, args.workspace, args.seed)
    except (StoreError, OperationalError) as exc:
        target = safe_url(url) if url else "the configured database"
        print(f"mediaplan: error: seed-demo into {target}: {exc}", file=sys.stderr)
        return 1
    print(f"seeded {where}")
    print(describe(report))
    print(
        f"plan it: the campaign is {report.brief.campaign_id!r} in workspace "
        f"{report.workspace_id!r}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``seed-demo`` subcommand to the ``mediaplan`` parser."""
    p = subparsers.add_parser(
        "seed-demo",
        help="load a simulated advertiser (campaign, 2 years of performance, KPI) into the store",
    )
    p.add_argument("--workspace", default=DEMO_WORKSPACE, help="workspace id (default: demo)")
    p.add_argument("--seed", type=int, default=DEMO_SEED, help="simulation seed (default: 2)")
    p.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: $MEDIAPLAN_DATABASE_URL, else an SQLite file in "
        "$MEDIAPLAN_DATA_DIR, ./.mediaplan by default)",
    )
    p.set_defaults(func=cmd_seed_demo)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediaplan")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["seed-demo", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
