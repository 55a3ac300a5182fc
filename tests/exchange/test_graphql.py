"""The exchange subgraph: the lifecycle through mutations with the REST rules, the
ExchangeOffer entity, Centre.exchangeOffers and Educator.exchanges, batched."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from shared.db import ConnectionDatabase
from shared.testing import ServiceHarness
from tests.exchange.builders import STEPS_TO, Exchange, advance, an_exchange, an_offer, apply, day
from tests.exchange.test_lifecycle import STEPS

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ...on %s { %s } } }"

LIFECYCLE = [
    ("applicant", "submitExchangeApplication", "submitted"),
    ("home", "approveExchangeApplication", "home_approved"),
    ("host", "acceptExchangeApplication", "accepted"),
    ("home", "confirmExchangeAgreement", "accepted"),
    ("host", "confirmExchangeAgreement", "confirmed"),
    ("host", "startExchange", "in_progress"),
    ("applicant", "reportOnExchange", "in_progress"),
    ("host", "reportOnExchange", "completed"),
    ("home", "recogniseExchange", "recognised"),
]


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


def _token(world: Exchange, party: str) -> str:
    svc = world.exchange
    return {
        "applicant": lambda: svc.token("educator", sub=world.sub),
        "home": lambda: svc.token("centre_manager", sub="home-m", centres=[world.home]),
        "host": lambda: svc.token("centre_manager", sub="host-m", centres=[world.host]),
        "stranger": lambda: svc.token("educator", sub="stranger"),
    }[party]()


async def _mutate(world: Exchange, party: str, field: str, app_id: str | None) -> dict[str, Any]:
    if field == "submitExchangeApplication":
        query = (
            f"mutation($o: ID!, $i: JSON!) {{ {field}(offerId: $o, input: $i) {{ id status }} }}"
        )
        variables: dict[str, Any] = {
            "o": world.offer["id"],
            "i": {
                "educator_id": world.educator,
                "starts_on": day(20),
                "ends_on": day(24),
                "motivation": {"en": "To learn."},
            },
        }
    elif field == "reportOnExchange":
        query = f"mutation($id: ID!, $r: JSON!) {{ {field}(id: $id, report: $r) {{ id status }} }}"
        variables = {"id": app_id, "r": {"en": "It went well."}}
    else:
        query = f"mutation($id: ID!) {{ {field}(id: $id) {{ id status }} }}"
        variables = {"id": app_id}
    return await graphql(world.exchange, query, _token(world, party), **variables)


async def test_the_whole_lifecycle_runs_through_mutations(
    exchange: ServiceHarness, directory: ServiceHarness, events: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id: str | None = None
    for party, field, status in LIFECYCLE:
        result = await _mutate(world, party, field, application_id)
        assert "errors" not in result, (field, result)
        assert result["data"][field]["status"] == status, field
        application_id = result["data"][field]["id"]

    query = (
        "query($id: ID!) { exchangeApplication(id: $id) "
        "{ status ledgerEntryId history { action side } } }"
    )
    read = await graphql(exchange, query, _token(world, "applicant"), id=application_id)
    application = read["data"]["exchangeApplication"]
    assert application["ledgerEntryId"] is not None
    assert [h["action"] for h in application["history"]] == [
        "submit",
        "approve",
        "accept",
        "confirm",
        "confirm",
        "start",
        "report",
        "report",
        "recognise",
    ]
    async with events.as_role("educator", sub=world.sub) as educator:
        ledger = (await educator.get(f"/v1/teachers/{world.sub}/ledger")).json()
    assert [e["id"] for e in ledger["entries"]] == [application["ledgerEntryId"]]


async def test_mutations_refuse_the_wrong_party_and_illegal_steps_as_rest_does(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]

    wrong = await _mutate(world, "host", "approveExchangeApplication", application_id)
    assert wrong["data"] is None
    assert wrong["errors"][0]["extensions"]["status"] == 403
    hidden = await _mutate(world, "stranger", "approveExchangeApplication", application_id)
    assert hidden["errors"][0]["extensions"]["status"] == 404
    illegal = await _mutate(world, "host", "startExchange", application_id)
    extensions = illegal["errors"][0]["extensions"]
    assert extensions["status"] == 409
    assert extensions["type"].endswith("illegal-transition")
    assert extensions["current_status"] == "submitted"
    assert extensions["allowed_next"] == ["declined", "home_approved", "submitted", "withdrawn"]

    no_reason = await graphql(
        exchange,
        'mutation($id: ID!) { declineExchangeApplication(id: $id, reason: " ") { status } }',
        _token(world, "home"),
        id=application_id,
    )
    assert no_reason["errors"][0]["extensions"]["status"] == 422
    async with world.applicant() as client:
        unchanged = (await client.get(f"/v1/applications/{application_id}")).json()
    assert unchanged["status"] == "submitted"
    assert unchanged["version"] == 1


async def test_offers_are_public_and_centres_get_their_offers_in_one_query(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    second = await an_offer(exchange, world.host, kind="research_visit")
    elsewhere = await an_offer(exchange, world.home)

    listed = await graphql(
        exchange,
        '{ exchangeOffers(filter: {kinds: ["research_visit"]}) { nodes { id kind placesLeft } } }',
    )
    assert [n["id"] for n in listed["data"]["exchangeOffers"]["nodes"]] == [second["id"]]

    centres = [{"__typename": "Centre", "id": c} for c in (world.host, world.home)]
    with counting_queries(exchange) as statements:
        result = await graphql(
            exchange,
            ENTITIES % ("Centre", 'exchangeOffers(first: 5) { nodes { id title(lang: "fi") } }'),
            r=centres,
        )
    host_offers, home_offers = (c["exchangeOffers"]["nodes"] for c in result["data"]["_entities"])
    assert {o["id"] for o in host_offers} == {world.offer["id"], second["id"]}
    assert [o["id"] for o in home_offers] == [elsewhere["id"]]
    assert host_offers[0]["title"] == "Tiedeleirit"
    assert len(statements) == 1

    offers = [{"__typename": "ExchangeOffer", "id": o["id"]} for o in (second, elsewhere)]
    with counting_queries(exchange) as statements:
        resolved = await graphql(exchange, ENTITIES % ("ExchangeOffer", "id status"), r=offers)
    assert [o["id"] for o in resolved["data"]["_entities"]] == [second["id"], elsewhere["id"]]
    assert len(statements) == 1


async def test_an_educators_exchanges_are_shown_only_to_those_who_may_see_them(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    await advance(world, application_id, "accepted")
    query = ENTITIES % ("Educator", "exchanges { id status offer { id } }")
    educators = [{"__typename": "Educator", "id": world.educator}]
    for party in ("applicant", "home", "host"):
        seen = await graphql(exchange, query, _token(world, party), r=educators)
        [educator] = seen["data"]["_entities"]
        assert educator["exchanges"] == [
            {"id": application_id, "status": "accepted", "offer": {"id": world.offer["id"]}}
        ], party
    for token in (_token(world, "stranger"), None):
        unseen = await graphql(exchange, query, token, r=educators)
        assert unseen["data"]["_entities"][0]["exchanges"] == []


MUTATIONS = {
    "approve": ("approveExchangeApplication", ""),
    "decline": ("declineExchangeApplication", "reason"),
    "accept": ("acceptExchangeApplication", ""),
    "confirm": ("confirmExchangeAgreement", ""),
    "start": ("startExchange", ""),
    "report": ("reportOnExchange", "report"),
    "recognise": ("recogniseExchange", ""),
    "withdraw": ("withdrawExchangeApplication", "reason?"),
    "cancel": ("cancelExchangeApplication", "reason"),
}


async def _step(world: Exchange, party: str, action: str, body: Any, app_id: str) -> dict[str, Any]:
    field, argument = MUTATIONS[action]
    variables: dict[str, Any] = {"id": app_id}
    if argument == "report":
        query = f"mutation($id: ID!, $r: JSON!) {{ {field}(id: $id, report: $r) {{ status }} }}"
        variables["r"] = body["report"]
    elif argument.startswith("reason") and (body or {}).get("reason"):
        query = f"mutation($id: ID!, $r: String!) {{ {field}(id: $id, reason: $r) {{ status }} }}"
        variables["r"] = body["reason"]
    else:
        query = f"mutation($id: ID!) {{ {field}(id: $id) {{ status }} }}"
    return await graphql(world.exchange, query, _token(world, party), **variables)


@pytest.mark.parametrize(
    ("status", "action", "body", "party", "refused"),
    STEPS,
    ids=[f"{s[1]}-by-{s[3]}-when-{s[0]}" for s in STEPS],
)
async def test_each_mutation_is_refused_to_the_other_parties_and_taken_by_its_own(
    exchange: ServiceHarness,
    directory: ServiceHarness,
    status: str,
    action: str,
    body: Any,
    party: str,
    refused: list[str],
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    await advance(world, application_id, status)
    for other in [*refused, "stranger"]:
        result = await _step(world, other, action, body, application_id)
        expected = 404 if other == "stranger" else 403
        assert result["errors"][0]["extensions"]["status"] == expected, (other, result)
    done = await _step(world, party, action, body, application_id)
    assert "errors" not in done, done
    async with world.applicant() as client:
        history = (await client.get(f"/v1/applications/{application_id}/history")).json()
    last = history["items"][-1]
    assert (last["action"], last["from_status"], last["side"]) == (action, status, party)
    assert last["to_status"] == done["data"][MUTATIONS[action][0]]["status"]
    assert len(history["items"]) == len(STEPS_TO[status]) + 2
