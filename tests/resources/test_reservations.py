"""Reserving: pool quantities, the turnaround buffer, blackouts, maintenance, cancelling."""

from __future__ import annotations

from typing import Any

import pytest

from shared.testing import ServiceHarness
from tests.resources.builders import a_centre, a_kit, day, free_per_day, reserve


async def _as_manager(
    resources: ServiceHarness, owner: str, method: str, path: str, **kwargs: Any
) -> Any:
    async with resources.as_role("centre_manager", centres=[owner]) as manager:
        return await manager.request(method, path, **kwargs)


async def test_a_reservation_takes_items_only_on_its_days(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=3)
    status, reservation = await reserve(resources, kit["id"], "t1", 10, 12, quantity=2)
    assert status == 201, reservation
    assert reservation["status"] == "confirmed"
    assert reservation["borrower_id"] == "t1"
    assert reservation["blocks_until"] == day(12)
    assert await free_per_day(resources, kit["id"], 9, 13) == [3, 1, 1, 1, 3]


async def test_a_request_that_only_collides_with_the_turnaround_buffer_is_refused(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1, turnaround_days=2)
    first = await reserve(resources, kit["id"], "t1", 10, 12)
    in_buffer = await reserve(resources, kit["id"], "t2", 13, 14)
    buffer_runs_into_it = await reserve(resources, kit["id"], "t3", 7, 9)
    after_buffer = await reserve(resources, kit["id"], "t4", 15, 16)
    assert first[0] == 201 and first[1]["blocks_until"] == day(14)
    # Days 13 and 14 are free of borrowers, but the kit is being cleaned and restocked.
    assert in_buffer[0] == 409
    assert in_buffer[1]["max_free"] == 0
    # Its own days are free, but its own turnaround would eat into the first loan.
    assert buffer_runs_into_it[0] == 409
    assert after_buffer[0] == 201


async def test_back_to_back_reservations_both_succeed_without_a_buffer(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1, turnaround_days=0)
    first = await reserve(resources, kit["id"], "t1", 10, 12)
    second = await reserve(resources, kit["id"], "t2", 13, 15)
    before = await reserve(resources, kit["id"], "t3", 8, 9)
    overlapping = await reserve(resources, kit["id"], "t4", 12, 13)
    assert [first[0], second[0], before[0], overlapping[0]] == [201, 201, 201, 409]
    assert await free_per_day(resources, kit["id"], 8, 16) == [0] * 8 + [1]


async def test_availability_counts_reservations_turnaround_maintenance_and_blackouts_per_day(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=3, turnaround_days=1)
    assert (await reserve(resources, kit["id"], "t1", 10, 11, quantity=2))[0] == 201
    held = await _as_manager(
        resources,
        owner,
        "POST",
        f"/v1/kits/{kit['id']}/maintenance",
        json={"quantity": 1, "starts_on": day(12), "ends_on": day(13), "reason": "new sensors"},
    )
    closed = await _as_manager(
        resources,
        owner,
        "POST",
        f"/v1/kits/{kit['id']}/blackouts",
        json={"starts_on": day(14), "ends_on": day(14), "reason": "centre closed"},
    )
    assert (held.status_code, closed.status_code) == (201, 201)
    async with resources.client() as client:
        response = await client.get(
            f"/v1/kits/{kit['id']}/availability", params={"from": day(9), "to": day(15)}
        )
    body = response.json()
    rows = [
        (d["reserved"], d["turnaround"], d["held"], d["closed"], d["free"]) for d in body["days"]
    ]
    assert rows == [
        (0, 0, 0, False, 3),  # day 9
        (2, 0, 0, False, 1),  # 10: two out with a borrower
        (2, 0, 0, False, 1),  # 11
        (0, 2, 1, False, 0),  # 12: two in turnaround, one in maintenance
        (0, 0, 1, False, 2),  # 13
        (0, 0, 0, True, 0),  # 14: blackout
        (0, 0, 0, False, 3),  # 15
    ]
    assert body["max_free"] == 0
    assert [d["day"] for d in body["days"]] == [day(n) for n in range(9, 16)]


async def test_a_refusal_says_how_many_are_free_and_the_nearest_dates_that_fit(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=3, turnaround_days=0)
    await reserve(resources, kit["id"], "t1", 10, 12, quantity=2)
    status, problem = await reserve(resources, kit["id"], "t2", 11, 12, quantity=2)
    assert status == 409
    assert problem["type"] == "urn:pdnet:problem:reservation-conflict"
    assert problem["requested"] == 2
    assert problem["max_free"] == 1
    assert problem["alternatives"] == [
        {"starts_on": day(8), "ends_on": day(9)},
        {"starts_on": day(13), "ends_on": day(14)},
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_on": day(12), "ends_on": day(10)}, "body.ends_on"),
        ({"quantity": 0, "starts_on": day(10), "ends_on": day(12)}, "body.quantity"),
        ({"quantity": -2, "starts_on": day(10), "ends_on": day(12)}, "body.quantity"),
        ({"starts_on": day(10), "ends_on": day(10 + 366)}, "body.ends_on"),
        ({"starts_on": day(-3), "ends_on": day(2)}, "body.starts_on"),
        ({"starts_on": "next tuesday", "ends_on": day(2)}, "body.starts_on"),
    ],
    ids=["reversed", "zero", "negative", "over-a-year", "in-the-past", "not-a-date"],
)
async def test_bad_ranges_and_quantities_are_clear_422_problems(
    resources: ServiceHarness, directory: ServiceHarness, body: dict[str, Any], field: str
) -> None:
    kit = await a_kit(resources, await a_centre(directory))
    async with resources.as_role("teacher", sub="t1") as client:
        response = await client.post(f"/v1/kits/{kit['id']}/reservations", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert problem["detail"].startswith(field)


async def test_a_request_for_more_than_the_pool_is_a_409_not_a_crash(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=3)
    status, problem = await reserve(resources, kit["id"], "t1", 10, 12, quantity=4)
    assert status == 409
    assert problem["max_free"] == 3
    assert problem["alternatives"] == []


async def test_cancelling_gives_the_days_and_their_turnaround_back(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=2, turnaround_days=1)
    _, mine = await reserve(resources, kit["id"], "t1", 10, 12, quantity=2)
    assert (await reserve(resources, kit["id"], "t2", 11, 11))[0] == 409
    async with resources.as_role("teacher", sub="t1") as t1:
        cancelled = await t1.delete(f"/v1/reservations/{mine['id']}")
        again = await t1.delete(f"/v1/reservations/{mine['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409 and again.json()["current_status"] == "cancelled"
    assert await free_per_day(resources, kit["id"], 10, 13) == [2, 2, 2, 2]
    assert (await reserve(resources, kit["id"], "t2", 11, 11))[0] == 201


async def test_a_teacher_sees_and_cancels_only_their_own_reservations(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=3)
    _, mine = await reserve(resources, kit["id"], "owner-teacher", 10, 12)
    _, theirs = await reserve(resources, kit["id"], "other-teacher", 10, 12)
    async with resources.as_role("teacher", sub="other-teacher") as stranger:
        seen = await stranger.get(f"/v1/reservations/{mine['id']}")
        cancelled = await stranger.delete(f"/v1/reservations/{mine['id']}")
        listing = await stranger.get(f"/v1/kits/{kit['id']}/reservations")
        own = await stranger.get("/v1/reservations")
    staff = await _as_manager(resources, owner, "GET", f"/v1/kits/{kit['id']}/reservations")
    async with resources.client() as anonymous:
        refused = await anonymous.get(f"/v1/kits/{kit['id']}/reservations")
    assert (seen.status_code, cancelled.status_code) == (404, 404)
    assert [r["id"] for r in listing.json()["items"]] == [theirs["id"]]
    assert [r["id"] for r in own.json()["items"]] == [theirs["id"]]
    assert sorted(r["borrower_id"] for r in staff.json()["items"]) == [
        "other-teacher",
        "owner-teacher",
    ]
    assert refused.status_code == 401


async def test_staff_may_reserve_for_a_teacher_but_a_teacher_not_for_someone_else(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner)
    body = {"starts_on": day(5), "ends_on": day(6), "borrower_id": "teacher-7"}
    by_staff = await _as_manager(
        resources, owner, "POST", f"/v1/kits/{kit['id']}/reservations", json=body
    )
    async with resources.as_role("teacher", sub="teacher-8") as teacher:
        by_teacher = await teacher.post(f"/v1/kits/{kit['id']}/reservations", json=body)
    assert by_staff.status_code == 201
    assert by_staff.json()["borrower_id"] == "teacher-7"
    assert by_teacher.status_code == 403


async def test_a_blackout_refuses_loans_on_its_days_but_not_turnaround_over_them(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=1, turnaround_days=2)
    response = await _as_manager(
        resources,
        owner,
        "POST",
        f"/v1/kits/{kit['id']}/blackouts",
        json={"starts_on": day(13), "ends_on": day(14)},
    )
    assert response.status_code == 201
    assert (await reserve(resources, kit["id"], "t1", 12, 13))[0] == 409
    # Returned on day 12; cleaning on 13 and 14 while the centre is closed to borrowers.
    assert (await reserve(resources, kit["id"], "t2", 10, 12))[0] == 201
    reopen = await _as_manager(
        resources, owner, "DELETE", f"/v1/kits/{kit['id']}/blackouts/{response.json()['id']}"
    )
    assert reopen.status_code == 204
    assert await free_per_day(resources, kit["id"], 15, 15) == [1]


async def test_a_blackout_over_booked_days_is_refused(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=2)
    await reserve(resources, kit["id"], "t1", 10, 12)
    response = await _as_manager(
        resources,
        owner,
        "POST",
        f"/v1/kits/{kit['id']}/blackouts",
        json={"starts_on": day(12), "ends_on": day(20)},
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:pdnet:problem:calendar-conflict"


async def test_maintenance_holds_block_items_until_released(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=2)
    path = f"/v1/kits/{kit['id']}/maintenance"
    hold = await _as_manager(
        resources, owner, "POST", path, json={"quantity": 2, "starts_on": day(3), "ends_on": day(5)}
    )
    too_many = await _as_manager(
        resources, owner, "POST", path, json={"quantity": 1, "starts_on": day(5), "ends_on": day(6)}
    )
    assert (hold.status_code, too_many.status_code) == (201, 409)
    assert (await reserve(resources, kit["id"], "t1", 4, 4))[0] == 409
    released = await _as_manager(resources, owner, "DELETE", f"{path}/{hold.json()['id']}")
    assert released.json()["status"] == "released"
    assert (await reserve(resources, kit["id"], "t1", 4, 4))[0] == 201


async def test_digital_materials_are_not_reservable(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    material = await a_kit(
        resources,
        await a_centre(directory),
        kind="digital",
        quantity=0,
        link="https://example.org/ibse-unit.pdf",
        licence="CC-BY-4.0",
    )
    status, problem = await reserve(resources, material["id"], "t1", 3, 4)
    assert material["reservable"] is False
    assert status == 409
    assert problem["type"] == "urn:pdnet:problem:not-reservable"


async def test_a_retried_reservation_with_the_same_key_gets_the_first_answer(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=2)
    body = {"starts_on": day(3), "ends_on": day(4)}
    headers = {"Idempotency-Key": "retry-1"}
    async with resources.as_role("teacher", sub="t1") as t1:
        first = await t1.post(f"/v1/kits/{kit['id']}/reservations", json=body, headers=headers)
        retry = await t1.post(f"/v1/kits/{kit['id']}/reservations", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    assert await free_per_day(resources, kit["id"], 3, 3) == [1]
