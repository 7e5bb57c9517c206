"""``make demo`` end to end: the sandbox, the connectors, the store, Temporal, the plan.

`run_demo` runs in this process with its state (Temporal dev-server database, SQLite
store) under `tmp_path`; it stops the sandbox, the worker and the dev server itself,
which the test checks. No LLM is configured, so the plans are deterministic.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from connectors.sandbox.server import SandboxSuite
from evals.simulator.examples import northwind
from orchestration.dev import DEMO_SANDBOX_WORKSPACE, run_demo
from orchestration.store import Store

pytestmark = pytest.mark.slow
HISTORY = (dt.date(2025, 1, 1), dt.date(2026, 12, 31))


def _temporal_children() -> list[str]:
    """Command lines of this process's children that run ``temporal`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_text().replace("\0", " ")
        except (FileNotFoundError, IndexError, ProcessLookupError):
            continue
        if parent == os.getpid() and "temporal" in cmdline:
            found.append(cmdline)
    return found


async def _demo(tmp_path: Path, url: str, **kwargs: Any) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / kwargs.get("source", "sandbox")
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=False)
    code = await run_demo(out, data=tmp_path / "data", database_url=url, console=console, **kwargs)
    plan = json.loads((out / "plan.json").read_text()) if code == 0 else {}
    if code == 0:
        assert "<html" in (out / "plan.html").read_text()[:200].lower()
    return code, " ".join(buffer.getvalue().split()), plan  # unwrapped


async def test_the_demo_plans_what_the_connectors_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("MEDIAPLAN_LLM_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    code, output, plan = await _demo(tmp_path, url)
    assert code == 0, output
    assert "through the connectors from the embedded sandbox" in output
    for platform in ("Google Drive", "Meta", "Google Ads"):
        assert f"{platform} 1 " in output, output
    assert "Not a platform figure" in output
    assert "/namespaces/default/workflows/planning-q1-2027-northwind-" in output
    world_channels = {c["channel"] for c in northwind().planning_input["campaign"]["channels"]}
    assert {a["channel"] for a in plan["allocations"]} == world_channels
    assert plan["total_budget"] == 297000.0
    assert _temporal_children() == []

    with Store(url) as store:
        assert len(store.performance_range(DEMO_SANDBOX_WORKSPACE, *HISTORY)) == 5110
        assert len(store.kpi_range(DEMO_SANDBOX_WORKSPACE, *HISTORY)) == 730

    # The fallback writes the same advertiser straight into the store: the same plan.
    code, output, seeded = await _demo(tmp_path, url, source="seed")
    assert code == 0, output
    assert "the connectors are not used" in output
    assert [(a["channel"], pytest.approx(a["spend"])) for a in plan["allocations"]] == [
        (a["channel"], a["spend"]) for a in seeded["allocations"]
    ]
    assert _temporal_children() == []


async def test_a_connector_error_fails_the_demo_naming_the_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[SandboxSuite] = []
    start = SandboxSuite.start

    async def start_then_break_google_ads(self: SandboxSuite) -> SandboxSuite:
        await start(self)
        self.inject_fault("google_ads", "revoke-refresh")  # not retryable: fails at once
        started.append(self)
        return self

    monkeypatch.setattr(SandboxSuite, "start", start_then_break_google_ads)
    code, output, _ = await _demo(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    assert code == 1
    assert "mediaplan demo failed: Google Ads: discovering customers: " in output, output
    [suite] = started
    ports = [suite.google_ads.port, *(int(u.rsplit(":", 1)[1]) for u in _urls(suite))]
    for port in ports:  # every server of the sandbox was stopped and its port released
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
    assert _temporal_children() == []


def _urls(suite: SandboxSuite) -> list[str]:
    return [suite.google.base_url, suite.meta.base_url, suite.admin_url]
