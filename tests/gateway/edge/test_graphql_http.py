"""GraphQL over HTTP at the gateway: GET and POST, media types, the caller's token reaching the
subgraphs, automatic persisted queries, and depth, alias and cost limits."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre
from tests.events.builders import an_event
from tests.gateway.edge.conftest import OpenGateway

GRAPHQL_RESPONSE = "application/graphql-response+json"

CENTRE_AND_EVENTS = """
query CentreAndEvents($id: ID!) {
  centre(id: $id) { name events(first: 5) { nodes { id } } }
}
"""


async def test_get_and_post_give_the_same_answer_joined_across_subgraphs(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre = await a_centre(stack["directory"], name={"en": "Joined centre"})
    event = await an_event(stack["events"], centre["id"])
    variables = {"id": centre["id"]}
    async with open_gateway() as gateway, gateway.client() as client:
        posted = await client.post(
            "/graphql", json={"query": CENTRE_AND_EVENTS, "variables": variables}
        )
        got = await client.get(
            "/graphql",
            params={"query": CENTRE_AND_EVENTS, "variables": json.dumps(variables)},
            headers={"Accept": GRAPHQL_RESPONSE},
        )
    expected = {
        "data": {"centre": {"name": "Joined centre", "events": {"nodes": [{"id": event["id"]}]}}}
    }
    assert posted.status_code == 200 and posted.json() == expected
    assert posted.headers["content-type"].startswith("application/json")
    assert got.status_code == 200 and got.json() == expected
    assert got.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_a_mutation_sent_with_get_is_refused_with_405(open_gateway: OpenGateway) -> None:
    async with open_gateway() as gateway, gateway.client() as client:
        response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "POST"
    assert "mutation" in response.json()["detail"]


async def test_an_invalid_operation_is_400_for_graphql_response_json_and_200_for_json(
    open_gateway: OpenGateway,
) -> None:
    invalid = {"query": "{ centres { nodes { noSuchField } } }"}
    async with open_gateway() as gateway, gateway.client() as client:
        modern = await client.post("/graphql", json=invalid, headers={"Accept": GRAPHQL_RESPONSE})
        legacy = await client.post("/graphql", json=invalid, headers={"Accept": "application/json"})
        syntax = await client.post(
            "/graphql", json={"query": "{ centres {"}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        not_json = await client.post(
            "/graphql", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        wrong_type = await client.post(
            "/graphql", content=b"{ __typename }", headers={"Content-Type": "text/plain"}
        )
        unacceptable = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/csv"}
        )
        bad_variables = await client.post(
            "/graphql", json={"query": "{ __typename }", "variables": [1, 2]}
        )
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()
    assert "noSuchField" in modern.json()["errors"][0]["message"]
    assert legacy.status_code == 200
    assert legacy.json()["errors"] == modern.json()["errors"]
    assert syntax.status_code == 400
    assert syntax.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert syntax.json()["errors"][0]["locations"]
    assert not_json.status_code == 400
    assert not_json.headers["content-type"] == "application/problem+json"
    assert wrong_type.status_code == 415
    assert unacceptable.status_code == 406
    assert bad_variables.status_code == 400
    assert "variables" in bad_variables.json()["errors"][0]["message"]


async def test_the_callers_token_reaches_the_subgraph_that_needs_it(
    open_gateway: OpenGateway,
) -> None:
    query = {"query": "{ myRegistrations { nodes { id } } }"}
    async with open_gateway() as gateway:
        anonymous = await gateway.client().post("/graphql", json=query)
        teacher = gateway.client(gateway.token("teacher"))
        as_teacher = await teacher.post("/graphql", json=query)
    assert anonymous.json()["errors"]
    assert anonymous.json()["data"] is None
    assert as_teacher.json() == {"data": {"myRegistrations": {"nodes": []}}}


def _persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_persisted_queries_follow_apollos_protocol(open_gateway: OpenGateway) -> None:
    query = "{ centres(first: 1) { nodes { id } } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    async with open_gateway() as gateway, gateway.client() as client:
        unknown = await client.post("/graphql", json={"extensions": _persisted(digest)})
        registered = await client.post(
            "/graphql", json={"query": query, "extensions": _persisted(digest)}
        )
        by_hash = await client.post("/graphql", json={"extensions": _persisted(digest)})
        by_get = await client.get("/graphql", params={"extensions": json.dumps(_persisted(digest))})
        mismatch = await client.post(
            "/graphql", json={"query": "{ __typename }", "extensions": _persisted(digest)}
        )
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert registered.json() == {"data": {"centres": {"nodes": []}}}
    assert by_hash.json() == registered.json()
    assert by_get.json() == registered.json()
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_the_persisted_query_store_forgets_the_least_recently_used_first(
    open_gateway: OpenGateway,
) -> None:
    queries = [f"{{ centres(first: {n}) {{ nodes {{ id }} }} }}" for n in (1, 2, 3)]
    digests = [hashlib.sha256(q.encode()).hexdigest() for q in queries]
    async with open_gateway(apq_cache_size=2) as gateway, gateway.client() as client:
        for query, digest in zip(queries, digests, strict=True):
            await client.post("/graphql", json={"query": query, "extensions": _persisted(digest)})
        answers = [
            (await client.post("/graphql", json={"extensions": _persisted(d)})).json()
            for d in digests
        ]
    codes = [a.get("errors", [{}])[0].get("extensions", {}).get("code") for a in answers]
    assert codes == ["PERSISTED_QUERY_NOT_FOUND", None, None]


async def test_operations_too_deep_too_aliased_or_too_costly_are_refused_before_any_fetch(
    open_gateway: OpenGateway,
) -> None:
    deep = "{ centres { edges { node { memberships { network { name } } } } } }"
    aliased = (
        "{ " + " ".join(f"a{n}: centres(first: 1) {{ nodes {{ id }} }}" for n in range(6)) + " }"
    )
    costly = "{ centres(first: 200) { nodes { events(first: 50) { nodes { id title } } } } }"
    affordable = "{ centres(first: 200) { nodes { events(first: 10) { nodes { id title } } } } }"
    limits = {"max_depth": 5, "max_aliases": 5, "max_cost": 20_000}
    async with open_gateway(**limits) as gateway, gateway.client() as client:
        answers = {}
        for name, query in [("deep", deep), ("aliased", aliased), ("costly", costly)]:
            answers[name] = await client.post(
                "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
            )
        fine = await client.post("/graphql", json={"query": affordable.replace("200", "20")})
        budget = await client.post("/graphql", json={"query": affordable})
        metrics = (await client.get("/metrics")).text
    for name, code in [
        ("deep", "QUERY_TOO_DEEP"),
        ("aliased", "TOO_MANY_ALIASES"),
        ("costly", "QUERY_TOO_COSTLY"),
    ]:
        response = answers[name]
        assert response.status_code == 400, name
        assert "data" not in response.json(), name
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == code, name
        assert error["extensions"]["actual"] > error["extensions"]["limit"]
    assert answers["deep"].json()["errors"][0]["extensions"]["actual"] == 6
    assert answers["aliased"].json()["errors"][0]["extensions"]["actual"] == 6
    assert fine.json() == {"data": {"centres": {"nodes": []}}}
    assert budget.json() == fine.json()
    # Only the two operations within the limits reached a subgraph.
    fetches = [
        line
        for line in metrics.splitlines()
        if line.startswith("pdnet_subgraph_fetch_duration_seconds_count")
    ]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in fetches) == 2


async def test_the_query_plan_is_shown_on_request_outside_production_only(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre = await a_centre(stack["directory"])
    body = {"query": CENTRE_AND_EVENTS, "variables": {"id": centre["id"]}}
    ask = {"Apollo-Expose-Query-Plan": "true"}
    async with open_gateway(environment="development") as gateway, gateway.client() as client:
        shown = (await client.post("/graphql", json=body, headers=ask)).json()
        plain = (await client.post("/graphql", json=body)).json()
    async with open_gateway(environment="production") as gateway, gateway.client() as client:
        hidden = (await client.post("/graphql", json=body, headers=ask)).json()
    plan = shown["extensions"]["apolloQueryPlan"]["text"]
    assert plan.startswith("QueryPlan {")
    assert '"directory"' in plan and '"events"' in plan
    assert shown["data"] == plain["data"] == hidden["data"]
    assert "extensions" not in plain and "extensions" not in hidden
