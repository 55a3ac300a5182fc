"""The directory subgraph: roots, entities, and batched federation lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from shared.db import ConnectionDatabase
from shared.testing import ServiceHarness
from tests.directory.builders import a_centre, a_network


@contextmanager
def counting_queries(svc: ServiceHarness) -> Iterator[list[str]]:
    assert isinstance(svc.db, ConnectionDatabase)
    sync_connection = svc.db.connection.sync_connection
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(sync_connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sync_connection, "before_cursor_execute", record)


async def graphql(svc: ServiceHarness, query: str, **variables: Any) -> dict[str, Any]:
    async with svc.client() as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_hundred_entity_representations_resolve_in_one_sql_query(
    directory: ServiceHarness,
) -> None:
    centres = [await a_centre(directory, name={"en": f"Centre {i}"}) for i in range(100)]
    representations = [{"__typename": "Centre", "id": c["id"]} for c in reversed(centres)]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Centre { id name } } }"
    with counting_queries(directory) as statements:
        result = await graphql(directory, query, r=representations)
    entities = result["data"]["_entities"]
    assert [e["id"] for e in entities] == [c["id"] for c in reversed(centres)]
    assert entities[0]["name"] == "Centre 99"
    assert len(statements) == 1


async def test_unknown_entities_resolve_to_null(directory: ServiceHarness) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Centre { id } } }"
    result = await graphql(
        directory, query, r=[{"__typename": "Centre", "id": "00000000-0000-7000-8000-000000000000"}]
    )
    assert result["data"]["_entities"] == [None]


async def test_centres_connection_pages_and_filters_like_rest(directory: ServiceHarness) -> None:
    network = await a_network(directory, name={"en": "LUMA", "fi": "LUMA-keskus"})
    near = await a_centre(directory, networks=[{"network_id": network["id"]}])
    far = await a_centre(directory, location={"lat": 65.01, "lon": 25.47})
    query = """
      query($after: String) {
        centres(filter: {near: {lat: 60.17, lon: 24.94, radiusKm: 1000}}, first: 1, after: $after) {
          edges { cursor node { id distanceKm memberships { network { name(lang: "fi") } } } }
          pageInfo { hasNextPage endCursor }
        }
      }"""
    first = (await graphql(directory, query))["data"]["centres"]
    second = (await graphql(directory, query, after=first["pageInfo"]["endCursor"]))["data"][
        "centres"
    ]
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == [near["id"], far["id"]]
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False
    assert first["edges"][0]["node"]["memberships"][0]["network"]["name"] == "LUMA-keskus"


async def test_graphql_input_errors_are_reported_not_crashed(directory: ServiceHarness) -> None:
    result = await graphql(
        directory, '{ centre(id: "nope") { id } centres(first: 500) { nodes { id } } }'
    )
    messages = " ".join(e["message"] for e in result["errors"])
    assert "not a valid id" in messages
    assert "first" in messages


async def test_the_subgraph_publishes_federation_v2_sdl(directory: ServiceHarness) -> None:
    sdl = (await graphql(directory, "{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert "specs.apollo.dev/federation/v2" in sdl
    for entity in ("Centre", "Network", "Educator"):
        assert f'type {entity} @key(fields: "id")' in sdl


async def test_graphiql_is_served_without_external_assets(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "https://" not in response.text and "http://" not in response.text
