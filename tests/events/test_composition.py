"""The events subgraph composes with the directory's under Apollo's own composition library."""

from __future__ import annotations

import re
from pathlib import Path

from shared.node_peers import SubgraphSdl, compose_supergraph
from shared.testing import ServiceHarness


async def subgraph_sdl(svc: ServiceHarness) -> str:
    async with svc.client() as client:
        response = await client.post("/graphql", json={"query": "{ _service { sdl } }"})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["_service"]["sdl"])


def type_block(sdl: str, name: str) -> str:
    found = re.search(rf"^type {name}\b[^{{]*\{{(.*?)^\}}", sdl, re.MULTILINE | re.DOTALL)
    assert found, f"no type {name} in the supergraph"
    return found.group(0)


async def test_events_and_directory_compose_into_one_supergraph_with_centre_events(
    events: ServiceHarness, directory: ServiceHarness, pdnet_root: Path
) -> None:
    result = compose_supergraph(
        [
            SubgraphSdl(
                name="directory",
                url="http://localhost:8001/graphql",
                sdl=await subgraph_sdl(directory),
            ),
            SubgraphSdl(
                name="events", url="http://localhost:8002/graphql", sdl=await subgraph_sdl(events)
            ),
        ],
        pdnet_root / "tests" / "peers",
    )
    assert result.errors == []
    supergraph = result.supergraph_sdl
    assert supergraph is not None
    centre = type_block(supergraph, "Centre")
    # Centre is an entity of both subgraphs; its events come from the events service.
    assert 'join__type(graph: DIRECTORY, key: "id")' in centre
    assert 'join__type(graph: EVENTS, key: "id")' in centre
    assert re.search(
        r"events\(first: Int! = 10, after: String[^)]*\): EventConnection "
        r"@join__field\(graph: EVENTS\)",
        centre,
    )
    assert re.search(r"\bname\(.*@join__field\(graph: DIRECTORY\)", centre)
    event = type_block(supergraph, "Event")
    assert 'join__type(graph: EVENTS, key: "id")' in event
    assert "hostCentre: Centre!" in event
    query = type_block(supergraph, "Query")
    assert re.search(r"\bevents\(filter: EventFilter", query)
    assert re.search(r"\bcentres\(", query)
