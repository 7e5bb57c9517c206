"""Run the Google Ads sandbox on its own: `python -m connectors.sandbox.google_ads`.

Contract: serves `--data` (a `SandboxData` JSON file; default: a small built-in demo
customer) on `--host`/`--port` until interrupted, and prints one JSON line with the
endpoint, developer token, demo OAuth credentials and `roots_file`: a client in another
process must export `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=<roots_file>` before it creates its
first gRPC channel. `--cert-file` chooses where the certificate is written (the private
key stays in this process's memory). `admin_url` is the HTTP control plane (`admin.py`):
faults, spend, campaign status, tokens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from pathlib import Path

from connectors.sandbox.data import CampaignData, CustomerData, DailyMetrics, SandboxData
from connectors.sandbox.google_ads.admin import AdminServer
from connectors.sandbox.google_ads.server import start_google_ads_sandbox
from connectors.sandbox.google_ads.tls import generate_certificate, trust_sandbox_certificate


def demo_data(days: int = 90, today: dt.date | None = None) -> SandboxData:
    """One customer with five campaigns (one per main channel) and `days` of metrics."""
    end = today or dt.date.today()
    channels = ["search", "shopping", "pmax", "youtube", "display"]
    campaigns = []
    for index, channel in enumerate(channels):
        daily = [
            DailyMetrics(
                date=end - dt.timedelta(days=offset),
                spend=round(50 + 10 * index + (offset % 7) * 3.5, 2),
                impressions=4000 + 100 * index,
                clicks=120 + index,
                conversions=6 + index * 0.5,
                revenue=round(300 + 40 * index + (offset % 5) * 12.0, 2),
            )
            for offset in range(days)
        ]
        campaigns.append(
            CampaignData(
                id=str(21_000_000_000 + index),
                name=f"Demo {channel}",
                channel=f"google_ads:{channel}",
                daily=daily,
            )
        )
    customer = CustomerData(
        id="1234567890", descriptive_name="Demo advertiser", campaigns=campaigns
    )
    return SandboxData(google_ads_customers=[customer])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="SandboxData JSON (default: demo data)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: an ephemeral port")
    parser.add_argument("--cert-file", type=Path, help="where to write the certificate PEM")
    parser.add_argument("--admin-port", type=int, default=0, help="HTTP control plane port")
    args = parser.parse_args(argv)
    data = SandboxData.model_validate_json(args.data.read_text()) if args.data else demo_data()
    certificate = generate_certificate(args.cert_file) if args.cert_file else None
    sandbox = start_google_ads_sandbox(data, args.host, args.port, certificate=certificate)
    roots = trust_sandbox_certificate(sandbox.certificate)
    admin = AdminServer(sandbox, args.host, args.admin_port).start()
    info = {
        "endpoint": sandbox.endpoint,
        "developer_token": sandbox.developer_token,
        "access_token": sandbox.access_token,
        "refresh_token": sandbox.refresh_token,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "roots_file": str(roots),
        "admin_url": admin.url,
    }
    print(json.dumps(info), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        admin.stop()
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
