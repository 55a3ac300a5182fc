"""Concurrency: the last places, cancellations and background workers under real contention.

These tests use a committing app (each request its own transaction, as in production), so
PostgreSQL's locks and constraints are what is being tested.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from events.models import Event, Registration
from events.registrations.worker import expire_offers
from shared.testing import OpenService, ServiceHarness
from tests.events.builders import a_host_centre, an_event


@pytest.fixture
async def live_events(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    async with open_service(
        "events", isolated=False, peers={"directory": directory.app}
    ) as harness:
        yield harness


async def _register_all(svc: ServiceHarness, event_id: str, teachers: list[str]) -> list[Any]:
    async def one(teacher: str) -> Any:
        async with svc.as_role("teacher", sub=teacher) as client:
            return await client.post(f"/v1/events/{event_id}/registrations", json={})

    return list(await asyncio.gather(*(one(t) for t in teachers)))


async def _registrations(svc: ServiceHarness, event_id: str) -> list[Registration]:
    async with svc.db.session() as session:
        rows = await session.execute(select(Registration).where(Registration.event_id == event_id))
        return list(rows.scalars())


async def _event_row(svc: ServiceHarness, event_id: str) -> Event:
    async with svc.db.session() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event


@pytest.mark.slow
async def test_300_concurrent_registrations_fill_25_places_and_100_waitlist_places_exactly(
    live_events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(live_events, host, capacity=25, waitlist_capacity=100)
    responses = await _register_all(live_events, event["id"], [f"t{i}" for i in range(300)])

    outcomes = Counter(
        r.json()["status"] if r.status_code == 201 else r.status_code for r in responses
    )
    assert outcomes == {"confirmed": 25, "waitlisted": 100, 409: 175}
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 409
    )
    rows = await _registrations(live_events, event["id"])
    waiting = sorted((r for r in rows if r.status == "waitlisted"), key=lambda r: r.requested_at)
    # Arrival order: the queue follows the order in which requests got through.
    assert [r.waitlist_position for r in waiting] == list(range(1, 101))
    stored = await _event_row(live_events, event["id"])
    assert (stored.seats_taken, stored.waitlist_count) == (25, 100)


@pytest.mark.slow
async def test_50_concurrent_cancellations_promote_exactly_the_first_50_waiting(
    live_events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(live_events, host, capacity=50, waitlist_capacity=100)
    confirmed = await _register_all(live_events, event["id"], [f"c{i}" for i in range(50)])
    for i in range(100):  # one by one, so the queue order is known
        await _register_all(live_events, event["id"], [f"w{i:03}"])

    async def cancel(response: Any) -> int:
        registration = response.json()
        async with live_events.as_role("teacher", sub=registration["teacher_id"]) as client:
            return (await client.delete(f"/v1/registrations/{registration['id']}")).status_code

    statuses = await asyncio.gather(*(cancel(r) for r in confirmed))
    assert set(statuses) == {200}
    rows = await _registrations(live_events, event["id"])
    offered = sorted(r.teacher_id for r in rows if r.status == "offered")
    assert offered == [f"w{i:03}" for i in range(50)]
    stored = await _event_row(live_events, event["id"])
    assert (stored.seats_taken, stored.waitlist_count) == (50, 50)


@pytest.mark.slow
async def test_two_workers_expiring_offers_at_once_never_give_a_place_twice(
    live_events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(live_events, host, capacity=10, waitlist_capacity=30)
    holders = await _register_all(live_events, event["id"], [f"h{i}" for i in range(10)])
    for i in range(30):
        await _register_all(live_events, event["id"], [f"q{i:02}"])
    for response in holders:  # 10 offers go out to q00..q09
        registration = response.json()
        async with live_events.as_role("teacher", sub=registration["teacher_id"]) as client:
            await client.delete(f"/v1/registrations/{registration['id']}")

    later = datetime.now(UTC) + timedelta(hours=event["offer_hold_hours"] + 1)
    first, second = await asyncio.gather(
        expire_offers(live_events.db, now=later), expire_offers(live_events.db, now=later)
    )
    rows = await _registrations(live_events, event["id"])
    by_status = Counter(r.status for r in rows)
    assert first.offers_expired + second.offers_expired == 10
    assert first.offers_made + second.offers_made == 10
    assert sorted(r.teacher_id for r in rows if r.status == "offered") == [
        f"q{i:02}" for i in range(10, 20)
    ]
    stored = await _event_row(live_events, event["id"])
    assert stored.seats_taken == by_status["offered"] == 10
    assert stored.waitlist_count == by_status["waitlisted"] == 10
