"""Registering: places, the waitlist, offers, cancellations, teams, approval, retries."""

from __future__ import annotations

from shared.testing import ServiceHarness
from tests.events.builders import a_host_centre, an_event, register


async def test_places_then_waitlist_then_a_clear_409(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory), capacity=1, waitlist_capacity=1)
    first = await register(events, event["id"], "t1")
    second = await register(events, event["id"], "t2")
    third = await register(events, event["id"], "t3")
    assert (first[0], first[1]["status"]) == (201, "confirmed")
    assert (second[0], second[1]["status"], second[1]["waitlist_position"]) == (
        201,
        "waitlisted",
        1,
    )
    assert third[0] == 409
    assert third[1]["seats_available"] == 0 and third[1]["waitlist_available"] == 0
