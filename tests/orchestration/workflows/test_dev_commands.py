"""``mediaplan dev`` (server + worker + API in one process, clean Ctrl-C), the dev server's
lifecycle, the demo, and ``mediaplan plan --campaign``."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from orchestration.dev import add_plan_campaign_arguments, plan_campaign_command, run_demo
from orchestration.temporal.devserver import DevServer, DevServerConfig, free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except FileNotFoundError:
        return f"(exited {pid})"


def _descendants(pid: int) -> list[int]:
    out = _children(pid)
    for child in list(out):
        out += _descendants(child)
    return out


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


async def _wait_gone(pid: int, timeout_s: float = 15.0) -> bool:
    for _ in range(int(timeout_s / 0.1)):
        if not _alive(pid):
            return True
        await asyncio.sleep(0.1)
    return False


def _seed(url: str) -> str:
    from orchestration.seed_demo import seed_demo
    from orchestration.store import Store

    with Store(url) as store:
        store.upgrade()
        return seed_demo(store)


async def test_dev_serves_plans_and_stops_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    campaign = await asyncio.to_thread(_seed, url)
    api, grpc, ui = free_port(), free_port(), free_port()
    env = {**os.environ, "MEDIAPLAN_DATA_DIR": str(tmp_path), "MEDIAPLAN_DATABASE_URL": url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestration.dev",
        "--temporal-port",
        str(grpc),
        "--ui-port",
        str(ui),
        "--api-port",
        str(api),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group, as in a terminal
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api}", timeout=10) as http:
            for _ in range(600):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.returncode is None, "mediaplan dev exited early"
                await asyncio.sleep(0.1)
            children = _descendants(proc.pid)
            servers = [p for p in children if "temporal" in _cmdline(p)]
            assert len(servers) == 1
            assert len(children) >= 4  # the server, the planner's manager and its pool
            ui_page = await http.get(f"http://127.0.0.1:{ui}/")
            assert ui_page.status_code == 200
            started = await http.post(
                "/plans", json={"campaign_id": campaign, "workspace_id": "demo"}
            )
            assert started.status_code == 202
            wid = started.json()["workflow_id"]
            while (got := (await http.get(f"/plans/{wid}")).json())["status"] == "RUNNING":
                await asyncio.sleep(0.1)
            assert got["status"] == "COMPLETED", got
            assert got["result"]["distribution_plan"]["campaign_id"] == campaign
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, out.decode()
    assert b"mediaplan dev stopped" in out
    for pid in children:
        assert await _wait_gone(pid, 5), f"{_cmdline(pid)} outlived mediaplan dev"
    assert b"Traceback" not in out, out.decode()
    assert (tmp_path / "temporal.db").exists()


async def test_dev_server_dies_with_a_killed_parent(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from orchestration.temporal.devserver import DevServer, DevServerConfig, free_port\n"
        "async def main():\n"
        "    s = DevServer(DevServerConfig(port=free_port(), ui=False))\n"
        "    await s.start()\n"
        "    print(s.pid, flush=True)\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    server_pid = int(await asyncio.wait_for(proc.stdout.readline(), 60))
    assert _alive(server_pid)
    proc.kill()
    await proc.wait()
    assert await _wait_gone(server_pid), "the temporal server was orphaned"


async def test_dev_server_start_stop_and_errors(tmp_path: Path) -> None:
    server = DevServer(DevServerConfig(port=free_port(), ui=False, db_file=tmp_path / "t.db"))
    async with server:
        pid = server.pid
        assert pid is not None and _alive(pid)
        busy = DevServer(DevServerConfig(port=server.config.port, ui=False))
        with pytest.raises(RuntimeError, match="in use"):
            await busy.start(timeout_s=20)
    assert not _alive(pid)
    assert DevServerConfig(port=server.config.port).pick_ports().port == server.config.port


async def test_demo_and_plan_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDIAPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIAPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    code = await run_demo(tmp_path / "out")
    out = capsys.readouterr().out
    assert code == 0, out
    assert (tmp_path / "out" / "plan.json").stat().st_size > 1000
    assert "<html" in (tmp_path / "out" / "plan.html").read_text()[:200].lower()
    assert "/namespaces/default/workflows/planning-q1-2027-northwind-" in out.replace("\n", "")

    parser = argparse.ArgumentParser()
    add_plan_campaign_arguments(parser)
    parser.add_argument("--output")
    args = parser.parse_args(["--campaign", "x", "--since", "2026-01-01"])
    monkeypatch.setenv("MEDIAPLAN_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    assert await asyncio.to_thread(plan_campaign_command, args) == 1
    assert "--since and --until go together" in capsys.readouterr().err
    args = parser.parse_args(["--campaign", "x"])
    assert await asyncio.to_thread(plan_campaign_command, args) == 1
    assert "cannot reach Temporal" in capsys.readouterr().err
