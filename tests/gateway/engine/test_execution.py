"""Execution over pdnet's real subgraphs: batched entity fetches, the response shaped as asked,
subgraph errors re-pathed, and a failed subgraph giving partial data with errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.execution import (
    GraphQLRequest,
    GraphQLRequestError,
    SubgraphRequest,
    SubgraphTransport,
)
from tests.directory.builders import an_educator
from tests.gateway.engine.builders import centres, event_at, kit_of
from tests.gateway.engine.conftest import Subgraphs


async def run(
    pdnet: Subgraphs, query: str, variables: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    return await pdnet.engine.execute(
        GraphQLRequest(query, variables), transport=pdnet.transport(**options)
    )


class RepresentationCounter:
    """Passes requests on, noting how many representations each entity fetch sends."""

    def __init__(self, inner: SubgraphTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, int]] = []

    async def fetch(
        self, subgraph: str, request: SubgraphRequest, *, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        if request.variables and "representations" in request.variables:
            self.sent.append((subgraph, len(request.variables["representations"])))
        return await self.inner.fetch(subgraph, request, headers=headers)


CENTRES_WITH_EVENTS_AND_KITS = """
{ centres(first: 50) { nodes { name
    events { nodes { title } }
    kits { nodes { name } } } } }
"""


async def test_fifty_centres_with_events_and_kits_take_one_request_per_subgraph(
    pdnet: Subgraphs,
) -> None:
    ids = await centres(pdnet.harnesses["directory"], 50)
    for number in (0, 7, 49):
        await event_at(pdnet.harnesses["events"], ids[number], f"Optics at {number}")
        await kit_of(pdnet.harnesses["resources"], ids[number], f"Lenses of {number}")
    pdnet.fetches.clear()

    result = await run(pdnet, CENTRES_WITH_EVENTS_AND_KITS)

    assert "errors" not in result
    assert sorted(name for name, _ in pdnet.fetches) == ["directory", "events", "resources"]
    nodes = result["data"]["centres"]["nodes"]
    assert len(nodes) == 50
    by_name = {node["name"]: node for node in nodes}
    assert by_name["Centre 07"]["events"] == {"nodes": [{"title": "Optics at 7"}]}
    assert by_name["Centre 49"]["kits"] == {"nodes": [{"name": "Lenses of 49"}]}
    assert by_name["Centre 08"]["events"] == {"nodes": []}
    assert by_name["Centre 08"]["kits"] == {"nodes": []}


async def test_the_same_entity_met_many_times_is_sent_once(pdnet: Subgraphs) -> None:
    [centre] = await centres(pdnet.harnesses["directory"], 1)
    for title in ("Optics", "Acoustics", "Mechanics"):
        await event_at(pdnet.harnesses["events"], centre, title)
    transport = RepresentationCounter(pdnet.transport())
    result = await pdnet.engine.execute(
        GraphQLRequest("{ events { nodes { title hostCentre { name } } } }"), transport=transport
    )

    assert "errors" not in result
    assert [node["hostCentre"]["name"] for node in result["data"]["events"]["nodes"]] == [
        "Centre 00"
    ] * 3
    assert transport.sent == [("directory", 1)]


async def test_the_response_has_the_aliases_fragments_and_field_order_asked_for(
    pdnet: Subgraphs,
) -> None:
    [centre] = await centres(pdnet.harnesses["directory"], 1)
    await event_at(pdnet.harnesses["events"], centre, "Optics")
    query = """
    query Centre($id: ID!, $lang: String = "fi", $brief: Boolean!) {
      here: centre(id: $id) {
        kind: __typename
        ...Names
        courses: events { nodes { ... on Event { title } __typename } }
        country @skip(if: $brief)
      }
      __typename
    }
    fragment Names on Centre { local: name(lang: $lang) name }
    """
    result = await run(pdnet, query, {"id": centre, "brief": True})

    assert result == {
        "data": {
            "here": {
                "kind": "Centre",
                "local": "Keskus 00",
                "name": "Centre 00",
                "courses": {"nodes": [{"title": "Optics", "__typename": "Event"}]},
            },
            "__typename": "Query",
        }
    }
    assert list(result["data"]["here"]) == ["kind", "local", "name", "courses"]


async def test_errors_inside_an_entity_fetch_point_at_the_clients_path(pdnet: Subgraphs) -> None:
    ids = await centres(pdnet.harnesses["directory"], 2)
    await kit_of(pdnet.harnesses["resources"], ids[1], "Lenses")
    query = """{ centres { nodes { name kits { nodes { name
        availability(from: "2027-03-10", to: "2027-03-01") { maxFree } } } } } }"""

    result = await run(pdnet, query)

    [error] = result["errors"]
    assert error["path"] == ["centres", "nodes", 1, "kits", "nodes", 0, "availability"]
    assert error["extensions"]["serviceName"] == "resources"
    assert "before" in error["message"]
    kit = result["data"]["centres"]["nodes"][1]["kits"]["nodes"][0]
    assert kit == {"name": "Lenses", "availability": None}


async def test_a_failed_subgraph_nulls_what_it_would_have_given_with_an_error_per_field(
    pdnet: Subgraphs,
) -> None:
    directory = pdnet.harnesses["directory"]
    ids = await centres(directory, 3)
    for number, centre in enumerate(ids):
        await an_educator(directory, centre, display_name=f"Educator {number}")
    await kit_of(pdnet.harnesses["resources"], ids[0], "Lenses")
    query = """{ educators { nodes { displayName centre { name events { totalCount } } } }
                 kits { nodes { name } } }"""

    result = await run(pdnet, query, unreachable=["events"])

    # Only the fields the events subgraph would have given are null; everything else is answered.
    educators = result["data"]["educators"]["nodes"]
    assert [e["displayName"] for e in educators] == [f"Educator {n}" for n in range(3)]
    assert all(e["centre"]["name"] and e["centre"]["events"] is None for e in educators)
    assert result["data"]["kits"] == {"nodes": [{"name": "Lenses"}]}
    assert sorted(error["path"] for error in result["errors"]) == [
        ["educators", "nodes", index, "centre", "events"] for index in range(3)
    ]
    for error in result["errors"]:
        assert error["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "events"}
        assert error["message"].startswith("HTTP fetch failed from 'events'")


async def test_a_failed_subgraph_leaves_the_centres_names_in_a_list(pdnet: Subgraphs) -> None:
    await centres(pdnet.harnesses["directory"], 2)

    result = await run(
        pdnet, "{ centres { nodes { name events { totalCount } } } }", unreachable=["events"]
    )

    assert result["data"] == {
        "centres": {
            "nodes": [{"name": "Centre 00", "events": None}, {"name": "Centre 01", "events": None}]
        }
    }
    assert [error["path"] for error in result["errors"]] == [
        ["centres", "nodes", 0, "events"],
        ["centres", "nodes", 1, "events"],
    ]


async def test_the_callers_headers_reach_the_subgraphs(pdnet: Subgraphs) -> None:
    await centres(pdnet.harnesses["directory"], 1)
    teacher = "7d8f0c2e-5b7a-4a40-9d55-6a4b8a1c2f10"
    token = pdnet.harnesses["events"].token("teacher", sub=teacher)
    query = "{ myLedger { teacherId } centres { nodes { name } } }"

    signed_in = await pdnet.engine.execute(
        GraphQLRequest(query),
        transport=pdnet.transport(),
        headers={"authorization": f"Bearer {token}"},
    )
    anonymous = await pdnet.engine.execute(GraphQLRequest(query), transport=pdnet.transport())

    assert signed_in == {
        "data": {"myLedger": {"teacherId": teacher}, "centres": {"nodes": [{"name": "Centre 00"}]}}
    }
    # Without a token the events subgraph refuses; its error keeps its path and names it.
    assert anonymous["data"] is None
    [error] = anonymous["errors"]
    assert error["path"] == ["myLedger"]
    assert error["extensions"]["serviceName"] == "events"


async def test_introspection_and_data_can_be_asked_for_together(pdnet: Subgraphs) -> None:
    await centres(pdnet.harnesses["directory"], 1)
    result = await run(
        pdnet,
        '{ __type(name: "Centre") { name fields { name } } centres { totalCount nodes { name } } }',
    )
    assert result["data"]["__type"]["name"] == "Centre"
    fields = {field["name"] for field in result["data"]["__type"]["fields"]}
    assert {"name", "events", "kits"} <= fields
    assert result["data"]["centres"] == {"totalCount": None, "nodes": [{"name": "Centre 00"}]}


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("{ centres { nodes { name }", None, "Syntax Error"),
        ("{ centres { nodes { nickname } } }", None, 'Cannot query field "nickname"'),
        (
            "query($n: Int!) { centres(first: $n) { totalCount } }",
            {},
            'Variable "$n" of required type "Int!" was not provided.',
        ),
        (
            "query($n: Int!) { centres(first: $n) { totalCount } }",
            {"n": "ten"},
            'Variable "$n" got invalid value "ten"',
        ),
    ],
)
async def test_requests_that_cannot_run_are_refused_before_any_fetch(
    pdnet: Subgraphs, query: str, variables: dict[str, Any] | None, message: str
) -> None:
    with pytest.raises(GraphQLRequestError) as raised:
        await run(pdnet, query, variables)
    assert message in raised.value.errors[0]["message"]
    assert pdnet.fetches == []
