"""`pdnet token`: what it prints is a bearer token the services accept, and bad input is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pdnet_cli.main import main
from pdnet_cli.tokens import ROLE_NAMES
from shared.auth import Principal, Role, TokenVerifier
from shared.settings import BaseServiceSettings


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root of its own, so the test's issuer keys never touch the real .pdnet/."""
    monkeypatch.setenv("PDNET_ROOT", str(tmp_path))
    return tmp_path


def verify(token: str, root: Path) -> Principal:
    """Validate the token the way a service started by `pdnet up` does."""
    settings = BaseServiceSettings(
        database_url="postgresql+asyncpg://unused@/unused",
        jwks_file=root / ".pdnet" / "dev-issuer" / "jwks.json",
        environment="test",
    )
    return TokenVerifier(settings).verify(token)


def test_last_line_printed_is_a_token_the_services_accept_with_the_asked_role(
    workspace: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pdnet_cli", "token", "--role", "teacher"],
        env={**os.environ, "PDNET_ROOT": str(workspace)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 2, "an explanation line, then the token"

    principal = verify(lines[-1], workspace)

    assert principal.roles == {Role.TEACHER}
    uuid.UUID(principal.subject)


def test_token_carries_the_given_subject_centres_networks_and_scope(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sub, centre, network = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    code = main(
        [
            "token",
            "--role", "centre_manager",
            "--role", "network_admin",
            "--sub", str(sub),
            "--centre", str(centre),
            "--network", str(network),
            "--scope", "directory:read",
        ]
    )  # fmt: skip

    assert code == 0
    principal = verify(capsys.readouterr().out.strip().splitlines()[-1], workspace)
    assert principal.subject == str(sub)
    assert principal.roles == {Role.CENTRE_MANAGER, Role.NETWORK_ADMIN}
    assert principal.centre_ids == {centre}
    assert principal.network_ids == {network}
    assert principal.scopes == {"directory:read"}


def test_tokens_stay_valid_across_runs_because_the_issuer_keys_are_kept(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["token", "--role", "educator"])
    first = capsys.readouterr().out.strip().splitlines()[-1]
    main(["token", "--role", "teacher"])

    assert verify(first, workspace).roles == {Role.EDUCATOR}


def test_an_unknown_role_is_refused_with_the_list_of_roles(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["token", "--role", "admin"])

    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert "unknown role 'admin'" in err
    assert "platform_admin" in err


@pytest.mark.parametrize("option", ["--centre", "--network", "--sub"])
def test_an_id_that_is_not_a_uuid_is_refused(
    option: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["token", "--role", "platform_admin", option, "centre-42"])

    assert exit_.value.code != 0
    assert "'centre-42' is not a UUID" in capsys.readouterr().err


def test_a_token_without_role_or_scope_is_refused(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["token"])

    assert exit_.value.code != 0
    assert "--role" in capsys.readouterr().err


def test_the_command_offers_exactly_the_roles_the_services_know() -> None:
    assert set(ROLE_NAMES) == {role.value for role in Role}
