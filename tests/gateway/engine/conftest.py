"""Fixtures: pdnet's real subgraphs in this process on the test database, composed into a
supergraph with Apollo's composition, and our engine over them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from gateway.execution import Engine, FetchObserver, HttpSubgraphTransport
from gateway.supergraph import Supergraph
from shared.node_peers import SubgraphSdl, compose_supergraph
from shared.testing import OpenService, ServiceHarness
from tests.gateway.engine import feature_subgraphs

# Composition runs in Node and takes seconds: once per run for the same subgraph SDLs.
_ENGINES: dict[tuple[str, ...], Engine] = {}
UNREACHABLE = "http://127.0.0.1:9/graphql"


async def service_sdl(harness: ServiceHarness) -> str:
    async with harness.client() as client:
        response = await client.post("/graphql", json={"query": "{ _service { sdl } }"})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["_service"]["sdl"])


def engine_for(subgraphs: list[SubgraphSdl], peers_dir: Path) -> Engine:
    cache_key = tuple(f"{s.name}\n{s.url}\n{s.sdl}" for s in subgraphs)
    engine = _ENGINES.get(cache_key)
    if engine is None:
        result = compose_supergraph(subgraphs, peers_dir)
        assert result.supergraph_sdl is not None, result.errors
        engine = _ENGINES[cache_key] = Engine(Supergraph.from_sdl(result.supergraph_sdl))
    return engine


@dataclass
class Subgraphs:
    """Subgraph apps by name, reached over httpx's ASGI transport, and the engine over them."""

    harnesses: dict[str, ServiceHarness]
    engine: Engine
    fetches: list[tuple[str, bool]] = field(default_factory=list)
    _transports: list[HttpSubgraphTransport] = field(default_factory=list)

    @property
    def supergraph(self) -> Supergraph:
        return self.engine.supergraph

    def transport(
        self, *, unreachable: Iterable[str] = (), on_fetch: FetchObserver | None = None
    ) -> HttpSubgraphTransport:
        """A transport to the apps; the subgraphs named in `unreachable` are a closed port."""
        down = set(unreachable)
        urls = {
            name: UNREACHABLE if name in down else url
            for name, url in self.supergraph.subgraph_urls.items()
        }
        clients: dict[str, httpx.AsyncClient] = {
            name: harness.client() for name, harness in self.harnesses.items() if name not in down
        }

        def observe(subgraph: str, seconds: float, ok: bool) -> None:
            self.fetches.append((subgraph, ok))
            if on_fetch is not None:
                on_fetch(subgraph, seconds, ok)

        transport = HttpSubgraphTransport(urls, timeout=5.0, clients=clients, on_fetch=observe)
        self._transports.append(transport)
        return transport

    def fetched(self, subgraph: str) -> int:
        return sum(1 for name, _ in self.fetches if name == subgraph)


@pytest.fixture
async def pdnet(open_service: OpenService, pdnet_root: Path) -> AsyncIterator[Subgraphs]:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
        open_service(
            "resources", peers={"directory": directory.app, "events": events.app}
        ) as resources,
    ):
        harnesses = {"directory": directory, "events": events, "resources": resources}
        sdls = [
            SubgraphSdl(name, f"http://{name}.test/graphql", await service_sdl(harness))
            for name, harness in harnesses.items()
        ]
        subgraphs = Subgraphs(harnesses, engine_for(sdls, pdnet_root / "tests" / "peers"))
        try:
            yield subgraphs
        finally:
            for transport in subgraphs._transports:
                await transport.aclose()


def feature_subgraph_sdls() -> list[SubgraphSdl]:
    return [
        SubgraphSdl(name, f"http://{name}.test/graphql", feature_subgraphs.sdl(name))
        for name in feature_subgraphs.SCHEMAS
    ]


@pytest.fixture(scope="session")
def feature_engine(pdnet_root: Path) -> Engine:
    return engine_for(feature_subgraph_sdls(), pdnet_root / "tests" / "peers")


@dataclass
class FeatureSubgraphs:
    """The feature subgraphs in this process and the engine over them."""

    engine: Engine
    fetches: list[tuple[str, bool]] = field(default_factory=list)
    _transports: list[HttpSubgraphTransport] = field(default_factory=list)
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def transport(self, *, unreachable: Iterable[str] = ()) -> HttpSubgraphTransport:
        down = set(unreachable)
        urls = {
            name: UNREACHABLE if name in down else url
            for name, url in self.engine.supergraph.subgraph_urls.items()
        }
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test"
            )
            for name, app in feature_subgraphs.apps().items()
            if name not in down
        }

        def observe(subgraph: str, seconds: float, ok: bool) -> None:
            self.fetches.append((subgraph, ok))

        transport = HttpSubgraphTransport(urls, timeout=5.0, clients=clients, on_fetch=observe)
        self._transports.append(transport)
        self._clients.extend(clients.values())
        return transport


@pytest.fixture
async def features(feature_engine: Engine) -> AsyncIterator[FeatureSubgraphs]:
    subgraphs = FeatureSubgraphs(feature_engine)
    try:
        yield subgraphs
    finally:
        for transport in subgraphs._transports:
            await transport.aclose()
        for client in subgraphs._clients:
            await client.aclose()
