"""`pdnet up` as a newcomer runs it: the demo directory is served, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.stack import load_stack

DIRECTORY = "http://127.0.0.1:8001"
GATEWAY = "http://127.0.0.1:8000"


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_for_line(log: Path, line: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if line in log.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"`pdnet up` never printed {line!r}:\n{log.read_text()}")


def _wait_until_ready(process: subprocess.Popen[str], ports: list[int], timeout_s: float) -> None:
    """Until every service of the stack answers /readyz, as `pdnet up` itself waits."""
    deadline = time.monotonic() + timeout_s
    waiting = list(ports)
    while waiting and time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("`pdnet up` exited early")
        try:
            if httpx.get(f"http://127.0.0.1:{waiting[0]}/readyz", timeout=1).status_code == 200:
                waiting.pop(0)
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    if waiting:
        raise AssertionError(f"services on ports {waiting} did not become ready in time")


@pytest.mark.slow
def test_up_serves_the_demo_directory_and_ctrl_c_stops_everything(
    tmp_path: Path, pdnet_root: Path
) -> None:
    ports = [spec.port for spec in load_stack(pdnet_root)] + [8000]
    if not all(_port_is_free(port) for port in ports):
        pytest.skip(f"a port of {ports} is in use (is a `pdnet up` running?)")
    env = {**os.environ, "PDNET_STATE_DIR": str(tmp_path / "state")}
    log = tmp_path / "up.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "pdnet_cli", "up"],
        cwd=pdnet_root,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_ready(process, ports, timeout_s=180)
        _wait_for_line(log, "pdnet is up:", timeout_s=30)
        near = httpx.get(
            f"{DIRECTORY}/v1/centres", params={"near": "60.17,24.94", "radius_km": 100}
        )
        localities = [c["address"]["locality"] for c in near.json()["items"]]
        assert localities[0] == "Helsinki"
        assert set(localities) <= {"Helsinki", "Espoo", "Vantaa"}
        french = httpx.get(f"{DIRECTORY}/v1/centres", params={"q": "enseignant", "country": "FR"})
        assert len(french.json()["items"]) >= 5
        assert httpx.get(f"{DIRECTORY}/docs").status_code == 200
        # The gateway routes REST to the directory and joins GraphQL across subgraphs.
        routed = httpx.get(
            f"{GATEWAY}/v1/centres", params={"near": "60.17,24.94", "radius_km": 100}
        )
        assert routed.json()["items"] == near.json()["items"]
        kits = '{ centres(filter: {country: "FI"}) { nodes { kits { nodes { name } } } } }'
        joined = httpx.post(f"{GATEWAY}/graphql", json={"query": kits}).json()
        assert any(centre["kits"]["nodes"] for centre in joined["data"]["centres"]["nodes"])
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        log_file.close()
    output = log.read_text()
    assert process.returncode == 0, output
    assert "http://127.0.0.1:8001/docs" in output
    assert f"{GATEWAY}/graphql" in output
    assert all(_port_is_free(port) for port in ports)
