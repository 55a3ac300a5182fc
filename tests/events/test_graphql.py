"""The events subgraph: roots, the Event entity, Centre.events, and batched lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Event, Registration, Session
from shared.clock import new_id, utcnow
from shared.db import ConnectionDatabase
from shared.pagination import encode_cursor
from shared.testing import ServiceHarness
from tests.events.builders import a_host_centre, an_event, in_days, register

# A cursor of the right shape whose instant has no offset: never issued, so refused.
NAIVE_CURSOR = encode_cursor("starts", ["2030-01-01T00:00:00", str(uuid.UUID(int=1))])
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


def an_event_row(
    session: AsyncSession,
    host: uuid.UUID,
    *,
    starts_in_days: float = 30,
    co_hosts: tuple[uuid.UUID, ...] = (),
    sessions: int = 1,
    **fields: Any,
) -> uuid.UUID:
    """An event written straight to the events database: no directory round trip per row."""
    starts = utcnow() + timedelta(days=starts_in_days)
    event_id = new_id()
    values: dict[str, Any] = {
        "title": {"en": f"Event {event_id}", "fi": f"Tapahtuma {event_id}"},
        "country": "FI",
        "region": "FI1B",
        "lat": 60.17,
        "lon": 24.94,
        "languages": ["fi", "en"],
        "capacity": 20,
        "registration_opens_at": utcnow() - timedelta(days=400),
        "registration_closes_at": starts,
    } | fields
    session.add(
        Event(
            id=event_id,
            host_centre_id=host,
            co_host_centre_ids=list(co_hosts),
            starts_at=starts,
            ends_at=starts + timedelta(days=sessions),
            **values,
        )
    )
    for day in range(sessions):
        at = starts + timedelta(days=day, hours=1)
        session.add(
            Session(
                event_id=event_id,
                starts_at=at,
                ends_at=at + timedelta(hours=3),
                cpd_hours=Decimal("3.5"),
            )
        )
    return event_id


async def test_a_hundred_event_representations_resolve_in_one_query_plus_one_for_sessions(
    events: ServiceHarness,
) -> None:
    host = uuid.uuid4()
    async with events.session() as session:
        ids = [an_event_row(session, host, starts_in_days=i + 1, sessions=2) for i in range(100)]
        await session.commit()
    representations = [{"__typename": "Event", "id": str(i)} for i in reversed(ids)]
    fields = 'id title(lang: "fi") totalCpdHours sessions { id cpdHours } hostCentre { id }'
    with counting_queries(events) as statements:
        result = await graphql(events, ENTITIES % ("Event", fields), r=representations)
    entities = result["data"]["_entities"]
    assert [e["id"] for e in entities] == [str(i) for i in reversed(ids)]
    assert entities[0]["title"].startswith("Tapahtuma")
    assert entities[0]["totalCpdHours"] == 7.0
    assert len(entities[0]["sessions"]) == 2
    assert entities[0]["hostCentre"] == {"id": str(host)}
    assert len(statements) == 2, statements


async def test_fifty_centres_get_their_events_in_a_constant_number_of_queries(
    events: ServiceHarness,
) -> None:
    centres = [uuid.uuid4() for _ in range(50)]
    expected: dict[uuid.UUID, list[tuple[int, uuid.UUID]]] = {c: [] for c in centres}
    async with events.session() as session:
        for index, centre in enumerate(centres):
            partner = centres[(index + 1) % len(centres)]
            for days in (20 + index, 10 + index):
                expected[centre].append((days, an_event_row(session, centre, starts_in_days=days)))
            # Co-hosting a partner's event puts it in the partner's list too.
            days = 15 + index
            shared = an_event_row(session, centre, starts_in_days=days, co_hosts=(partner,))
            expected[centre].append((days, shared))
            expected[partner].append((days, shared))
        await session.commit()
    representations = [{"__typename": "Centre", "id": str(c)} for c in centres]
    fields = (
        "id events(first: 3) { edges { node { id title sessions { cpdHours } } }"
        " pageInfo { hasNextPage } }"
    )
    with counting_queries(events) as statements:
        result = await graphql(events, ENTITIES % ("Centre", fields), r=representations)
    assert "errors" not in result, result
    for centre, entity in zip(centres, result["data"]["_entities"], strict=True):
        soonest = [str(event_id) for _, event_id in sorted(expected[centre])]
        assert [e["node"]["id"] for e in entity["events"]["edges"]] == soonest[:3]
        assert entity["events"]["pageInfo"]["hasNextPage"] is True
    assert len(statements) == 2, statements


async def test_centre_events_lists_upcoming_hosted_and_co_hosted_events_soonest_first(
    events: ServiceHarness,
) -> None:
    centre, other = uuid.uuid4(), uuid.uuid4()
    async with events.session() as session:
        past = an_event_row(session, centre, starts_in_days=-3)
        third = an_event_row(session, centre, starts_in_days=30)
        first = an_event_row(session, other, starts_in_days=5, co_hosts=(centre,))
        second = an_event_row(session, centre, starts_in_days=12)
        draft = an_event_row(session, centre, starts_in_days=6, status="draft")
        cancelled = an_event_row(session, centre, starts_in_days=7, status="cancelled")
        elsewhere = an_event_row(session, other, starts_in_days=8)
        await session.commit()
    query = """
      query($r: [_Any!]!, $after: String) {
        _entities(representations: $r) {
          ... on Centre { events(first: 2, after: $after) {
            edges { cursor node { id coHostCentres { id } } } pageInfo { hasNextPage endCursor }
          } }
        }
      }"""
    r = [{"__typename": "Centre", "id": str(centre)}]
    page_one = (await graphql(events, query, r=r))["data"]["_entities"][0]["events"]
    page_two = (await graphql(events, query, r=r, after=page_one["pageInfo"]["endCursor"]))["data"][
        "_entities"
    ][0]["events"]
    listed = [e["node"]["id"] for e in page_one["edges"] + page_two["edges"]]
    assert listed == [str(first), str(second), str(third)]
    assert page_one["pageInfo"]["hasNextPage"] is True
    assert page_two["pageInfo"]["hasNextPage"] is False
    assert page_one["edges"][0]["node"]["coHostCentres"] == [{"id": str(centre)}]
    assert not {str(past), str(draft), str(cancelled), str(elsewhere)} & set(listed)


async def test_the_events_root_filters_like_rest_and_pages_with_cursors(
    events: ServiceHarness,
) -> None:
    york, helsinki = uuid.uuid4(), uuid.uuid4()
    async with events.session() as session:
        residential = an_event_row(
            session,
            york,
            starts_in_days=9,
            kind="residential",
            country="GB",
            region="UKE2",
            lat=53.96,
            lon=-1.087,
            languages=["en"],
        )
        fair = an_event_row(session, helsinki, starts_in_days=4, kind="science_fair")
        workshop = an_event_row(session, helsinki, starts_in_days=2, kind="workshop")
        an_event_row(session, helsinki, starts_in_days=-2, kind="workshop")
        await session.commit()
    query = """
      query($filter: EventFilter, $after: String) {
        events(filter: $filter, first: 1, after: $after) {
          edges { node { id kind } } pageInfo { hasNextPage endCursor }
        }
      }"""
    near_helsinki = {"near": {"lat": 60.17, "lon": 24.94, "radiusKm": 50}}
    one = (await graphql(events, query, filter=near_helsinki))["data"]["events"]
    two = (await graphql(events, query, filter=near_helsinki, after=one["pageInfo"]["endCursor"]))[
        "data"
    ]["events"]
    assert [e["node"]["id"] for e in one["edges"] + two["edges"]] == [str(workshop), str(fair)]
    assert two["pageInfo"]["hasNextPage"] is False

    async def ids(filter: dict[str, Any]) -> list[str]:
        found = await graphql(events, query.replace("first: 1", "first: 50"), filter=filter)
        return [e["node"]["id"] for e in found["data"]["events"]["edges"]]

    assert await ids({"kinds": ["residential"], "languages": ["en"]}) == [str(residential)]
    assert await ids({"country": "GB", "region": "UKE"}) == [str(residential)]
    assert await ids({"centre": str(helsinki), "startsBefore": in_days(3)}) == [str(workshop)]


async def test_drafts_are_never_shown(events: ServiceHarness) -> None:
    host = uuid.uuid4()
    async with events.session() as session:
        draft = an_event_row(session, host, starts_in_days=3, status="draft")
        await session.commit()
    result = await graphql(
        events,
        """query($id: ID!, $r: [_Any!]!) {
             event(id: $id) { id }
             _entities(representations: $r) { ... on Event { id } }
             events(filter: {centre: $id}) { nodes { id } }
           }""",
        id=str(draft),
        r=[{"__typename": "Event", "id": str(draft)}],
    )
    assert result["data"] == {"event": None, "_entities": [None], "events": {"nodes": []}}


async def test_an_event_reads_the_same_in_graphql_as_in_rest(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    co_host = await a_host_centre(directory, name={"en": "Co-host"})
    created = await an_event(
        events,
        host,
        co_host_centre_ids=[co_host],
        kind="residential",
        subjects=["physics"],
        starts_at=in_days(30),
        ends_at=in_days(31),
        sessions=[
            {"starts_at": in_days(30.1), "ends_at": in_days(30.2), "cpd_hours": "6.5"},
            {"starts_at": in_days(30.5), "ends_at": in_days(30.7), "cpd_hours": "5"},
        ],
    )
    await register(events, created["id"], "teacher-1")
    query = """query($id: ID!) { event(id: $id) {
        id title(lang: "fi") titles { lang text } kind deliveryMode subjects country region
        startsAt capacity seatsAvailable waitlistAvailable status totalCpdHours
        sessions { cpdHours } hostCentre { id } coHostCentres { id }
    } }"""
    got = (await graphql(events, query, id=created["id"]))["data"]["event"]
    assert got["title"] == created["title"]["fi"]
    assert {t["lang"]: t["text"] for t in got["titles"]} == created["title"]
    assert (got["kind"], got["deliveryMode"], got["subjects"]) == (
        "residential",
        "face_to_face",
        ["physics"],
    )
    assert (got["country"], got["region"]) == ("FI", "FI1B")
    assert (got["capacity"], got["seatsAvailable"], got["waitlistAvailable"]) == (2, 1, 2)
    assert got["totalCpdHours"] == 11.5
    assert [s["cpdHours"] for s in got["sessions"]] == [6.5, 5.0]
    assert got["hostCentre"] == {"id": host}
    assert got["coHostCentres"] == [{"id": co_host}]


async def test_my_registrations_are_the_callers_own_and_need_a_token(
    events: ServiceHarness,
) -> None:
    host = uuid.uuid4()
    async with events.session() as session:
        mine = an_event_row(session, host, starts_in_days=3)
        theirs = an_event_row(session, host, starts_in_days=4)
        await session.flush()
        for event_id, teacher in ((mine, "teacher-me"), (theirs, "teacher-other")):
            session.add(
                Registration(
                    event_id=event_id, teacher_id=teacher, registered_by=teacher, status="confirmed"
                )
            )
        await session.commit()
    query = "{ myRegistrations { nodes { status event { id title } } } }"
    anonymous = await graphql(events, query)
    assert anonymous["data"] is None
    assert "needs a bearer token" in anonymous["errors"][0]["message"]
    token = events.token("teacher", sub="teacher-me")
    nodes = (await graphql(events, query, token=token))["data"]["myRegistrations"]["nodes"]
    assert [(n["status"], n["event"]["id"]) for n in nodes] == [("confirmed", str(mine))]


async def test_bad_input_is_reported_not_crashed(events: ServiceHarness) -> None:
    # One request each: a failing non-null root field nulls the whole response's data.
    for query, complaint in (
        ('{ event(id: "nope") { id } }', "not a valid id"),
        ("{ events(first: 500) { nodes { id } } }", "first: must be between 1 and 200"),
        ('{ events(after: "bm90LWEtY3Vyc29y") { nodes { id } } }', "cursor"),
        ("{ events(filter: {near: {lat: 95, lon: 0}}) { nodes { id } } }", "filter.near"),
        ('{ events(filter: {startsAfter: "2030-01-01T00:00:00"}) { nodes { id } } }', "offset"),
    ):
        result = await graphql(events, query)
        assert complaint in result["errors"][0]["message"], (query, result)


async def test_a_cursor_this_api_never_issued_is_refused_on_centre_events(
    events: ServiceHarness,
) -> None:
    query = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) {
        ... on Centre { events(after: $after) { nodes { id } } } } }"""
    centre = {"__typename": "Centre", "id": str(uuid.uuid4())}
    result = await graphql(events, query, r=[centre], after=NAIVE_CURSOR)
    assert "cursor" in result["errors"][0]["message"]


async def test_the_subgraph_publishes_event_and_centre_entities(events: ServiceHarness) -> None:
    sdl = (await graphql(events, "{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert "specs.apollo.dev/federation/v2" in sdl
    assert 'type Event @key(fields: "id")' in sdl
    assert 'type Centre @key(fields: "id")' in sdl


async def test_the_ledger_is_in_graphql_for_its_teacher_only(events: ServiceHarness) -> None:
    async with events.as_role("platform_admin") as admin:
        credit = await admin.post(
            "/v1/ledger/credits",
            json={
                "teacher_id": "ledger-teacher",
                "hours": "12.5",
                "source": "exchange",
                "source_key": "mobility-1",
                "title": {"en": "Job shadowing in Turku"},
                "occurred_on": "2026-10-01",
            },
        )
    assert credit.status_code == 201, credit.text
    query = "{ myLedger { totalHours goalHours remainingHours entries { source hours title } } }"
    async with events.as_role("teacher", sub="ledger-teacher") as teacher:
        mine = (await teacher.post("/graphql", json={"query": query})).json()
    async with events.as_role("teacher", sub="someone-else") as other:
        theirs = (
            await other.post(
                "/graphql",
                json={"query": '{ teacherLedger(teacherId: "ledger-teacher") { totalHours } }'},
            )
        ).json()
    ledger = mine["data"]["myLedger"]
    assert ledger["totalHours"] == "12.50"
    assert ledger["remainingHours"] == "67.50"
    assert ledger["entries"] == [
        {"source": "exchange", "hours": "12.50", "title": "Job shadowing in Turku"}
    ]
    assert theirs["data"] is None
    assert "No ledger" in theirs["errors"][0]["message"]
