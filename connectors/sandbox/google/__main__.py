"""Run the Google sandbox from a shell until interrupted.

    python -m connectors.sandbox.google [--host 127.0.0.1] [--port 8765]
        [--data seed.json] [--auto-approve]

``--data`` is a `SandboxData` JSON file (default: no files). The sandbox prints its
endpoints and demo client credentials as JSON on one line, then serves until SIGINT
(Ctrl-C) or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from pathlib import Path

from connectors.sandbox.data import SandboxData
from connectors.sandbox.google.context import GoogleSandboxConfig
from connectors.sandbox.google.server import GoogleSandbox


async def _serve(data: SandboxData, host: str, port: int, config: GoogleSandboxConfig) -> None:
    async with GoogleSandbox(data, host=host, port=port, config=config) as sandbox:
        info = {
            "endpoints": sandbox.endpoints,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        }
        print(json.dumps(info), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m connectors.sandbox.google")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", type=Path, help="a SandboxData JSON file")
    parser.add_argument("--auto-approve", action="store_true", help="skip the consent page")
    args = parser.parse_args(argv)
    data = SandboxData.model_validate_json(args.data.read_text()) if args.data else SandboxData()
    config = GoogleSandboxConfig(auto_approve=args.auto_approve)
    asyncio.run(_serve(data, args.host, args.port, config))


if __name__ == "__main__":
    main()
