"""The exchange subgraph composes with the directory's under Apollo's own composition
library: `Centre.exchangeOffers` and `Educator.exchanges` extend the directory's entities."""

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


async def test_exchange_directory_and_events_compose_into_one_supergraph(
    exchange: ServiceHarness,
    directory: ServiceHarness,
    events: ServiceHarness,
    pdnet_root: Path,
) -> None:
    result = compose_supergraph(
        [
            SubgraphSdl(
                "directory", "http://localhost:8001/graphql", await subgraph_sdl(directory)
            ),
            SubgraphSdl("events", "http://localhost:8002/graphql", await subgraph_sdl(events)),
            SubgraphSdl("exchange", "http://localhost:8003/graphql", await subgraph_sdl(exchange)),
        ],
        pdnet_root / "tests" / "peers",
    )
    assert result.errors == []
    supergraph = result.supergraph_sdl
    assert supergraph is not None
    centre = type_block(supergraph, "Centre")
    assert 'join__type(graph: EXCHANGE, key: "id")' in centre
    assert re.search(
        r"exchangeOffers\(first: Int! = 10, after: String[^)]*\): ExchangeOfferConnection "
        r"@join__field\(graph: EXCHANGE\)",
        centre,
    )
    educator = type_block(supergraph, "Educator")
    assert 'join__type(graph: DIRECTORY, key: "id")' in educator
    assert re.search(r"exchanges\(first: Int! = 10\): \[ExchangeApplication!\] ", educator)
    offer = type_block(supergraph, "ExchangeOffer")
    assert 'join__type(graph: EXCHANGE, key: "id")' in offer
    assert "hostCentre: Centre!" in offer
    query = type_block(supergraph, "Query")
    assert re.search(r"\bexchangeOffers\(filter: ExchangeOfferFilter", query)
    mutation = type_block(supergraph, "Mutation")
    assert "acceptExchangeApplication(" in mutation
