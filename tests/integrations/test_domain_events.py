"""Each service's writes record their domain events in the same transaction: what a
subscriber to the feed sees after a registration, a waitlist promotion, a loan gone overdue."""

from __future__ import annotations

from typing import Any

from resources.worker import mark_overdue
from shared.clock import new_id
from shared.outbox import record
from shared.testing import OpenService, ServiceHarness
from tests.directory.builders import a_centre
from tests.events.builders import a_host_centre, an_event, register
from tests.integrations.test_change_feed import read_feed
from tests.resources.builders import a_kit, as_date, reserve


async def feed_of(svc: ServiceHarness, **params: Any) -> list[dict[str, Any]]:
    async with svc.as_role("platform_admin") as admin:
        items, _ = await read_feed(admin, limit=200, **params)
    return items


async def test_registration_changes_are_announced_in_the_order_they_happened(
    open_service: OpenService,
) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", isolated=False, peers={"directory": directory.app}) as events,
    ):
        host = await a_host_centre(directory)
        event = await an_event(events, host, capacity=1, waitlist_capacity=2)
        _, first = await register(events, event["id"], "teacher-1")
        _, second = await register(events, event["id"], "teacher-2")
        async with events.as_role("teacher", sub="teacher-1") as teacher:
            cancelled = await teacher.delete(f"/v1/registrations/{first['id']}")
            assert cancelled.status_code == 200, cancelled.text
        async with events.as_role("centre_manager", centres=[host]) as manager:
            called_off = await manager.post(
                f"/v1/events/{event['id']}/cancel", json={"reason": "flooded venue"}
            )
            assert called_off.status_code == 200, called_off.text
        changes = await feed_of(events)
        async with events.client() as anonymous:
            public, _ = await read_feed(anonymous, types="registration.promoted")
    assert [(c["type"], c["subject_id"]) for c in changes] == [
        ("event.created", event["id"]),
        ("event.published", event["id"]),
        ("registration.confirmed", first["id"]),
        ("registration.waitlisted", second["id"]),
        ("registration.cancelled", first["id"]),
        ("registration.promoted", second["id"]),
        ("registration.cancelled", second["id"]),
        ("event.cancelled", event["id"]),
    ]
    assert changes[5]["data"]["teacher_id"] == "teacher-2"
    assert changes[-1]["data"]["reason"] == "flooded venue"
    # Registrations name teachers: the public gets the registration's id only.
    assert [(c["subject_id"], c["data"]) for c in public] == [(second["id"], None)]


async def test_reservations_and_overdue_loans_are_announced(open_service: OpenService) -> None:
    async with (
        open_service("directory") as directory,
        open_service("resources", isolated=False, peers={"directory": directory.app}) as resources,
    ):
        owner = await a_host_centre(directory)
        kit = await a_kit(resources, owner)
        status, reservation = await reserve(resources, kit["id"], "teacher-1", 0, 1)
        assert status == 201, reservation
        async with resources.as_role("centre_manager", centres=[owner]) as manager:
            loan = await manager.post(f"/v1/reservations/{reservation['id']}/checkout", json={})
            assert loan.status_code == 201, loan.text
        await mark_overdue(resources.db, today=as_date(5))
        changes = await feed_of(resources)
    assert [(c["type"], c["subject_id"]) for c in changes] == [
        ("kit.created", kit["id"]),
        ("reservation.confirmed", reservation["id"]),
        ("loan.checked_out", loan.json()["id"]),
        ("loan.overdue", loan.json()["id"]),
    ]
    assert changes[-1]["data"]["borrower_id"] == "teacher-1"


async def test_an_event_committed_after_a_later_one_is_still_delivered_after_it(
    open_service: OpenService,
) -> None:
    """The case a sequence taken before commit gets wrong: the slow writer records first,
    the fast one commits first; a reader past the fast event must still get the slow one."""
    async with open_service("directory", isolated=False) as svc, svc.client() as reader:
        slow_id, fast_id = new_id(), new_id()
        async with svc.db.session() as slow:
            await record(slow, type="centre.updated", subject_id=slow_id)
            async with svc.db.session() as fast:
                await record(fast, type="centre.updated", subject_id=fast_id)
                await fast.commit()
            seen, cursor = await read_feed(reader)
            await slow.commit()
        later, _ = await read_feed(reader, cursor)
    assert [c["subject_id"] for c in seen] == [str(fast_id)]
    assert [c["subject_id"] for c in later] == [str(slow_id)]


async def test_an_event_recorded_in_a_transaction_that_rolls_back_is_never_announced(
    open_service: OpenService,
) -> None:
    async with open_service("directory", isolated=False) as svc:
        async with svc.db.session() as session:
            await record(session, type="centre.updated", subject_id=new_id())
            await session.rollback()
        kept = await a_centre(svc)
        async with svc.client() as reader:
            items, _ = await read_feed(reader)
    assert [c["subject_id"] for c in items] == [kept["id"]]
