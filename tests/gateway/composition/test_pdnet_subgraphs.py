"""pdnet's own subgraphs, as every service in services.toml serves them, compose with our
composer into the supergraph Apollo's composition builds, and both gateways load it."""

from __future__ import annotations

from pathlib import Path

from gateway.composition import SubgraphDefinition, compose
from gateway.supergraph import Supergraph
from shared.stack import load_stack
from shared.testing import OpenService
from tests.gateway.composition.corpus import Case, run_apollo, sorted_schema


async def served_subgraphs(open_service: OpenService, pdnet_root: Path) -> list[SubgraphDefinition]:
    subgraphs = []
    for spec in load_stack(pdnet_root):
        async with open_service(spec.name) as service, service.client() as client:
            response = await client.post("/graphql", json={"query": "{ _service { sdl } }"})
        assert response.status_code == 200, response.text
        sdl = response.json()["data"]["_service"]["sdl"]
        subgraphs.append(
            SubgraphDefinition(spec.name, f"http://localhost:{spec.port}/graphql", sdl)
        )
    return subgraphs


async def test_pdnet_subgraphs_compose_into_the_supergraph_apollo_composes(
    open_service: OpenService, pdnet_root: Path
) -> None:
    subgraphs = await served_subgraphs(open_service, pdnet_root)
    assert len(subgraphs) >= 3
    supergraph = compose(subgraphs)

    result = run_apollo([Case("pdnet", subgraphs, supergraph)], pdnet_root / "tests" / "peers")[
        "pdnet"
    ]
    assert result["apollo"]["errors"] is None, result["apollo"]["errors"]
    assert supergraph == result["apollo"]["supergraphSdl"]
    assert result["given"]["loadError"] is None, result["given"]["loadError"]
    apollo_api = sorted_schema(result["apollo"]["apiSchema"])
    assert sorted_schema(result["given"]["apiSchema"]) == apollo_api

    loaded = Supergraph.from_sdl(supergraph)
    assert sorted_schema(loaded.print_api_schema()) == apollo_api
    assert loaded.subgraph_urls == {s.name: s.url for s in subgraphs}
    # The entities the other services extend are in the API with their fields.
    centre = loaded.api_schema.get_type("Centre")
    assert centre is not None
    assert {"events", "kits"} <= set(getattr(centre, "fields", {}))
