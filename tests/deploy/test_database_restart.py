"""A service under write load survives a PostgreSQL restart, and finishes requests on SIGTERM.

The service runs as `pdnet up` runs it (uvicorn, loopback only) against its own embedded
PostgreSQL in a temporary folder, so stopping that server never disturbs the shared test server
other tests use at the same time. Every phase has a deadline; the test stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from pdnet_cli.service_processes import ProcessPlan, ServiceProcess
from shared.dev_issuer import DevIssuer
from shared.migrations import upgrade
from shared.problems import PROBLEM_JSON
from shared.stack import ServiceSpec, find_repo_root, load_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

LOOPBACK = "127.0.0.1"
WRITERS = 6
WARM_UP_S = 1.5
DOWN_S = 3.0
AFTER_RECOVERY_S = 1.5
READY_AGAIN_WITHIN_S = 30.0
SLOWEST_ANSWER_S = 8.0
"""No answer may take longer than this: connect and pool waits are bounded well below it."""


class OwnPostgres:
    """An embedded PostgreSQL only this module uses, stopped and started at will."""

    def __init__(self, data_dir: Path) -> None:
        import pgserver

        self.server: Any = pgserver.get_server(data_dir, cleanup_mode="delete")
        self.data_dir = data_dir
        self.socket_dir = _socket_dir(self.server.get_uri())

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        """A fast shutdown, as a failover or an operator's restart does: sessions are cut."""
        from pgserver import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()
        assert _socket_dir(self.server.get_uri()) == self.socket_dir

    async def connect(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(user="postgres", host=self.socket_dir, database=database)


def _socket_dir(uri: str) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(uri).query)["host"][0]


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    # Not under pytest's temporary root: each pytest run resets that to owner-only, and the
    # server runs as its own system user when the tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="pdnet-restart-pg-"))
    folder.chmod(0o755)
    postgres = OwnPostgres(folder / "data")
    try:
        yield postgres
    finally:
        with contextlib.suppress(Exception):
            postgres.start()  # a failed test may have left it stopped; cleanup needs it running
        postgres.server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def directory_spec() -> ServiceSpec:
    return next(
        spec for spec in load_stack(find_repo_root(Path(__file__))) if spec.name == "directory"
    )


@pytest.fixture(scope="module")
async def directory_database(own_postgres: OwnPostgres, directory_spec: ServiceSpec) -> str:
    admin = await own_postgres.connect()
    try:
        await admin.execute('CREATE DATABASE "directory"')
    finally:
        await admin.close()
    url = own_postgres.url("directory")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await upgrade(conn, directory_spec.path)
    await engine.dispose()
    return url


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    issuer = DevIssuer(tmp_path_factory.mktemp("restart-issuer"))
    issuer.ensure_keys()
    return issuer


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def directory_plan(
    spec: ServiceSpec, database_url: str, issuer: DevIssuer, *, environment: str = "test"
) -> ProcessPlan:
    prefix = spec.env_prefix
    return ProcessPlan(
        name="directory",
        app=spec.app,
        port=_free_loopback_port(),
        env={
            f"{prefix}DATABASE_URL": database_url,
            f"{prefix}JWKS_FILE": str(issuer.jwks_path),
            f"{prefix}ENVIRONMENT": environment,
            f"{prefix}LOG_LEVEL": "WARNING",
            f"{prefix}DB_CONNECT_TIMEOUT_S": "2",
            f"{prefix}DB_POOL_TIMEOUT_S": "3",
        },
    )


@pytest.fixture(scope="module")
async def running_directory(
    directory_spec: ServiceSpec, directory_database: str, issuer: DevIssuer
) -> AsyncIterator[ServiceProcess]:
    plan = directory_plan(directory_spec, directory_database, issuer)
    child = await ServiceProcess.start(plan, host=LOOPBACK, cwd=find_repo_root(Path(__file__)))
    try:
        await child.wait_ready(timeout_s=60)
        yield child
    finally:
        await child.stop(grace_s=10, force=asyncio.Event())


@dataclass(frozen=True)
class Outcome:
    started: float
    seconds: float
    status: int | None
    content_type: str = ""
    retry_after: str | None = None
    network_id: str | None = None
    error: str | None = None


async def _write_until(
    client: httpx.AsyncClient, token: str, stop: asyncio.Event, outcomes: list[Outcome]
) -> None:
    while not stop.is_set():
        started = time.monotonic()
        body = {"name": {"en": f"Restart network {uuid.uuid4().hex[:12]}"}, "kind": "thematic"}
        try:
            response = await client.post(
                "/v1/networks", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            outcomes.append(
                Outcome(started, time.monotonic() - started, None, error=type(exc).__name__)
            )
            continue
        is_success = response.is_success
        outcomes.append(
            Outcome(
                started,
                time.monotonic() - started,
                response.status_code,
                response.headers.get("content-type", ""),
                response.headers.get("retry-after"),
                response.json()["id"] if is_success else None,
            )
        )
        if not is_success:
            await asyncio.sleep(0.05)  # a client honouring Retry-After would wait; don't spin


async def _poll_readiness(
    client: httpx.AsyncClient, *, want: int, within_s: float
) -> tuple[float, list[float]]:
    """Seconds until /readyz answers `want`, and how long each answer took."""
    started = time.monotonic()
    durations: list[float] = []
    while time.monotonic() - started < within_s:
        asked = time.monotonic()
        response = await client.get("/readyz")
        durations.append(time.monotonic() - asked)
        if response.status_code == want:
            if want == 503:
                assert response.headers["content-type"] == PROBLEM_JSON
                assert response.headers["retry-after"]
            return time.monotonic() - started, durations
        await asyncio.sleep(0.2)
    raise AssertionError(f"/readyz did not answer {want} within {within_s} s")


GRAPHQL_READ = "{ centres(first: 1) { nodes { id } } }"


async def test_a_postgres_restart_under_write_load_loses_no_acknowledged_write(
    running_directory: ServiceProcess, own_postgres: OwnPostgres, issuer: DevIssuer
) -> None:
    token = issuer.mint(roles=["platform_admin"])
    outcomes: list[Outcome] = []
    stop = asyncio.Event()
    timeout = httpx.Timeout(SLOWEST_ANSWER_S * 2)
    async with (
        httpx.AsyncClient(base_url=running_directory.base_url, timeout=timeout) as client,
        httpx.AsyncClient(base_url=running_directory.base_url, timeout=timeout) as probe,
    ):
        writers = [
            asyncio.create_task(_write_until(client, token, stop, outcomes)) for _ in range(WRITERS)
        ]
        try:
            await asyncio.sleep(WARM_UP_S)
            await asyncio.to_thread(own_postgres.stop)
            down_at = time.monotonic()
            noticed_s, down_answers = await _poll_readiness(probe, want=503, within_s=DOWN_S)
            graphql_down = await probe.post("/graphql", json={"query": GRAPHQL_READ})
            await asyncio.sleep(max(0.0, DOWN_S - (time.monotonic() - down_at)))
            await asyncio.to_thread(own_postgres.start)
            up_at = time.monotonic()
            recovered_s, _ = await _poll_readiness(probe, want=200, within_s=READY_AGAIN_WITHIN_S)
            await asyncio.sleep(AFTER_RECOVERY_S)
        finally:
            stop.set()
            await asyncio.gather(*writers)

    assert noticed_s < 2.0 and max(down_answers) < 2.0, "not-ready must be told at once"
    # GraphQL says the same as REST's 503 problem: unavailable, and when to retry.
    [error] = graphql_down.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 5}, error
    assert error["path"] == ["centres"]
    assert recovered_s < READY_AGAIN_WITHIN_S
    assert [o for o in outcomes if o.error] == [], "every request got an answer"
    assert max(o.seconds for o in outcomes) < SLOWEST_ANSWER_S, "no request hung"

    failed = [o for o in outcomes if o.status is not None and not 200 <= o.status < 300]
    assert failed, "the restart was not noticed; the test proved nothing"
    for outcome in failed:
        assert outcome.status == 503, outcome
        assert outcome.content_type == PROBLEM_JSON, outcome
        assert outcome.retry_after is not None and int(outcome.retry_after) > 0, outcome

    acknowledged = {o.network_id for o in outcomes if o.network_id}
    before = [o for o in outcomes if o.network_id and o.started < down_at]
    after = [o for o in outcomes if o.network_id and o.started > up_at + recovered_s]
    assert before and after, "writes succeed before the restart and again after it"

    check = await own_postgres.connect("directory")
    try:
        stored = {str(row["id"]) for row in await check.fetch("SELECT id FROM networks")}
    finally:
        await check.close()
    assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged writes were lost"


async def _wait_alive(client: httpx.AsyncClient, child: ServiceProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.process.returncode is None, child.last_lines()
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise AssertionError(f"never alive:\n{child.last_lines()}")


async def test_a_service_started_while_postgres_is_down_becomes_ready_by_itself(
    directory_spec: ServiceSpec,
    directory_database: str,
    issuer: DevIssuer,
    own_postgres: OwnPostgres,
) -> None:
    # Development runs the background loops too: none of them may stop the process.
    plan = directory_plan(directory_spec, directory_database, issuer, environment="development")
    token = issuer.mint(roles=["platform_admin"])
    body = {"name": {"en": "Written after the outage"}, "kind": "thematic"}
    await asyncio.to_thread(own_postgres.stop)
    child = await ServiceProcess.start(plan, host=LOOPBACK, cwd=find_repo_root(Path(__file__)))
    try:
        async with httpx.AsyncClient(base_url=child.base_url, timeout=SLOWEST_ANSWER_S) as client:
            try:
                await _wait_alive(client, child)
                await _poll_readiness(client, want=503, within_s=5)
                refused = await client.post(
                    "/v1/networks", json=body, headers={"Authorization": f"Bearer {token}"}
                )
            finally:
                await asyncio.to_thread(own_postgres.start)
            recovered_s, _ = await _poll_readiness(client, want=200, within_s=READY_AGAIN_WITHIN_S)
            written = await client.post(
                "/v1/networks", json=body, headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        await child.stop(grace_s=10, force=asyncio.Event())
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert int(refused.headers["retry-after"]) > 0
    assert recovered_s < READY_AGAIN_WITHIN_S
    assert written.status_code == 201, written.text


# Last in this module: it stops the process the module shares.
async def test_sigterm_lets_the_request_in_flight_finish(
    running_directory: ServiceProcess, own_postgres: OwnPostgres, issuer: DevIssuer
) -> None:
    token = issuer.mint(roles=["platform_admin"])
    blocker = await own_postgres.connect("directory")
    async with httpx.AsyncClient(base_url=running_directory.base_url, timeout=20) as client:
        # Hold the table so the write is still in flight when the stop signal arrives.
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute("LOCK TABLE networks IN ACCESS EXCLUSIVE MODE")
        write = asyncio.create_task(
            client.post(
                "/v1/networks",
                json={"name": {"en": "Signed off gracefully"}, "kind": "regional"},
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        await _wait_for_lock_waiter(own_postgres)
        os.killpg(running_directory.process.pid, signal.SIGTERM)
        await asyncio.sleep(1.0)
        assert not write.done(), "the write should still be waiting on the lock"
        await transaction.commit()
        response = await asyncio.wait_for(write, timeout=15)
    exit_code = await asyncio.wait_for(running_directory.process.wait(), timeout=15)
    try:
        stored = await blocker.fetchval(
            "SELECT count(*) FROM networks WHERE id = $1", uuid.UUID(response.json()["id"])
        )
    finally:
        await blocker.close()
    assert response.status_code == 201, response.text
    assert stored == 1
    # uvicorn ends a graceful stop by re-raising the signal it handled.
    assert exit_code in (0, -signal.SIGTERM), running_directory.last_lines()
    assert "Finished server process" in running_directory.last_lines()


async def _wait_for_lock_waiter(postgres: OwnPostgres) -> None:
    # Its own connection: inside a transaction PostgreSQL keeps serving one activity snapshot.
    watcher = await postgres.connect("directory")
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = 'directory'"
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
    finally:
        await watcher.close()
    raise AssertionError("the write never reached the database")
