"""The demo events: loaded once into an empty database, consistent, and hosted by demo centres."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from directory.demo.load import DEMO_FILE as DIRECTORY_DEMO_FILE
from directory.demo.load import demo_id as directory_demo_id
from events.demo.load import demo_data, demo_teacher, seed
from events.demo.synthetic import seed_synthetic
from events.models import SEAT_HOLDING, Event, Registration, Session
from shared.clock import utcnow
from shared.testing import ServiceHarness


async def load_demo(events: ServiceHarness, **options: int) -> str:
    async with events.session() as session:
        summary = await seed(session, **options)
        await session.commit()
    return summary


async def test_the_demo_loads_upcoming_multilingual_multi_session_events(
    events: ServiceHarness,
) -> None:
    summary = await load_demo(events)
    async with events.session() as session:
        rows = list((await session.execute(select(Event))).scalars())
        sessions = Counter((await session.execute(select(Session.event_id))).scalars().all())
    now = utcnow()
    upcoming = [e for e in rows if e.starts_at > now and e.status in ("scheduled", "postponed")]
    assert len(upcoming) >= 12, summary
    assert any(e.starts_at < now for e in rows), "some past events"
    assert all(e.starts_at < now + timedelta(days=400) for e in rows)
    assert sum(1 for e in rows if len(e.title) > 1) >= 12, "titles in English and local tongues"
    assert {e.country for e in rows} == {"AT", "FI", "FR", "GB", "IT"}
    assert {e.kind for e in rows} >= {"residential", "science_fair", "course", "seminar"}
    assert max(sessions.values()) >= 10, "a long programme with many sessions"
    assert any(e.requires_approval for e in upcoming)
    assert any(e.co_host_centre_ids for e in upcoming)


async def test_demo_counters_match_the_registration_rows_and_some_events_are_full(
    events: ServiceHarness,
) -> None:
    await load_demo(events)
    async with events.session() as session:
        rows = list((await session.execute(select(Event))).scalars())
        registrations = list((await session.execute(select(Registration))).scalars())
    by_event: dict[uuid.UUID, list[Registration]] = {e.id: [] for e in rows}
    for r in registrations:
        by_event[r.event_id].append(r)
    for event in rows:
        mine = by_event[event.id]
        positions = [r.waitlist_position for r in mine if r.status == "waitlisted"]
        assert event.seats_taken == sum(1 for r in mine if r.status in SEAT_HOLDING)
        assert event.waitlist_count == len(positions)
        assert len(set(positions)) == len(positions)
        assert all(p is not None and p < event.next_waitlist_position for p in positions)
        assert all(r.requested_at <= utcnow() for r in mine)
    full = [e for e in rows if e.seats_taken == e.capacity and e.waitlist_count > 0]
    assert len(full) >= 2
    teacher_one = {r.status for r in registrations if r.teacher_id == demo_teacher(1)}
    assert {"confirmed", "waitlisted", "pending_approval"} <= teacher_one


async def test_seeding_again_leaves_the_data_as_it_is(events: ServiceHarness) -> None:
    await load_demo(events)
    async with events.session() as session:
        before = await session.scalar(select(func.count()).select_from(Event))
    assert "left as it is" in await load_demo(events)
    async with events.session() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == before


def test_demo_hosts_are_the_directory_demo_centres_with_their_places() -> None:
    directory = json.loads(DIRECTORY_DEMO_FILE.read_text(encoding="utf-8"))
    truth = {c["key"]: c for c in directory["centres"]}
    data = demo_data()
    for key, centre in data["centres"].items():
        assert centre["id"] == str(directory_demo_id("centre", key)), key
        for fact in ("country", "region", "lat", "lon"):
            assert centre[fact] == truth[key].get(fact), (key, fact)
    for spec in data["events"]:
        assert {spec["host"], *spec.get("co_hosts", [])} <= data["centres"].keys()


async def test_the_demo_is_served_by_rest_and_by_centre_events(events: ServiceHarness) -> None:
    await load_demo(events)
    york = str(directory_demo_id("centre", "gb-nstemc-york"))
    async with events.client() as client:
        listed = (await client.get("/v1/events", params={"limit": 50})).json()["items"]
        response = await client.post(
            "/graphql",
            json={
                "query": "query($r: [_Any!]!) { _entities(representations: $r) {"
                " ... on Centre { events { nodes { title kind totalCpdHours } } } } }",
                "variables": {"r": [{"__typename": "Centre", "id": york}]},
            },
        )
    assert len(listed) >= 12
    assert all(e["status"] != "draft" for e in listed)
    york_events = response.json()["data"]["_entities"][0]["events"]["nodes"]
    # Its own residential courses, and the network meeting it co-hosts in Paris.
    assert {e["kind"] for e in york_events} == {"residential", "network_meeting"}
    assert york_events[0]["totalCpdHours"] == 18.0


async def test_a_demo_teacher_can_sign_in_and_see_their_registrations(
    events: ServiceHarness,
) -> None:
    summary = await load_demo(events)
    assert f"--sub {demo_teacher(1)}" in summary
    token = events.token("teacher", sub=demo_teacher(1))
    async with events.client(token) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ myRegistrations { nodes { status waitlistPosition } } }"},
        )
    nodes = response.json()["data"]["myRegistrations"]["nodes"]
    assert {"status": "waitlisted", "waitlistPosition": 1} in nodes
    assert {n["status"] for n in nodes} >= {"confirmed", "pending_approval", "waitlisted"}


async def test_scale_adds_synthetic_events_over_the_demo_centres_in_batches(
    events: ServiceHarness,
) -> None:
    centres = demo_data()["centres"]
    async with events.session() as session:
        summary = await seed_synthetic(session, centres, count=25, batch=10)
        await session.commit()
    assert summary.startswith("25 synthetic events")
    async with events.session() as session:
        rows = list((await session.execute(select(Event))).scalars())
        session_count = await session.scalar(select(func.count()).select_from(Session))
    hosts = {uuid.UUID(c["id"]) for c in centres.values()}
    assert len(rows) == 25
    assert all(e.host_centre_id in hosts for e in rows)
    assert all(utcnow() < e.starts_at < utcnow() + timedelta(days=731) for e in rows)
    assert session_count is not None and session_count >= 25
