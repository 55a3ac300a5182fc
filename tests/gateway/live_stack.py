"""Every service of `services.toml` on a loopback port, seeded with its demo data, and Apollo's
gateway in front of them: the live stack the gateway tests compare our gateway against.

Each process runs in its own session and is told by the kernel to stop if this process dies,
so nothing outlives the test run, even one killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade
from shared.node_peers import SubgraphSdl, compose_supergraph, ensure_peers_installed
from shared.node_peers import node_executable as _node_executable
from shared.stack import ServiceSpec, load_object

HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
UVICORN_OPTIONS = [
    "--workers", "1", "--log-level", "warning", "--no-access-log",
    # Longer than any client pool keeps a connection idle: a server closing a keep-alive
    # connection just as a gateway reuses it would fail that request on both gateways alike.
    "--timeout-keep-alive", "300",
    # Open keep-alive connections must not hold a stop up.
    "--timeout-graceful-shutdown", "3",
]  # fmt: skip
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the process that started it dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class LiveProcess:
    """A child process on a fixed port that can be stopped and started again on that port."""

    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    log_path: Path
    ready_path: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                stdin=subprocess.PIPE,  # node peers stop when it closes
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):  # it may exit between poll and kill
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdin is not None:
            process.stdin.close()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def wait_ready(self, probe: Callable[[httpx.AsyncClient], Awaitable[bool]]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
                try:
                    if await probe(client):
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                await asyncio.sleep(0.2)
        raise RuntimeError(
            f"{self.name} not ready after {READY_TIMEOUT_S:.0f} s:\n{self.log_tail()}"
        )


async def answers_readyz(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def answers_graphql(client: httpx.AsyncClient) -> bool:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    return response.status_code == 200


@dataclass
class LiveStack:
    """The services, their supergraph and Apollo's gateway; `tokens` mints bearer tokens."""

    services: dict[str, LiveProcess]
    supergraph_sdl: str
    supergraph_path: Path
    apollo: LiveProcess
    issuer: DevIssuer
    workdir: Path
    extra: list[LiveProcess] = field(default_factory=list)

    @property
    def subgraph_urls(self) -> dict[str, str]:
        return {name: f"{p.base_url}/graphql" for name, p in self.services.items()}

    def token(
        self,
        *roles: str,
        sub: str | None = None,
        centres: tuple[str, ...] = (),
        networks: tuple[str, ...] = (),
    ) -> str:
        return self.issuer.mint(subject=sub, roles=roles, centres=centres, networks=networks)

    async def restart_service(self, name: str) -> None:
        """Starts a stopped service again on its port and waits until it is ready."""
        service = self.services[name]
        service.start()
        await service.wait_ready(answers_readyz)

    def stop_all(self) -> None:
        for process in [*self.extra, self.apollo, *self.services.values()]:
            process.stop()


def database_name(service: str) -> str:
    # Its own databases, apart from `open_service`'s, which other tests empty as they go.
    return f"gateway_{service}_{os.getpid()}"


async def prepare_database(postgres: EmbeddedPostgres, spec: ServiceSpec) -> str:
    """A fresh database at the service's migrations' head with its demo data committed."""
    name = database_name(spec.name)
    await postgres.recreate_database(name)
    url = postgres.url(name)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await upgrade(conn, spec.path)
        if spec.seed:
            seed = load_object(spec.seed)
            async with AsyncSession(engine, expire_on_commit=False) as session:
                await seed(session, scale=None)
                await session.commit()
    finally:
        await engine.dispose()
    return url


def service_process(
    spec: ServiceSpec, *, url: str, ports: Mapping[str, int], issuer: DevIssuer, workdir: Path
) -> LiveProcess:
    prefix = spec.env_prefix
    env = {
        f"{prefix}DATABASE_URL": url,
        f"{prefix}JWKS_FILE": str(issuer.jwks_path),
        f"{prefix}ENVIRONMENT": "test",
        f"{prefix}LOG_FORMAT": "console",
        f"{prefix}LOG_LEVEL": "WARNING",
        # Background loops would change registrations while the gateways are compared.
        f"{prefix}RUN_WORKER": "false",
    }
    # Every peer a service might call (`<SERVICE>_<PEER>_URL`); settings ignore unknown ones.
    for peer, port in ports.items():
        if peer != spec.name:
            env[f"{prefix}{peer.upper()}_URL"] = f"http://{HOST}:{port}"
    command = [
        sys.executable, "-m", "uvicorn", spec.app, "--factory",
        "--host", HOST, "--port", str(ports[spec.name]), *UVICORN_OPTIONS,
    ]  # fmt: skip
    return LiveProcess(
        name=spec.name,
        port=ports[spec.name],
        command=command,
        env=env,
        log_path=workdir / f"{spec.name}.log",
        ready_path="/readyz",
    )


async def subgraph_sdl(client: httpx.AsyncClient, url: str) -> str:
    response = await client.post(url, json={"query": "{ _service { sdl } }"})
    response.raise_for_status()
    return str(response.json()["data"]["_service"]["sdl"])


def apollo_process(peers_dir: Path, supergraph_path: Path, workdir: Path) -> LiveProcess:
    port = free_port()
    command = [
        str(_node_executable()),
        str(peers_dir / "apollo-gateway.mjs"),
        "--supergraph", str(supergraph_path),
        "--port", str(port), "--host", HOST,
    ]  # fmt: skip
    return LiveProcess(
        name="apollo-gateway",
        port=port,
        command=command,
        env={"NODE_ENV": "production"},
        log_path=workdir / "apollo-gateway.log",
        ready_path="/graphql",
    )


async def start_live_stack(
    postgres: EmbeddedPostgres,
    specs: list[ServiceSpec],
    issuer: DevIssuer,
    peers_dir: Path,
    workdir: Path,
) -> LiveStack:
    """Starts everything; on any failure what was started is stopped before raising."""
    ports = {spec.name: free_port() for spec in specs}
    services: dict[str, LiveProcess] = {}
    started: list[LiveProcess] = []

    # Alembic keeps its state in module globals, so migrations run one at a time.
    migrating = asyncio.Lock()

    async def bring_up(spec: ServiceSpec) -> None:
        # Each service starts as soon as its own database is ready, while the next migrates.
        async with migrating:
            url = await prepare_database(postgres, spec)
        process = service_process(spec, url=url, ports=ports, issuer=issuer, workdir=workdir)
        services[spec.name] = process
        process.start()
        started.append(process)
        await process.wait_ready(answers_readyz)

    try:
        async with asyncio.TaskGroup() as group:
            for spec in specs:
                group.create_task(bring_up(spec))
        ensure_peers_installed(peers_dir)
        services = {spec.name: services[spec.name] for spec in specs}
        async with httpx.AsyncClient(timeout=30.0) as client:
            sdls = [
                SubgraphSdl(name, url, await subgraph_sdl(client, url))
                for name, url in ((n, f"{p.base_url}/graphql") for n, p in services.items())
            ]
        composed = compose_supergraph(sdls, peers_dir)
        if composed.supergraph_sdl is None:
            raise RuntimeError("the subgraphs do not compose:\n" + "\n".join(composed.errors))
        supergraph_path = workdir / "supergraph.graphql"
        supergraph_path.write_text(composed.supergraph_sdl)
        # Kept beside the processes' logs, for reading when a comparison fails.
        (workdir / "subgraphs.json").write_text(
            json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sdls], indent=2)
        )
        apollo = apollo_process(peers_dir, supergraph_path, workdir)
        apollo.start()
        started.append(apollo)
        await apollo.wait_ready(answers_graphql)
    except BaseException:
        for process in started:
            process.stop()
        raise
    return LiveStack(
        services=services,
        supergraph_sdl=composed.supergraph_sdl,
        supergraph_path=supergraph_path,
        apollo=apollo,
        issuer=issuer,
        workdir=workdir,
    )
