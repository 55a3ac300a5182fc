"""The directory's subgraph SDL composes with Apollo's own composition library."""

from __future__ import annotations

from pathlib import Path

from shared.node_peers import SubgraphSdl, compose_supergraph
from shared.testing import ServiceHarness

EVENTS_LIKE_SUBGRAPH = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Centre @key(fields: "id") { id: ID! upcomingCount: Int! }
type Query { ping: Boolean }
"""


async def test_directory_sdl_composes_with_apollo_composition(
    directory: ServiceHarness, pdnet_root: Path
) -> None:
    async with directory.client() as client:
        response = await client.post("/graphql", json={"query": "{ _service { sdl } }"})
    sdl = response.json()["data"]["_service"]["sdl"]
    result = compose_supergraph(
        [
            SubgraphSdl(name="directory", url="http://localhost:8001/graphql", sdl=sdl),
            SubgraphSdl(
                name="other", url="http://localhost:9999/graphql", sdl=EVENTS_LIKE_SUBGRAPH
            ),
        ],
        pdnet_root / "tests" / "peers",
    )
    assert result.errors == []
    assert result.supergraph_sdl is not None
    assert "join__type(graph: DIRECTORY" in result.supergraph_sdl
    assert "upcomingCount" in result.supergraph_sdl
