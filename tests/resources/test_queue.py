"""The holds queue: waiting when nothing is free, offers when items come back, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from resources.worker import drop_stale_waits, expire_offers
from shared.testing import ServiceHarness
from tests.resources.builders import a_centre, a_kit, day, free_per_day, reserve


async def _wait(
    resources: ServiceHarness, kit_id: str, who: str, first: int, last: int, quantity: int = 1
) -> dict[str, Any]:
    body = {
        "quantity": quantity,
        "starts_on": day(first),
        "ends_on": day(last),
        "wait_if_taken": True,
    }
    async with resources.as_role("teacher", sub=who) as client:
        response = await client.post(f"/v1/kits/{kit_id}/reservations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _as(resources: ServiceHarness, who: str, method: str, path: str) -> dict[str, Any]:
    async with resources.as_role("teacher", sub=who) as client:
        response = await client.request(method, path)
    return {"status_code": response.status_code, **response.json()}


async def test_when_nothing_is_free_borrowers_queue_in_arrival_order(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1)
    await reserve(resources, kit["id"], "holder", 10, 12)
    first = await _wait(resources, kit["id"], "w1", 11, 11)
    second = await _wait(resources, kit["id"], "w2", 10, 10)
    free_anyway = await _wait(resources, kit["id"], "w3", 20, 21)
    assert (first["status"], first["queue_position"]) == ("waiting", 1)
    assert (second["status"], second["queue_position"]) == ("waiting", 2)
    assert (free_anyway["status"], free_anyway["queue_position"]) == ("confirmed", None)
    left = await _as(resources, "w1", "DELETE", f"/v1/reservations/{first['id']}")
    moved_up = await _as(resources, "w2", "GET", f"/v1/reservations/{second['id']}")
    assert left["status"] == "cancelled"
    assert moved_up["queue_position"] == 1


async def test_items_that_come_back_are_offered_to_the_first_in_line_who_accepts(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1, offer_hold_hours=24)
    _, held = await reserve(resources, kit["id"], "holder", 10, 12)
    first = await _wait(resources, kit["id"], "w1", 11, 12)
    second = await _wait(resources, kit["id"], "w2", 11, 12)
    await _as(resources, "holder", "DELETE", f"/v1/reservations/{held['id']}")
    offered = await _as(resources, "w1", "GET", f"/v1/reservations/{first['id']}")
    still = await _as(resources, "w2", "GET", f"/v1/reservations/{second['id']}")
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    assert (still["status"], still["queue_position"]) == ("waiting", 1)
    # The offer holds the items: nobody else can take them meanwhile.
    assert await free_per_day(resources, kit["id"], 10, 12) == [1, 0, 0]
    accepted = await _as(resources, "w1", "POST", f"/v1/reservations/{first['id']}/accept")
    again = await _as(resources, "w1", "POST", f"/v1/reservations/{first['id']}/accept")
    assert accepted["status"] == "confirmed" and accepted["offer_expires_at"] is None
    assert again["status_code"] == 409


async def test_a_waiting_request_that_does_not_fit_keeps_its_place_and_does_not_block_others(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1)
    _, early = await reserve(resources, kit["id"], "a", 10, 11)
    await reserve(resources, kit["id"], "b", 12, 13)
    long_wait = await _wait(resources, kit["id"], "w1", 10, 13)
    short_wait = await _wait(resources, kit["id"], "w2", 10, 11)
    await _as(resources, "a", "DELETE", f"/v1/reservations/{early['id']}")
    long_now = await _as(resources, "w1", "GET", f"/v1/reservations/{long_wait['id']}")
    short_now = await _as(resources, "w2", "GET", f"/v1/reservations/{short_wait['id']}")
    assert (long_now["status"], long_now["queue_position"]) == ("waiting", 1)
    assert short_now["status"] == "offered"


async def test_an_unanswered_offer_expires_and_passes_to_the_next_in_line(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1, offer_hold_hours=2)
    _, held = await reserve(resources, kit["id"], "holder", 10, 12)
    first = await _wait(resources, kit["id"], "w1", 10, 12)
    second = await _wait(resources, kit["id"], "w2", 10, 12)
    await _as(resources, "holder", "DELETE", f"/v1/reservations/{held['id']}")
    soon = await expire_offers(resources.db, now=datetime.now(UTC) + timedelta(hours=1))
    later = await expire_offers(resources.db, now=datetime.now(UTC) + timedelta(hours=3))
    expired = await _as(resources, "w1", "GET", f"/v1/reservations/{first['id']}")
    next_in_line = await _as(resources, "w2", "GET", f"/v1/reservations/{second['id']}")
    late_accept = await _as(resources, "w1", "POST", f"/v1/reservations/{first['id']}/accept")
    assert (soon.offers_expired, later.offers_expired, later.offers_made) == (0, 1, 1)
    assert expired["status"] == "expired"
    assert next_in_line["status"] == "offered"
    assert late_accept["status_code"] == 409
    assert await free_per_day(resources, kit["id"], 10, 12) == [0, 0, 0]


async def test_requests_still_waiting_on_their_first_day_are_dropped(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(resources, await a_centre(directory), quantity=1)
    await reserve(resources, kit["id"], "holder", 3, 4)
    waiting = await _wait(resources, kit["id"], "w1", 3, 3)
    today = datetime.now(UTC)
    before = await drop_stale_waits(
        resources.db, today=(today + timedelta(days=2)).date(), now=today
    )
    on_the_day = await drop_stale_waits(
        resources.db, today=(today + timedelta(days=3)).date(), now=today
    )
    read = await _as(resources, "w1", "GET", f"/v1/reservations/{waiting['id']}")
    assert (before.waits_dropped, on_the_day.waits_dropped) == (0, 1)
    assert read["status"] == "expired"


async def test_lifting_a_maintenance_hold_offers_the_items_to_the_queue(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=1)
    async with resources.as_role("centre_manager", centres=[owner]) as staff:
        hold = await staff.post(
            f"/v1/kits/{kit['id']}/maintenance",
            json={"starts_on": day(5), "ends_on": day(8)},
        )
        waiting = await _wait(resources, kit["id"], "w1", 6, 7)
        await staff.delete(f"/v1/kits/{kit['id']}/maintenance/{hold.json()['id']}")
    offered = await _as(resources, "w1", "GET", f"/v1/reservations/{waiting['id']}")
    assert offered["status"] == "offered"
