"""The resources subgraph: roots, the Kit entity, Centre.kits, and batched lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from resources.models import Kit, KitComponent
from shared.clock import new_id
from shared.db import ConnectionDatabase
from shared.testing import ServiceHarness
from tests.resources.builders import a_centre, a_kit, day, reserve

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ...on %s { %s } } }"


@contextmanager
def counting_queries(svc: ServiceHarness) -> Iterator[list[str]]:
    assert isinstance(svc.db, ConnectionDatabase)
    sync_connection = svc.db.connection.sync_connection
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    sa_event.listen(sync_connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(sync_connection, "before_cursor_execute", record)


async def graphql(
    svc: ServiceHarness, query: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    async with svc.client(token) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return dict(response.json())


def a_kit_row(session: AsyncSession, owner: uuid.UUID, **fields: Any) -> uuid.UUID:
    """A kit written straight to the database: no directory round trip per row."""
    kit_id = new_id()
    values: dict[str, Any] = {
        "kind": "experiment_kit",
        "name": {"en": f"Kit {kit_id}", "it": f"Kit sperimentale {kit_id}"},
        "quantity": 2,
        "turnaround_days": 1,
        "subjects": ["chemistry"],
    } | fields
    session.add(Kit(id=kit_id, owner_centre_id=owner, **values))
    session.add(KitComponent(kit_id=kit_id, position=0, name={"en": "pipette"}, quantity=5))
    return kit_id


async def test_a_hundred_kit_representations_resolve_in_one_query_plus_one_for_components(
    resources: ServiceHarness,
) -> None:
    owner = uuid.uuid4()
    async with resources.session() as session:
        ids = [a_kit_row(session, owner) for _ in range(100)]
        await session.commit()
    representations = [{"__typename": "Kit", "id": str(i)} for i in reversed(ids)]
    fields = 'id name(lang: "it") quantity components { name consumable } ownerCentre { id }'
    with counting_queries(resources) as statements:
        result = await graphql(resources, ENTITIES % ("Kit", fields), r=representations)
    entities = result["data"]["_entities"]
    assert [e["id"] for e in entities] == [str(i) for i in reversed(ids)]
    assert entities[0]["name"].startswith("Kit sperimentale")
    assert entities[0]["components"] == [{"name": "pipette", "consumable": False}]
    assert entities[0]["ownerCentre"] == {"id": str(owner)}
    assert len(statements) == 2, statements


async def test_fifty_centres_get_their_kits_in_a_constant_number_of_queries(
    resources: ServiceHarness,
) -> None:
    centres = [uuid.uuid4() for _ in range(50)]
    expected: dict[uuid.UUID, list[uuid.UUID]] = {}
    async with resources.session() as session:
        for centre in centres:
            # Ids made in the same millisecond are not ordered among themselves.
            expected[centre] = sorted(a_kit_row(session, centre) for _ in range(4))
            a_kit_row(session, centre, status="retired")
        await session.commit()
    representations = [{"__typename": "Centre", "id": str(c)} for c in centres]
    fields = (
        "id kits(first: 3) { edges { node { id name components { name } } }"
        " pageInfo { hasNextPage endCursor } }"
    )
    with counting_queries(resources) as statements:
        result = await graphql(resources, ENTITIES % ("Centre", fields), r=representations)
    assert "errors" not in result, result
    for centre, entity in zip(centres, result["data"]["_entities"], strict=True):
        assert [e["node"]["id"] for e in entity["kits"]["edges"]] == [
            str(k) for k in expected[centre][:3]
        ]
        assert entity["kits"]["pageInfo"]["hasNextPage"] is True
    assert len(statements) == 2, statements

    cursor = result["data"]["_entities"][0]["kits"]["pageInfo"]["endCursor"]
    query = ENTITIES % ("Centre", f'kits(first: 3, after: "{cursor}") {{ nodes {{ id }} }}')
    rest = await graphql(resources, query, r=representations[:1])
    assert rest["data"]["_entities"][0]["kits"]["nodes"] == [{"id": str(expected[centres[0]][3])}]


async def test_kits_root_filters_and_reports_availability_per_day(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=2, turnaround_days=1, subjects=["physics"])
    await a_kit(resources, owner, subjects=["biology"])
    await reserve(resources, kit["id"], "t1", 10, 10)
    query = """
      query($centre: ID!, $from: Date!, $to: Date!) {
        kits(filter: {centre: $centre, subjects: ["physics"]}, first: 5) {
          nodes { id reservable availability(from: $from, to: $to) { maxFree days { free } } }
        }
      }
    """
    result = await graphql(resources, query, centre=owner, **{"from": day(9), "to": day(11)})
    assert "errors" not in result, result
    nodes = result["data"]["kits"]["nodes"]
    assert [n["id"] for n in nodes] == [kit["id"]]
    assert nodes[0]["availability"] == {
        "maxFree": 1,
        "days": [{"free": 2}, {"free": 1}, {"free": 1}],
    }


async def test_bad_graphql_arguments_are_errors_with_a_message_not_crashes(
    resources: ServiceHarness,
) -> None:
    result = await graphql(resources, "{ kits(first: 500) { nodes { id } } }")
    reversed_range = await graphql(
        resources,
        '{ kits(filter: {availableFrom: "2030-01-10", availableTo: "2030-01-01"})'
        " { nodes { id } } }",
    )
    assert "first" in result["errors"][0]["message"]
    assert "availableTo" in reversed_range["errors"][0]["message"]
