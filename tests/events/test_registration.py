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


async def test_cancelling_offers_the_place_to_the_next_in_line_who_can_accept(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory), capacity=1, waitlist_capacity=2)
    _, first = await register(events, event["id"], "t1")
    _, second = await register(events, event["id"], "t2")
    _, third = await register(events, event["id"], "t3")
    async with events.as_role("teacher", sub="t1") as t1:
        cancelled = await t1.delete(f"/v1/registrations/{first['id']}")
    async with events.as_role("teacher", sub="t2") as t2:
        offered = (await t2.get(f"/v1/registrations/{second['id']}")).json()
        accepted = await t2.post(f"/v1/registrations/{second['id']}/accept")
    async with events.as_role("teacher", sub="t3") as t3:
        still_waiting = (await t3.get(f"/v1/registrations/{third['id']}")).json()
    assert cancelled.json()["status"] == "cancelled"
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    assert accepted.json()["status"] == "confirmed"
    assert still_waiting["status"] == "waitlisted"
    assert still_waiting["waitlist_position"] == 1


async def test_a_teacher_sees_and_cancels_only_their_own_registrations(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(events, host)
    _, mine = await register(events, event["id"], "owner")
    async with events.as_role("teacher", sub="stranger") as stranger:
        seen = await stranger.get(f"/v1/registrations/{mine['id']}")
        cancelled = await stranger.delete(f"/v1/registrations/{mine['id']}")
    async with events.as_role("centre_manager", centres=[host]) as staff:
        staff_view = await staff.get(f"/v1/registrations/{mine['id']}")
        listing = await staff.get(f"/v1/events/{event['id']}/registrations")
    assert seen.status_code == 404
    assert cancelled.status_code == 404
    assert staff_view.status_code == 200
    assert [r["teacher_id"] for r in listing.json()["items"]] == ["owner"]


async def test_cancelling_twice_is_a_409_naming_the_state(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory))
    _, mine = await register(events, event["id"], "t1")
    async with events.as_role("teacher", sub="t1") as t1:
        await t1.delete(f"/v1/registrations/{mine['id']}")
        again = await t1.delete(f"/v1/registrations/{mine['id']}")
    assert again.status_code == 409
    assert again.json()["current_status"] == "cancelled"
    assert again.json()["allowed_next"] == []


async def test_registering_twice_for_the_same_event_is_refused(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory))
    await register(events, event["id"], "t1")
    status, body = await register(events, event["id"], "t1")
    assert status == 409
    assert body["type"].endswith("already-registered")


async def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_result(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory))
    path = f"/v1/events/{event['id']}/registrations"
    async with events.as_role("teacher", sub="t1") as t1:
        first = await t1.post(path, json={}, headers={"Idempotency-Key": "k-1"})
        retry = await t1.post(path, json={}, headers={"Idempotency-Key": "k-1"})
        different = await t1.post(
            path, json={"school": "Other"}, headers={"Idempotency-Key": "k-1"}
        )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert different.status_code == 409
    async with events.as_role("centre_manager", centres=[event["host_centre_id"]]) as staff:
        listing = await staff.get(f"/v1/events/{event['id']}/registrations")
    assert len(listing.json()["items"]) == 1


async def test_a_school_team_gets_places_all_together_or_waits_all_together(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event(events, await a_host_centre(directory), capacity=3, waitlist_capacity=3)
    await register(events, event["id"], "solo")
    status, team = await register(events, event["id"], "lead", team=["lead", "t2", "t3"])
    too_big_status, _ = await register(events, event["id"], "x", team=["x1", "x2", "x3", "x4"])
    assert status == 201
    assert [m["status"] for m in team["team"]] == ["waitlisted"] * 3
    assert len({m["group_id"] for m in team["team"]}) == 1
    assert too_big_status == 409
    # One seat freeing up is not enough for the team; nobody behind it jumps the queue.
    async with events.as_role("centre_manager", centres=[event["host_centre_id"]]) as staff:
        solo = (await staff.get(f"/v1/events/{event['id']}/registrations")).json()["items"]
        first = next(r for r in solo if r["teacher_id"] == "solo")
        await staff.delete(f"/v1/registrations/{first['id']}")
        after = (await staff.get(f"/v1/events/{event['id']}/registrations")).json()["items"]
    statuses = {r["teacher_id"]: r["status"] for r in after}
    assert statuses == {"solo": "cancelled", "lead": "offered", "t2": "offered", "t3": "offered"}


async def test_approval_holds_the_seat_until_staff_decide(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(events, host, capacity=1, waitlist_capacity=1, requires_approval=True)
    _, pending = await register(events, event["id"], "t1")
    _, waiting = await register(events, event["id"], "t2")
    async with events.as_role("teacher", sub="t1") as t1:
        self_approval = await t1.post(f"/v1/registrations/{pending['id']}/approve", json={})
    async with events.as_role("centre_manager", centres=[host]) as staff:
        rejected = await staff.post(
            f"/v1/registrations/{pending['id']}/reject", json={"reason": "not a teacher"}
        )
        promoted = await staff.get(f"/v1/registrations/{waiting['id']}")
    assert pending["status"] == "pending_approval"
    assert self_approval.status_code == 403
    assert rejected.json()["status"] == "rejected"
    assert promoted.json()["status"] == "offered"


async def test_registration_outside_the_window_is_refused(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    from tests.events.builders import in_days

    event = await an_event(events, await a_host_centre(directory), registration_opens_at=in_days(5))
    status, body = await register(events, event["id"], "early")
    assert status == 409
    assert "opens" in body["detail"]
