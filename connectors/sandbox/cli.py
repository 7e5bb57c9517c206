"""`mediaplan sandbox`: run every platform sandbox in one process, or change a running one.

Contract: `register(subparsers, default_data)` adds the ``sandbox`` command to an
argparse program (each command sets ``func``: ``args.func(args)`` returns the exit
status). `main(argv, default_data=...)` runs the same command stand-alone
(``python -m connectors.sandbox.cli ...``).

- ``sandbox [--host 127.0.0.1] [--google-port N] [--meta-port N] [--google-ads-port N]
  [--admin-port N] [--data seed.json] [--auto-approve]`` starts a
  `connectors.sandbox.server.SandboxSuite` (ports default to 0: ephemeral), writes
  `SandboxSuite.endpoints()` with its pid to the state file
  ``$MEDIAPLAN_DATA_DIR/sandbox.json`` (default ``.mediaplan/``), then prints it as ONE
  JSON line - the first line on stdout, flushed; nothing else goes to stdout, a summary
  goes to stderr - and serves until SIGINT or SIGTERM, then stops every server and
  removes the state file. The seed is ``--data``
  (a `SandboxData` JSON file), else ``default_data()``; `connectors` never imports
  `evals`, so the program that registers the command passes the seed factory in
  (``evals.sandbox_seed.sandbox_data`` for ``mediaplan``). No seed: exit status 2.
- ``sandbox edit-sheet --file ID --sheet Plan --cell B4 --value 300000``,
  ``sandbox add-spend --platform meta|google_ads --campaign ID --date YYYY-MM-DD
  --amount 120.5 [--impressions N --clicks N --conversions X --revenue X]``,
  ``sandbox fault --platform google|meta|google_ads --kind KIND [--times N] [--path
  GLOB]`` (or ``--clear``), ``sandbox endpoints``: talk to a running sandbox's admin
  API, found by ``--admin-url``, else ``$MEDIAPLAN_SANDBOX_ADMIN_URL``, else the state
  file; print its JSON answer (the push deliveries caused, the fault armed) on stdout.
  Unreachable sandbox or a rejected request: a message on stderr, exit status 1.

``--value`` is JSON when it parses as a number, boolean or null (``300000``), else text.
This module imports the servers only when serving, so registering it costs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from connectors.sandbox.data import SandboxData
    from connectors.sandbox.server import SandboxPorts

__all__ = [
    "ADMIN_URL_ENV",
    "DATA_DIR_ENV",
    "FAULT_CHOICES",
    "SandboxNotFoundError",
    "admin_url",
    "configure",
    "main",
    "register",
    "serve",
    "state_file",
]

DATA_DIR_ENV = "MEDIAPLAN_DATA_DIR"
ADMIN_URL_ENV = "MEDIAPLAN_SANDBOX_ADMIN_URL"
STATE_FILE_NAME = "sandbox.json"
FAULT_CHOICES = ("429", "500", "503", "slow", "expire-token", "revoke-refresh", "malformed")
"""`connectors.sandbox.server.FAULT_NAMES`, repeated to keep this module light."""

DataFactory = Callable[[], "SandboxData"]


class SandboxNotFoundError(RuntimeError):
    """No running sandbox could be located or reached."""


def state_file(env: Mapping[str, str] | None = None) -> Path:
    """Where a serving sandbox records its endpoints: ``$MEDIAPLAN_DATA_DIR/sandbox.json``."""
    source = os.environ if env is None else env
    return Path(source.get(DATA_DIR_ENV) or ".mediaplan") / STATE_FILE_NAME


# -- serving ---------------------------------------------------------------------------


def _write_state(path: Path, info: dict[str, Any]) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({**info, "pid": os.getpid()}) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        print(f"mediaplan sandbox: cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def _remove_state(path: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


def _summary(info: dict[str, Any]) -> str:
    google, meta, ads, admin = info["google"], info["meta"], info["google_ads"], info["admin"]
    return "\n".join(
        [
            f"mediaplan sandbox: serving {info['advertiser']}",
            f"  Google OAuth/Drive/Sheets {google['base_url']}  client {google['client_id']}",
            f"  Meta Graph/Login          {meta['base_url']}  app {meta['app_id']}",
            f"  Google Ads gRPC (TLS)     {ads['endpoint']}  developer token "
            f"{ads['developer_token']}",
            f"    export {ads['roots_env']}={ads['roots_file']}",
            f"  admin                     {admin['url']}",
            "Ctrl-C to stop.",
        ]
    )


async def serve(
    data: SandboxData,
    *,
    host: str = "127.0.0.1",
    ports: SandboxPorts | None = None,
    auto_approve: bool = False,
    state_path: Path | None = None,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set, or SIGINT/SIGTERM; see the module docstring."""
    from connectors.sandbox.google import GoogleSandboxConfig
    from connectors.sandbox.meta import MetaSandboxConfig
    from connectors.sandbox.server import SandboxSuite

    suite = SandboxSuite(
        data,
        host=host,
        ports=ports,
        google_config=GoogleSandboxConfig(auto_approve=auto_approve),
        meta_config=MetaSandboxConfig(auto_approve=auto_approve),
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):  # before starting: a stop never goes unheard
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    written = False
    try:
        async with suite:
            info = suite.endpoints()
            written = state_path is not None and _write_state(state_path, info)
            stream = out or sys.stdout
            stream.write(json.dumps(info) + "\n")  # after the state file: both usable now
            stream.flush()
            print(_summary(info), file=sys.stderr, flush=True)
            await stop.wait()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        if written and state_path is not None:
            _remove_state(state_path)


def _load_data(args: argparse.Namespace, default_data: DataFactory | None) -> SandboxData:
    from connectors.sandbox.data import SandboxData

    if args.data is not None:
        return SandboxData.model_validate_json(Path(args.data).read_text(encoding="utf-8"))
    if default_data is None:
        raise ValueError("no seed data: pass --data seed.json (a SandboxData JSON file)")
    return default_data()


def _cmd_serve(args: argparse.Namespace, default_data: DataFactory | None) -> int:
    from pydantic import ValidationError

    from connectors.sandbox.server import SandboxPorts

    try:
        data = _load_data(args, default_data)
    except (OSError, ValueError, ValidationError) as exc:
        print(f"mediaplan sandbox: error: {exc}", file=sys.stderr)
        return 2
    ports = SandboxPorts(
        google=args.google_port,
        meta=args.meta_port,
        google_ads=args.google_ads_port,
        admin=args.admin_port,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                data,
                host=args.host,
                ports=ports,
                auto_approve=args.auto_approve,
                state_path=state_file(),
            )
        )
    return 0


# -- talking to a running sandbox ----------------------------------------------------------


def admin_url(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The admin URL: `explicit`, ``$MEDIAPLAN_SANDBOX_ADMIN_URL``, else the state file."""
    source = os.environ if env is None else env
    if explicit:
        return explicit.rstrip("/")
    if source.get(ADMIN_URL_ENV):
        return source[ADMIN_URL_ENV].rstrip("/")
    path = state_file(source)
    try:
        return str(json.loads(path.read_text())["admin"]["url"]).rstrip("/")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SandboxNotFoundError(
            f"no running sandbox found ({path} unreadable: {exc}); start one with "
            f"`mediaplan sandbox`, or pass --admin-url"
        ) from exc


def _request(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx

    try:
        with httpx.Client(timeout=30.0) as client:
            response = client.request(method, url + path, json=body)
    except httpx.HTTPError as exc:
        raise SandboxNotFoundError(f"no sandbox answering at {url}: {exc}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {"error": response.text}
    if response.status_code >= 400:
        error = answer.get("error") if isinstance(answer, dict) else answer
        raise ValueError(f"the sandbox refused the request ({response.status_code}): {error}")
    return answer


def _cell_value(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if value is None or isinstance(value, bool | int | float) else text


def _admin_call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> int:
    try:
        answer = _request(admin_url(args.admin_url), method, path, body)
    except (SandboxNotFoundError, ValueError) as exc:
        print(f"mediaplan sandbox: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer), flush=True)
    return 0


def _cmd_edit_sheet(args: argparse.Namespace) -> int:
    body = {
        "file_id": args.file,
        "sheet": args.sheet,
        "cell": args.cell,
        "value": _cell_value(args.value),
    }
    return _admin_call(args, "POST", "/_sandbox/edit-sheet", body)


def _cmd_add_spend(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "platform": args.platform,
        "campaign_id": args.campaign,
        "date": args.date,
        "amount": args.amount,
    }
    for key in ("impressions", "clicks", "conversions", "revenue"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    return _admin_call(args, "POST", "/_sandbox/add-spend", body)


def _cmd_fault(args: argparse.Namespace) -> int:
    if args.clear:
        return _admin_call(args, "DELETE", f"/_sandbox/faults?platform={args.platform}")
    if args.kind is None:
        print("mediaplan sandbox: error: fault needs --kind (or --clear)", file=sys.stderr)
        return 2
    times = None if args.times == 0 else args.times
    body: dict[str, Any] = {"platform": args.platform, "kind": args.kind, "times": times}
    for key in ("path", "retry_after_s", "delay_s", "body"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    return _admin_call(args, "POST", "/_sandbox/fault", body)


def _cmd_endpoints(args: argparse.Namespace) -> int:
    return _admin_call(args, "GET", "/_sandbox/endpoints")


# -- the parser ----------------------------------------------------------------------------


def _admin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--admin-url",
        help=f"the sandbox's admin URL (default: ${ADMIN_URL_ENV}, else the state file "
        f"${DATA_DIR_ENV}/{STATE_FILE_NAME})",
    )


def configure(
    parser: argparse.ArgumentParser, default_data: DataFactory | None = None
) -> argparse.ArgumentParser:
    """Add the sandbox options and sub-commands to `parser` (see the module docstring)."""
    parser.add_argument("--host", default="127.0.0.1", help="interface and advertised host")
    for name in ("google", "meta", "google-ads", "admin"):
        parser.add_argument(
            f"--{name}-port", type=int, default=0, help=f"{name} port (0: ephemeral)"
        )
    parser.add_argument("--data", type=Path, help="a SandboxData JSON seed (default: demo)")
    parser.add_argument("--auto-approve", action="store_true", help="skip the OAuth consent pages")
    parser.set_defaults(func=lambda args: _cmd_serve(args, default_data))
    sub = parser.add_subparsers(dest="sandbox_command", metavar="COMMAND")

    edit = sub.add_parser("edit-sheet", help="set a cell of a Drive spreadsheet (Drive push)")
    edit.add_argument("--file", required=True, help="Drive file id")
    edit.add_argument("--sheet", required=True, help="sheet title, e.g. Plan")
    edit.add_argument("--cell", required=True, help="A1 cell, e.g. B4")
    edit.add_argument("--value", required=True, help="number, true/false, null, or text")
    _admin_option(edit)
    edit.set_defaults(func=_cmd_edit_sheet)

    spend = sub.add_parser("add-spend", help="add delivery to a campaign day (Meta webhook)")
    spend.add_argument("--platform", required=True, choices=("meta", "google_ads"))
    spend.add_argument("--campaign", required=True, help="campaign id")
    spend.add_argument("--date", required=True, help="YYYY-MM-DD")
    spend.add_argument("--amount", required=True, type=float, help="spend to add")
    for metric, kind in (("impressions", int), ("clicks", int)):
        spend.add_argument(f"--{metric}", type=kind)
    for metric in ("conversions", "revenue"):
        spend.add_argument(f"--{metric}", type=float)
    _admin_option(spend)
    spend.set_defaults(func=_cmd_add_spend)

    fault = sub.add_parser("fault", help="inject a fault into a platform's next requests")
    fault.add_argument("--platform", required=True, choices=("google", "meta", "google_ads"))
    fault.add_argument("--kind", choices=FAULT_CHOICES)
    fault.add_argument(
        "--times", type=int, default=1, help="how many requests (default 1; 0: until cleared)"
    )
    fault.add_argument("--path", help="request path glob, e.g. '/drive/v3/*' (default: any)")
    fault.add_argument("--retry-after-s", type=float, help="429: the back-off announced")
    fault.add_argument("--delay-s", type=float, help="slow: seconds of delay (default 3)")
    fault.add_argument("--body", help="malformed: the body to answer (default: truncated)")
    fault.add_argument("--clear", action="store_true", help="remove the platform's faults")
    _admin_option(fault)
    fault.set_defaults(func=_cmd_fault)

    shown = sub.add_parser("endpoints", help="print the running sandbox's JSON description")
    _admin_option(shown)
    shown.set_defaults(func=_cmd_endpoints)
    return parser


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    default_data: DataFactory | None = None,
) -> argparse.ArgumentParser:
    """Add ``sandbox`` to an argparse sub-command set; `default_data` seeds it without
    ``--data`` (e.g. ``evals.sandbox_seed.sandbox_data``)."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve the Google, Meta and Google Ads sandboxes, or change a running one",
        description=(
            "Serve local emulators of Google OAuth/Drive/Sheets, Meta and Google Ads; the "
            "first stdout line is a JSON object with every endpoint and demo credential."
        ),
    )
    return configure(parser, default_data)


def main(argv: Sequence[str] | None = None, *, default_data: DataFactory | None = None) -> int:
    parser = configure(
        argparse.ArgumentParser(prog="python -m connectors.sandbox.cli"), default_data
    )
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
