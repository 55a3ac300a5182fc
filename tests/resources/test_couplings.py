"""Couplings with the events service: a kit lent only to teachers who attended a course."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import OpenService, ServiceHarness
from tests.events.builders import an_event, register
from tests.resources.builders import a_centre, a_kit, day, reserve

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
