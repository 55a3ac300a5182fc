"""The image (Dockerfile and its entry point) and the compose file for one machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.embedded_postgres import EmbeddedPostgres
from shared.service_app import expected_heads
from shared.stack import find_repo_root, load_stack

ROOT = find_repo_root(Path(__file__))
DEPLOY = ROOT / "deploy"
SERVICES = {spec.name: spec for spec in load_stack(ROOT)}
PROCESSES = {**{name: spec.port for name, spec in SERVICES.items()}, "gateway": 8000}


def entrypoint(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEPLOY / "entrypoint.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--failure-threshold", "info", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_from_the_locked_dependencies() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    # Dependencies come from uv.lock alone, in a layer of their own before the code is copied.
    first_sync = next(i for i, line in enumerate(lines) if "uv sync" in line)
    first_code_copy = next(i for i, line in enumerate(lines) if line.startswith("COPY shared"))
    assert first_sync < first_code_copy
    assert all("--locked" in line or "--frozen" in line for line in lines if "uv sync" in line)


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_the_image_serves_each_process_on_its_port_with_the_production_options(
    process: str,
) -> None:
    result = entrypoint("serve", process, "--dry-run")
    assert result.returncode == 0, result.stderr
    command = result.stdout.split()
    assert command[command.index("--port") + 1] == str(PROCESSES[process])
    assert command[command.index("--timeout-keep-alive") + 1] == "75"
    assert int(command[command.index("--timeout-graceful-shutdown") + 1]) > 0
    assert "--no-access-log" in command


def test_the_image_names_the_processes_when_asked_for_an_unknown_one() -> None:
    result = entrypoint("serve", "registry")
    assert result.returncode != 0
    assert "directory" in result.stderr and "gateway" in result.stderr


async def test_the_image_migrates_a_service_database_to_head(
    embedded_postgres: EmbeddedPostgres,
) -> None:
    database = f"image_migrate_{os.getpid()}"
    await embedded_postgres.recreate_database(database)
    try:
        url = embedded_postgres.url(database)
        result = entrypoint("migrate", "directory", env={"DIRECTORY_DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            current = {row[0] for row in rows}
        await engine.dispose()
    finally:
        await embedded_postgres.drop_database(database)
    assert current == expected_heads(SERVICES["directory"].path / "migrations")


def test_migrating_without_a_database_url_says_which_variable_to_set() -> None:
    result = entrypoint("migrate", "events", env={"EVENTS_DATABASE_URL": ""})
    assert result.returncode != 0
    assert "EVENTS_DATABASE_URL" in result.stderr


def compose_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def compose_schema() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema: dict[str, Any] = json.loads(vendored.read_text())
    return schema


def test_the_compose_file_follows_the_compose_specification() -> None:
    schema = compose_schema()
    jsonschema.validate(compose_file(), schema)
    broken = compose_file()
    broken["services"]["gateway"]["depends_on"]["events"]["condition"] = "service_up"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_compose_starts_each_process_after_the_migrations_with_a_health_check(
    process: str,
) -> None:
    services = compose_file()["services"]
    entry = services[process]
    assert entry["command"] == ["serve", process]
    assert entry["healthcheck"]["test"][-2:] == ["probe", process]
    if process == "gateway":
        waits_for = dict.fromkeys(SERVICES, "service_healthy")
        conditions = {k: v["condition"] for k, v in entry["depends_on"].items()}
        assert conditions.items() >= waits_for.items()
        return
    assert entry["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    url = entry["environment"][f"{process.upper()}_DATABASE_URL"]
    assert url.startswith(f"postgresql+asyncpg://{process}:") and url.endswith(f"/{process}")
    assert f"{process.upper()}_DATABASE_URL" in services["migrate"]["environment"]
    assert process in services["postgres"]["environment"]["PDNET_DATABASES"].split()
