"""Our engine and Apollo's gateway answer the same operations over the feature subgraphs with
the same data, including when a subgraph is down (the subgraphs run on loopback ports here)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.execution import Engine, GraphQLRequest, HttpSubgraphTransport
from gateway.supergraph import Supergraph
from tests.gateway.engine import feature_subgraphs
from tests.gateway.engine.conftest import UNREACHABLE
from tests.gateway.live_stack import HOST, LiveProcess, answers_graphql, apollo_process, free_port


@dataclass
class Gateways:
    """Both gateways over the same subgraphs; `down` names a subgraph that is unreachable."""

    ours: Engine
    transport: HttpSubgraphTransport
    apollo: LiveProcess
    client: httpx.AsyncClient

    async def both(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        ours = await self.ours.execute(GraphQLRequest(query, variables), transport=self.transport)
        response = await self.client.post(
            f"{self.apollo.base_url}/graphql", json={"query": query, "variables": variables}
        )
        return ours, response.json()


async def _serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return server, task, f"http://{HOST}:{port}/graphql"


async def _gateways(
    sdl: str, workdir: Path, peers_dir: Path, client: httpx.AsyncClient
) -> Gateways:
    path = workdir / f"supergraph-{abs(hash(sdl))}.graphql"
    path.write_text(sdl)
    apollo = apollo_process(peers_dir, path, workdir)
    apollo.start()
    await apollo.wait_ready(answers_graphql)
    supergraph = Supergraph.from_sdl(sdl)
    transport = HttpSubgraphTransport(supergraph.subgraph_urls, timeout=5.0)
    return Gateways(Engine(supergraph), transport, apollo, client)


@pytest.fixture(scope="module")
async def gateways(
    feature_engine: Engine, pdnet_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Gateways]]:
    """ "all": every subgraph up; "no reviews" and "no stores": that subgraph is down."""
    workdir = tmp_path_factory.mktemp("apollo-features")
    served = [await _serve(app) for app in feature_subgraphs.apps().values()]
    base = feature_engine.supergraph.sdl
    urls = dict(zip(feature_subgraphs.SCHEMAS, (url for _, _, url in served), strict=True))

    def with_urls(down: str | None) -> str:
        sdl = base
        for name, url in urls.items():
            sdl = sdl.replace(f'"http://{name}.test/graphql"', json.dumps(url))
        if down is not None:
            sdl = sdl.replace(json.dumps(urls[down]), json.dumps(UNREACHABLE))
        return sdl

    peers_dir = pdnet_root / "tests" / "peers"
    started: dict[str, Gateways] = {}
    async with httpx.AsyncClient(timeout=30.0) as client:
        try:
            for label, down in (("all", None), ("no reviews", "reviews"), ("no stores", "stores")):
                started[label] = await _gateways(with_urls(down), workdir, peers_dir, client)
            yield started
        finally:
            for gateway in started.values():
                gateway.apollo.stop()
                await gateway.transport.aclose()
            for server, task, _ in served:
                server.should_exit = True
                await task


SAME_ANSWERS = [
    ("{ kits { name stock shippingCost reviews { rating author { name school } } } }", None),
    ("{ materials { __typename title ... on Booklet { pages } ... on Kit { stock } } }", None),
    (
        '{ search(term: "la") { ... on Kit { name shippingCost }'
        " ... on Booklet { title pages } } }",
        None,
    ),
    ("{ loans { centreCode number returnedOn kit { name } borrower { name school } } }", None),
    ("{ latestReviews { body author { name } } }", None),
    ('{ kit(id: "k1") { stock name shippingCost } other: kit(id: "k3") { title } }', None),
    ("{ latestReviews { author { certificates school } } certificateCount }", None),
    ("{ materials { title recommendedBy { name } ... on Kit { stock } } }", None),
    ('{ kit(id: "k1") { recommendedBy { school } } }', None),
    (
        "{ recommended { __typename id recommendedBy { name } ... on Kit { stock name }"
        " ... on Booklet { pages } ... on Material { title } } }",
        None,
    ),
    (
        'query($brief: Boolean!, $id: ID = "k1") { kit(id: $id) { id'
        " name @skip(if: $brief) ...Details @include(if: $brief) } }"
        " fragment Details on Kit { weight: weightGrams reviews { ...R } }"
        " fragment R on Review { rating author { ... on Teacher { n: name } } }",
        {"brief": True},
    ),
    (
        '{ a: search(term: "box") { __typename ... on Material { id t: title } }'
        ' b: search(term: "data") { ... on Booklet { pages id } } __typename }',
        None,
    ),
    (
        "{ materials { ... on Kit { reviews { rating } } ...M } }"
        " fragment M on Material { title ... on Booklet { pages } }",
        None,
    ),
    ('{ kit(id: "nope") { name } teacher(id: "t2") { name school } }', None),
    ('{ __type(name: "Kit") { name fields { name } } kits { id } }', None),
]


@pytest.mark.parametrize(("query", "variables"), SAME_ANSWERS)
async def test_our_answers_are_apollos(
    gateways: dict[str, Gateways], query: str, variables: dict[str, Any] | None
) -> None:
    ours, apollos = await gateways["all"].both(query, variables)
    assert "errors" not in apollos, apollos
    assert ours == apollos


@pytest.mark.parametrize(
    "query",
    [
        "{ retiredKits { name stock } }",
        "{ retiredKits { name } kits { name } }",
        '{ kit(id: "k9") { name title stock } teacher(id: "t1") { name } }',
        '{ a: kit(id: "k9") { name } b: kit(id: "k1") { name stock } }',
    ],
)
async def test_entities_a_subgraph_does_not_know_null_the_same_fields_as_with_apollo(
    gateways: dict[str, Gateways], query: str
) -> None:
    ours, apollos = await gateways["all"].both(query)
    assert ours == apollos


async def test_mutations_give_apollos_answers_in_the_same_order(
    gateways: dict[str, Gateways],
) -> None:
    query = (
        'mutation { first: reserveKit(kitId: "k1") { number kit { name reviews { rating } } }'
        ' draft: draftReview(kitId: "k3", body: "Fine", rating: 4) { body author { name } }'
        ' second: reserveKit(kitId: "k2") { number kit { stock } } }'
    )
    ours, apollos = await gateways["all"].both(query)
    for answer in (ours, apollos):
        data = answer["data"]
        assert data["second"]["number"] == data["first"]["number"] + 1
        data["first"].pop("number")
        data["second"].pop("number")
    assert ours == apollos


async def test_with_a_nullable_field_of_a_failed_subgraph_the_rest_is_answered(
    gateways: dict[str, Gateways],
) -> None:
    ours, apollos = await gateways["no reviews"].both("{ kits { name reviews { rating } } }")
    assert ours["data"] == apollos["data"]
    assert ours["data"]["kits"][0] == {"name": "micro:bit class set", "reviews": None}
    assert apollos["errors"]
    assert [error["path"] for error in ours["errors"]] == [
        ["kits", index, "reviews"] for index in range(3)
    ]
    assert {error["extensions"]["serviceName"] for error in ours["errors"]} == {"reviews"}


async def test_with_a_non_null_field_of_a_failed_subgraph_nulls_reach_the_same_place(
    gateways: dict[str, Gateways],
) -> None:
    query = '{ kit(id: "k1") { name stock } teacher(id: "t1") { name } }'
    ours, apollos = await gateways["no stores"].both(query)
    assert ours["data"] == apollos["data"] == {"kit": None, "teacher": {"name": "Aino Virtanen"}}
    # Stores resolves most of what is asked of `kit`, so it is asked for the root field itself.
    assert [error["path"] for error in ours["errors"]] == [["kit"]]
    # Kits is a non-null list of non-null kits: one missing stock nulls the whole answer.
    ours, apollos = await gateways["no stores"].both("{ kits { name stock } }")
    assert ours["data"] is None
    assert apollos["data"] is None


async def test_client_aliases_on_the_keys_the_gateway_needs_do_not_change_the_answer(
    gateways: dict[str, Gateways],
) -> None:
    """The client uses `id`, `weightGrams`, `centreCode` and `number`, which the gateway needs
    for keys and `@requires`, as aliases of other fields. Apollo Gateway 2.14.4 answers these
    wrongly (the key's value, or no data), so the answers are checked against the data itself."""
    all_up = gateways["all"]
    ours, _ = await all_up.both("{ kits { id: name reviews { rating } weightGrams: stock } }")
    assert ours["data"]["kits"][0] == {
        "id": "micro:bit class set",
        "reviews": [{"rating": 5}, {"rating": 3}],
        "weightGrams": 3,
    }
    ours, _ = await all_up.both("{ kits { shippingCost weightGrams: name id: weightGrams } }")
    assert ours["data"]["kits"][1] == {
        "shippingCost": 1040,
        "weightGrams": "Pendulum lab",
        "id": 5400,
    }
    ours, _ = await all_up.both(
        "{ loans { number: centreCode returnedOn centreCode: kit { name } } }"
    )
    assert ours["data"]["loans"][0] == {
        "number": "FI-LUMA",
        "returnedOn": "2027-03-08",
        "centreCode": {"name": "micro:bit class set"},
    }


async def test_a_subgraph_slower_than_the_timeout_costs_only_its_own_fields(
    gateways: dict[str, Gateways],
) -> None:
    engine = gateways["all"].ours
    transport = HttpSubgraphTransport(engine.supergraph.subgraph_urls, timeout=0.3)
    try:
        result = await engine.execute(
            GraphQLRequest("{ recountCertificates kits { name } }"), transport=transport
        )
    finally:
        await transport.aclose()
    assert result["data"] == {
        "recountCertificates": None,
        "kits": [
            {"name": name} for name in ("micro:bit class set", "Pendulum lab", "Soil testing box")
        ],
    }
    [error] = result["errors"]
    assert error["path"] == ["recountCertificates"]
    assert error["message"] == "HTTP fetch failed from 'certificates': no answer within 0.3s"
    assert error["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "certificates"}
