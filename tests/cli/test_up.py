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

DIRECTORY = "http://127.0.0.1:8001"


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_until_ready(process: subprocess.Popen[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"pdnet up exited early:\n{process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(f"{DIRECTORY}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("the directory did not become ready in time")


@pytest.mark.slow
def test_up_serves_the_demo_directory_and_ctrl_c_stops_everything(
    tmp_path: Path, pdnet_root: Path
) -> None:
    if not _port_is_free(8001):
        pytest.skip("port 8001 is in use (is a `pdnet up` running?)")
    env = {**os.environ, "PDNET_STATE_DIR": str(tmp_path / "state")}
    process = subprocess.Popen(
        [sys.executable, "-m", "pdnet_cli", "up"],
        cwd=pdnet_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_ready(process, timeout_s=120)
        near = httpx.get(
            f"{DIRECTORY}/v1/centres", params={"near": "60.17,24.94", "radius_km": 100}
        )
        localities = [c["address"]["locality"] for c in near.json()["items"]]
        assert localities[0] == "Helsinki"
        assert set(localities) <= {"Helsinki", "Espoo", "Vantaa"}
        french = httpx.get(f"{DIRECTORY}/v1/centres", params={"q": "enseignant", "country": "FR"})
        assert len(french.json()["items"]) >= 5
        assert httpx.get(f"{DIRECTORY}/docs").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "http://127.0.0.1:8001/docs" in output
    assert _port_is_free(8001)
