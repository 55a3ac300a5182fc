"""`pdnet up` refuses to start when a port it needs is taken, before starting anything."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from pdnet_cli.main import main
from pdnet_cli.ports import port_is_taken, taken_ports


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port some other program is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_port_another_program_listens_on_is_reported_taken(held_port: int) -> None:
    assert port_is_taken("127.0.0.1", held_port)


def test_a_port_bound_without_listening_is_reported_taken() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]

        assert taken_ports("127.0.0.1", [port]) == [port]


def test_a_free_port_is_not_reported_taken() -> None:
    port = free_port()

    assert taken_ports("127.0.0.1", [port]) == []


def test_up_refuses_naming_the_port_and_starts_nothing(
    held_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "services.toml").write_text(
        f'[services.directory]\nport = {held_port}\npath = "services/directory"\n'
        'app = "directory.main:create_app"\n'
    )
    monkeypatch.setenv("PDNET_ROOT", str(tmp_path))

    code = main(["up"])

    assert code == 1
    err = capsys.readouterr().err
    assert f"port {held_port}" in err
    assert "(directory) is already in use" in err
    assert not (tmp_path / ".pdnet").exists(), "nothing (PostgreSQL, issuer keys) was started"
