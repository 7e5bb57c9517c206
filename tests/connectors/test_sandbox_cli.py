"""`mediaplan sandbox`: the JSON line, the state file, the mutation commands, the config.

One real `mediaplan sandbox` process (seeded the way `orchestration.cli` seeds it, on
127.0.0.1 ports chosen here) serves the module; it is stopped with SIGTERM in the last
test and killed at teardown if anything went wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.config import (
    ENV_VARS,
    ConnectorSettings,
    GoogleAdsAppSettings,
    MissingCredentialsError,
    sandbox_env,
)
from connectors.sandbox import cli
from connectors.sandbox.server import FAULT_NAMES, fault_for

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = (
    "import sys; from connectors.sandbox.cli import main; "
    "from evals.sandbox_seed import sandbox_data; "
    "sys.exit(main(sys.argv[1:], default_data=sandbox_data))"
)
STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Running:
    process: subprocess.Popen[str]
    first_line: str
    ports: dict[str, int]
    data_dir: Path

    @property
    def info(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.first_line)
        return parsed


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    stdout = process.stdout
    result: Future[str] = Future()
    threading.Thread(target=lambda: result.set_result(stdout.readline()), daemon=True).start()
    return result.result(timeout)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    data_dir = tmp_path_factory.mktemp("mediaplan-data")
    ports = {name: free_port() for name in ("google", "meta", "google-ads", "admin")}
    argv = [sys.executable, "-c", LAUNCH]
    for name, port in ports.items():
        argv += [f"--{name}-port", str(port)]
    env = {**os.environ, cli.DATA_DIR_ENV: str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop(cli.ADMIN_URL_ENV, None)
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        line = _read_line(process, STARTUP_TIMEOUT_S)
        yield Running(process, line, ports, data_dir)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def test_the_first_line_is_json_with_every_endpoint_and_credential(running: Running) -> None:
    info = running.info
    google, meta, ads, admin = info["google"], info["meta"], info["google_ads"], info["admin"]
    host = "http://127.0.0.1"
    assert google["base_url"] == f"{host}:{running.ports['google']}"
    assert meta["base_url"] == f"{host}:{running.ports['meta']}"
    assert ads["endpoint"] == f"127.0.0.1:{running.ports['google-ads']}"
    assert admin["url"] == f"{host}:{running.ports['admin']}"
    for key in ("auth_url", "token_url", "revoke_url", "drive_api", "sheets_api", "faults_url"):
        assert google[key].startswith(google["base_url"]), key
    for key in ("client_id", "client_secret", "access_token", "refresh_token"):
        assert google[key], key
    for key in ("graph_url", "dialog_url", "authorize_url", "token_url", "debug_token_url"):
        assert meta[key].startswith(meta["base_url"]), key
    for key in ("app_id", "app_secret", "verify_token", "access_token"):
        assert meta[key], key
    assert meta["ad_account_ids"] == ["act_1000000001"]
    for key in ("developer_token", "login_customer_id", "client_id", "client_secret"):
        assert ads[key], key
    assert ads["roots_env"] == "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
    assert b"BEGIN CERTIFICATE" in Path(ads["roots_file"]).read_bytes()
    assert ads["token_url"] == google["token_url"]
    assert ads["faults_url"].startswith(admin["url"])
    for key in ("edit_sheet_url", "add_spend_url", "fault_url", "endpoints_url"):
        assert admin[key].startswith(admin["url"]), key
    assert info["env"] == sandbox_env(info)
    assert info["env"]["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] == ads["roots_file"]
    assert set(info["env"]) <= set(ENV_VARS)


def test_the_state_file_locates_the_sandbox_for_mutation_commands(
    running: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.DATA_DIR_ENV, str(running.data_dir))
    monkeypatch.delenv(cli.ADMIN_URL_ENV, raising=False)
    state = json.loads(cli.state_file().read_text())
    assert state["pid"] == running.process.pid
    assert state["admin"] == running.info["admin"]

    file_id = running.info["google"]["file_ids"][0]
    assert cli.main(["edit-sheet", "--file", file_id, "--sheet", "Plan", "--cell", "B4",
                     "--value", "300000"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == {"deliveries": []}  # nobody watches yet
    assert cli.main(["add-spend", "--platform", "google_ads", "--campaign", "21000000001",
                     "--date", "2026-12-31", "--amount", "12.5", "--clicks", "3"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == {"deliveries": []}  # Google Ads has no push
    assert cli.main(["fault", "--platform", "meta", "--kind", "slow", "--times", "2",
                     "--path", "/v26.0/*", "--delay-s", "0.5"]) == 0  # fmt: skip
    armed = json.loads(capsys.readouterr().out)
    assert armed["fault"].items() >= {"kind": "delay", "times": 2, "delay_s": 0.5}.items()
    assert cli.main(["fault", "--platform", "meta", "--clear"]) == 0
    assert json.loads(capsys.readouterr().out) == {"meta": []}
    assert cli.main(["endpoints"]) == 0
    assert json.loads(capsys.readouterr().out)["admin"] == running.info["admin"]


def test_bad_requests_and_missing_sandboxes_fail_with_a_message(
    running: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = running.info["admin"]["url"]
    assert cli.main(["add-spend", "--platform", "meta", "--campaign", "404", "--date",
                     "2026-12-31", "--amount", "1", "--admin-url", admin]) == 1  # fmt: skip
    assert "no Meta campaign 404" in capsys.readouterr().err
    missing = httpx.post(admin + "/_sandbox/edit-sheet", json={"sheet": "Plan"}, timeout=10)
    assert missing.status_code == 400 and "file_id" in missing.json()["error"]
    unknown = httpx.post(admin + "/_sandbox/fault", json={"platform": "x", "kind": "429"})
    assert unknown.status_code == 400 and "unknown platform" in unknown.json()["error"]
    assert cli.main(["edit-sheet", "--file", "x", "--sheet", "Plan", "--cell", "B4", "--value",
                     "1", "--admin-url", f"http://127.0.0.1:{free_port()}"]) == 1  # fmt: skip
    assert "no sandbox answering" in capsys.readouterr().err
    env = {cli.DATA_DIR_ENV: str(tmp_path)}
    with pytest.raises(cli.SandboxNotFoundError, match="mediaplan sandbox"):
        cli.admin_url(None, env)
    assert cli.admin_url(None, {**env, cli.ADMIN_URL_ENV: "http://h:1/"}) == "http://h:1"
    assert cli.main(["--data", str(tmp_path / "missing.json")]) == 2
    assert cli.main([]) == 2  # no seed: stand-alone without default_data
    assert "--data" in capsys.readouterr().err


def test_sigterm_stops_every_server_and_removes_the_state_file(running: Running) -> None:
    state = running.data_dir / cli.STATE_FILE_NAME
    assert state.exists()
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(20) == 0
    assert not state.exists()
    for port in running.ports.values():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # released


def test_register_adds_the_command_and_passes_the_seed_factory() -> None:
    parser = argparse.ArgumentParser(prog="mediaplan")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub, default_data=lambda: pytest.fail("not called while parsing"))
    serve = parser.parse_args(["sandbox", "--google-port", "8765", "--auto-approve"])
    assert (serve.google_port, serve.meta_port, serve.auto_approve) == (8765, 0, True)
    assert serve.data is None and callable(serve.func)
    edit = parser.parse_args(["sandbox", "edit-sheet", "--file", "f", "--sheet", "Plan",
                              "--cell", "B4", "--value", "3"])  # fmt: skip
    assert edit.func is not serve.func and edit.sandbox_command == "edit-sheet"
    fault = parser.parse_args(["sandbox", "fault", "--platform", "google", "--kind", "500"])
    assert (fault.kind, fault.times) == ("500", 1)
    assert set(cli.FAULT_CHOICES) == set(FAULT_NAMES)
    assert fault_for("429").retry_after_s == 2.0 and fault_for("slow").kind == "delay"
    with pytest.raises(ValueError):
        fault_for("teapot")


def test_config_defaults_to_the_real_apis_and_names_missing_variables() -> None:
    from connectors.google_drive import DriveSettings
    from connectors.google_oauth import GOOGLE_AUTH_URL, GOOGLE_REVOKE_URL, GOOGLE_TOKEN_URL
    from connectors.meta import MetaConnectorConfig, MetaOAuthConfig

    settings = ConnectorSettings.from_env({})
    assert settings.configured() == {"google_drive": False, "meta": False, "google_ads": False}
    google = settings.google
    assert (google.auth_url, google.token_url, google.revoke_url) == (
        GOOGLE_AUTH_URL,
        GOOGLE_TOKEN_URL,
        GOOGLE_REVOKE_URL,
    )
    real = DriveSettings()
    assert (google.drive_api, google.sheets_api) == (real.drive_api, real.sheets_api)
    assert settings.meta.graph_url == MetaConnectorConfig("a", "s").graph_url
    assert settings.meta.dialog_url == MetaOAuthConfig("a", "s").dialog_url
    assert settings.google_ads.endpoint is None
    with pytest.raises(MissingCredentialsError, match="MEDIAPLAN_GOOGLE_CLIENT_ID"):
        google.client_credentials()
    with pytest.raises(MissingCredentialsError, match="MEDIAPLAN_META_APP_SECRET"):
        settings.meta.connector_config()
    with pytest.raises(MissingCredentialsError, match="MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN"):
        settings.google_ads.settings()

    real_env = {
        "MEDIAPLAN_GOOGLE_CLIENT_ID": "id.apps.googleusercontent.com",
        "MEDIAPLAN_GOOGLE_CLIENT_SECRET": "secret",
        "MEDIAPLAN_GOOGLE_REDIRECT_URI": "https://app.example.com/oauth/google",
        "MEDIAPLAN_META_APP_ID": "42",
        "MEDIAPLAN_META_APP_SECRET": "meta-secret",
        "MEDIAPLAN_GOOGLE_ADS_DEVELOPER_TOKEN": "dev",
        "MEDIAPLAN_GOOGLE_ADS_LOGIN_CUSTOMER_ID": "123-456-7890",
    }
    configured = ConnectorSettings.from_env(real_env)
    assert all(configured.configured().values())
    oauth = configured.google.oauth_config(("scope-a",))
    assert oauth.token_url == GOOGLE_TOKEN_URL and oauth.redirect_uri.startswith("https://")
    assert configured.google_ads.settings().login_customer_id == "1234567890"
    assert "secret" not in repr(configured)
    with pytest.raises(ValueError, match="LOGIN_CUSTOMER_ID"):
        GoogleAdsAppSettings(login_customer_id="42")
