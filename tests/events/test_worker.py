"""The background worker: unanswered offers pass on; go/no-go cancels thin events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.registrations.worker import run_due_work
from shared.testing import ServiceHarness
from tests.events.builders import a_host_centre, an_event, in_days, register


async def _status(events: ServiceHarness, registration_id: str) -> dict[str, object]:
    async with events.as_role("platform_admin") as admin:
        return dict((await admin.get(f"/v1/registrations/{registration_id}")).json())


async def test_an_unanswered_offer_expires_and_passes_to_the_next_person(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(
        events,
        await a_host_centre(directory),
        capacity=1,
        waitlist_capacity=2,
        offer_hold_hours=24,
    )
    _, holder = await register(events, event["id"], "holder")
    _, first = await register(events, event["id"], "first")
    _, second = await register(events, event["id"], "second")
    async with events.as_role("teacher", sub="holder") as client:
        await client.delete(f"/v1/registrations/{holder['id']}")

    too_early = await run_due_work(events.db, now=datetime.now(UTC) + timedelta(hours=23))
    assert too_early.offers_expired == 0
    done = await run_due_work(events.db, now=datetime.now(UTC) + timedelta(hours=25))

    assert (done.offers_expired, done.offers_made) == (1, 1)
    lapsed = await _status(events, first["id"])
    assert (lapsed["status"], lapsed["status_reason"]) == ("cancelled", "offer expired")
    assert (await _status(events, second["id"]))["status"] == "offered"
    async with events.as_role("teacher", sub="first") as client:
        late = await client.post(f"/v1/registrations/{first['id']}/accept")
    assert late.status_code == 409


async def test_below_the_minimum_at_the_decision_date_the_event_and_its_registrations_are_cancelled(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    thin = await an_event(events, host, capacity=10, min_participants=3, go_no_go_at=in_days(20))
    healthy = await an_event(events, host, capacity=10, min_participants=1, go_no_go_at=in_days(20))
    _, registration = await register(events, thin["id"], "lonely")
    await register(events, healthy["id"], "keen")

    done = await run_due_work(events.db, now=datetime.now(UTC) + timedelta(days=21))
    again = await run_due_work(events.db, now=datetime.now(UTC) + timedelta(days=22))

    assert (done.events_cancelled, done.events_confirmed) == (1, 1)
    assert (again.events_cancelled, again.events_confirmed) == (0, 0)
    async with events.client() as client:
        cancelled = (await client.get(f"/v1/events/{thin['id']}")).json()
        kept = (await client.get(f"/v1/events/{healthy['id']}")).json()
    assert cancelled["status"] == "cancelled"
    assert "1 of the 3" in cancelled["status_reason"]
    assert kept["status"] == "scheduled"
    assert (await _status(events, registration["id"]))["status"] == "cancelled"


async def test_cancelling_an_event_cancels_every_registration(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(events, host, capacity=1, waitlist_capacity=1)
    _, seated = await register(events, event["id"], "a")
    _, waiting = await register(events, event["id"], "b")
    async with events.as_role("centre_manager", centres=[host]) as manager:
        response = await manager.post(
            f"/v1/events/{event['id']}/cancel", json={"reason": "storm warning"}
        )
    assert response.json()["status"] == "cancelled"
    assert response.json()["seats_available"] == 1
    for registration in (seated, waiting):
        assert (await _status(events, registration["id"]))["status"] == "cancelled"
