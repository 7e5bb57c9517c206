"""``python -m connectors.sandbox.meta [--port N] [--data seed.json] [--auto-approve]``.

Runs the Meta sandbox until interrupted and prints its base URL, the demo app id/secret,
the webhook verify token and a long-lived demo access token. Without `--data` it serves
one demo ad account with two campaigns and a week of metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
from pathlib import Path

from connectors.sandbox.data import AdAccountData, CampaignData, DailyMetrics, SandboxData
from connectors.sandbox.meta.context import MetaSandboxConfig
from connectors.sandbox.meta.server import start_meta_sandbox

__all__ = ["main"]


def _demo_data() -> SandboxData:
    today = dt.date.today()
    campaigns = [
        CampaignData(
            id=f"12021000000000{i}",
            name=name,
            channel=channel,
            daily=[
                DailyMetrics(
                    date=today - dt.timedelta(days=d),
                    spend=100.0 + 10 * i,
                    impressions=10000,
                    clicks=200,
                    conversions=5.0,
                    revenue=400.0,
                )
                for d in range(1, 8)
            ],
        )
        for i, (name, channel) in enumerate(
            [
                ("Reels prospecting", "meta:instagram_reels"),
                ("Feed retargeting", "meta:facebook_feed"),
            ]
        )
    ]
    return SandboxData(
        meta_ad_accounts=[AdAccountData(id="1000000001", name="Demo account", campaigns=campaigns)]
    )


async def _serve(args: argparse.Namespace) -> None:
    data = (
        SandboxData.model_validate_json(Path(args.data).read_text()) if args.data else _demo_data()
    )
    config = MetaSandboxConfig(auto_approve=args.auto_approve)
    sandbox = await start_meta_sandbox(data, args.host, args.port, config=config)
    print(f"Meta sandbox on {sandbox.base_url}")
    print(f"  app id {sandbox.app_id}  app secret {sandbox.app_secret}")
    print(f"  verify token {sandbox.verify_token}")
    print(f"  demo access token {sandbox.demo_access_token}")
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m connectors.sandbox.meta")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", help="SandboxData JSON file")
    parser.add_argument("--auto-approve", action="store_true")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
