"""Couplings with the events service: a kit lent only to teachers who attended a course, and
kits reserved for an event, released when it is cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from resources.reservations.event_sync import release_for_cancelled_events
from shared.testing import OpenService, ServiceHarness
from tests.events.builders import an_event, register
from tests.resources.builders import a_centre, a_kit, day, free_per_day, reserve

COURSE = "ABE-BIOTECH-1"


@pytest.fixture
async def events(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    async with open_service("events", peers={"directory": directory.app}) as harness:
        yield harness


@pytest.fixture
async def coupled(
    open_service: OpenService, directory: ServiceHarness, events: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    """The resources service asking the real directory and the real events service."""
    peers = {"directory": directory.app, "events": events.app}
    async with open_service("resources", peers=peers) as harness:
        yield harness


@pytest.fixture
async def committing_events(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    """Events that commit: its change feed numbers events as they commit, so it shows them."""
    async with open_service("events", isolated=False, peers={"directory": directory.app}) as svc:
        yield svc


@pytest.fixture
async def coupled_to_feed(
    open_service: OpenService, directory: ServiceHarness, committing_events: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    peers = {"directory": directory.app, "events": committing_events.app}
    async with open_service("resources", peers=peers) as harness:
        yield harness


async def _attended(events: ServiceHarness, host: str, teacher: str) -> None:
    event = await an_event(events, host, course_key=COURSE, capacity=10)
    _, registration = await register(events, event["id"], teacher)
    records = [
        {"registration_id": registration["id"], "session_id": s["id"], "status": "present"}
        for s in event["sessions"]
    ]
    async with events.as_role("centre_manager", centres=[host]) as staff:
        response = await staff.post(
            f"/v1/events/{event['id']}/attendance", json={"records": records}
        )
    assert response.status_code == 200, response.text


async def test_a_kit_requiring_a_course_is_lent_only_to_teachers_who_attended_it(
    coupled: ServiceHarness, events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_centre(directory)
    await _attended(events, host, "trained-teacher")
    kit = await a_kit(coupled, host, requires_course_key=COURSE)
    trained = await reserve(coupled, kit["id"], "trained-teacher", 5, 6)
    untrained = await reserve(coupled, kit["id"], "new-teacher", 5, 6)
    body = {"starts_on": day(8), "ends_on": day(9), "borrower_id": "new-teacher"}
    async with coupled.as_role("centre_manager", centres=[host]) as staff:
        vouched = await staff.post(f"/v1/kits/{kit['id']}/reservations", json=body)
    assert trained[0] == 201
    assert untrained[0] == 409
    assert untrained[1]["type"] == "urn:pdnet:problem:prerequisite-missing"
    assert untrained[1]["course_key"] == COURSE
    assert vouched.status_code == 201


async def test_with_the_events_service_down_a_course_kit_is_a_503_and_nothing_is_written(
    open_service: OpenService, directory: ServiceHarness
) -> None:
    peers = {"directory": directory.app, "events": "http://127.0.0.1:9"}
    async with open_service("resources", peers=peers) as resources:
        kit = await a_kit(resources, await a_centre(directory), requires_course_key=COURSE)
        status, problem = await reserve(resources, kit["id"], "teacher", 5, 6)
        async with resources.as_role("teacher", sub="teacher") as client:
            mine = (await client.get("/v1/reservations")).json()["items"]
    assert status == 503
    assert problem["title"] == "Events service unavailable"
    assert mine == []


async def test_an_event_reserves_kits_through_its_host_staff_and_cancelling_it_releases_them(
    coupled_to_feed: ServiceHarness, committing_events: ServiceHarness, directory: ServiceHarness
) -> None:
    coupled, events = coupled_to_feed, committing_events
    host = await a_centre(directory)
    lender = await a_centre(directory)
    event = await an_event(events, host, capacity=10)
    kit = await a_kit(coupled, lender, quantity=2)
    body = {"quantity": 2, "starts_on": day(5), "ends_on": day(6), "event_id": event["id"]}
    async with coupled.as_role("centre_manager", centres=[host]) as host_staff:
        for_event = await host_staff.post(f"/v1/kits/{kit['id']}/reservations", json=body)
    async with coupled.as_role("teacher", sub="t1") as teacher:
        by_teacher = await teacher.post(f"/v1/kits/{kit['id']}/reservations", json=body)
        unknown = await teacher.post(
            f"/v1/kits/{kit['id']}/reservations",
            json=body | {"event_id": "00000000-0000-4000-8000-000000000001"},
        )
    assert for_event.status_code == 201, for_event.text
    assert by_teacher.status_code == 403
    assert unknown.status_code == 422
    assert await free_per_day(coupled, kit["id"], 5, 6) == [0, 0]

    async with events.as_role("centre_manager", centres=[host]) as host_staff:
        cancelled = await host_staff.post(
            f"/v1/events/{event['id']}/cancel", json={"reason": "too few registrations"}
        )
    assert cancelled.status_code == 200
    client = coupled.app.state.peers["events"]
    released = await release_for_cancelled_events(coupled.db, client, now=datetime.now(UTC))
    again = await release_for_cancelled_events(coupled.db, client, now=datetime.now(UTC))
    async with coupled.as_role("centre_manager", centres=[lender]) as lender_staff:
        read = (await lender_staff.get(f"/v1/reservations/{for_event.json()['id']}")).json()
    assert (released, again) == (1, 0)
    assert (read["status"], read["status_reason"]) == ("cancelled", "event cancelled")
    assert await free_per_day(coupled, kit["id"], 5, 6) == [2, 2]
