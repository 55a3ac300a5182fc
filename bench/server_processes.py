"""Uvicorn servers as child processes on free loopback ports, started and stopped by the bench.

Both the service and the baseline run with the same uvicorn settings (one worker, the default
uvloop/httptools stack, log level warning) so the comparison measures the apps, not the servers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"


@dataclass
class ServerProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU this server has used so far, from Linux's /proc.

        With one worker uvicorn serves from this very process. CPU per request moves much less
        than req/s when other work competes for the cores, so it is the steadier comparison.
        """
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    # The port could in principle be taken between close() and uvicorn's bind; on a quiet
    # loopback that race is rare enough for a hand-run benchmark.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_uvicorn(
    name: str, app: str, *, env: dict[str, str], log_dir: Path, app_dir: Path | None = None
) -> ServerProcess:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory",
        "--host", HOST, "--port", str(port),
        "--workers", "1", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    if app_dir is not None:
        command += ["--app-dir", str(app_dir)]
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C reaches only the bench, which then stops children in
            # order instead of racing their shutdown against PostgreSQL's.
            start_new_session=True,
        )
    return ServerProcess(name=name, port=port, process=process, log_path=log_path)


async def wait_ready(server: ServerProcess, path: str, *, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
            try:
                response = await client.get(path)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} not ready after {timeout_s:.0f} s:\n{server.log_tail()}")


def stop(server: ServerProcess, *, timeout_s: float = 10.0) -> None:
    if server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
