"""The resources subgraph composes with the directory's (and the events') under Apollo's own
composition library: `Centre.kits` extends the directory's Centre."""

from __future__ import annotations

import re
from pathlib import Path

from shared.node_peers import SubgraphSdl, compose_supergraph
from shared.testing import OpenService, ServiceHarness


async def subgraph_sdl(svc: ServiceHarness) -> str:
    async with svc.client() as client:
        response = await client.post("/graphql", json={"query": "{ _service { sdl } }"})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["_service"]["sdl"])


def type_block(sdl: str, name: str) -> str:
    found = re.search(rf"^type {name}\b[^{{]*\{{(.*?)^\}}", sdl, re.MULTILINE | re.DOTALL)
    assert found, f"no type {name} in the supergraph"
    return found.group(0)


async def test_resources_directory_and_events_compose_into_one_supergraph_with_centre_kits(
    resources: ServiceHarness,
    directory: ServiceHarness,
    open_service: OpenService,
    pdnet_root: Path,
) -> None:
    async with open_service("events", peers={"directory": directory.app}) as events:
        events_sdl = await subgraph_sdl(events)
    result = compose_supergraph(
        [
            SubgraphSdl(
                "directory", "http://localhost:8001/graphql", await subgraph_sdl(directory)
            ),
            SubgraphSdl("events", "http://localhost:8002/graphql", events_sdl),
            SubgraphSdl(
                "resources", "http://localhost:8004/graphql", await subgraph_sdl(resources)
            ),
        ],
        pdnet_root / "tests" / "peers",
    )
    assert result.errors == []
    supergraph = result.supergraph_sdl
    assert supergraph is not None
    centre = type_block(supergraph, "Centre")
    assert 'join__type(graph: DIRECTORY, key: "id")' in centre
    assert 'join__type(graph: RESOURCES, key: "id")' in centre
    assert re.search(
        r"kits\(first: Int! = 10, after: String[^)]*\): KitConnection "
        r"@join__field\(graph: RESOURCES\)",
        centre,
    )
    kit = type_block(supergraph, "Kit")
    assert 'join__type(graph: RESOURCES, key: "id")' in kit
    assert "ownerCentre: Centre!" in kit
    query = type_block(supergraph, "Query")
    assert re.search(r"\bkits\(filter: KitFilter", query)
    assert re.search(r"\bkit\(id: ID!\): Kit", query)
