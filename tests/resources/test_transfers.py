"""Transfers: a kit moves to another centre, held in transit, and changes hands on arrival."""

from __future__ import annotations

from typing import Any

from shared.testing import ServiceHarness
from tests.resources.builders import a_centre, a_kit, day, free_per_day, reserve


async def _staff(resources: ServiceHarness, centre: str, method: str, path: str, **kw: Any) -> Any:
    async with resources.as_role("centre_manager", centres=[centre]) as manager:
        return await manager.request(method, path, **kw)


async def test_a_kit_in_transit_is_held_and_belongs_to_the_receiving_centre_on_arrival(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    graz = await a_centre(
        directory, country="AT", region="AT22", location={"lat": 47.07, "lon": 15.44}
    )
    vienna = await a_centre(
        directory, country="AT", region="AT13", location={"lat": 48.21, "lon": 16.37}
    )
    kit = await a_kit(resources, graz, quantity=2)
    body = {"to_centre_id": vienna, "ships_on": day(3), "arrives_on": day(5)}
    sent = await _staff(resources, graz, "POST", f"/v1/kits/{kit['id']}/transfers", json=body)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "in_transit"
    assert await free_per_day(resources, kit["id"], 2, 6) == [2, 0, 0, 0, 2]
    wrong = await _staff(resources, graz, "POST", f"/v1/transfers/{sent.json()['id']}/receive")
    received = await _staff(resources, vienna, "POST", f"/v1/transfers/{sent.json()['id']}/receive")
    assert wrong.status_code == 403
    assert received.json()["status"] == "received"
    async with resources.client() as client:
        moved = (await client.get(f"/v1/kits/{kit['id']}")).json()
    assert moved["owner_centre_id"] == vienna
    assert (moved["region"], moved["location"]) == ("AT13", {"lat": 48.21, "lon": 16.37})
    patch = {"turnaround_days": 2}
    old_owner = await _staff(resources, graz, "PATCH", f"/v1/kits/{kit['id']}", json=patch)
    new_owner = await _staff(resources, vienna, "PATCH", f"/v1/kits/{kit['id']}", json=patch)
    assert (old_owner.status_code, new_owner.status_code) == (403, 200)
    assert await free_per_day(resources, kit["id"], 3, 5) == [2, 2, 2]


async def test_a_kit_booked_on_the_days_in_transit_cannot_leave(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner, other = await a_centre(directory), await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=2)
    await reserve(resources, kit["id"], "t1", 4, 4)
    body = {"to_centre_id": other, "ships_on": day(3), "arrives_on": day(5)}
    response = await _staff(resources, owner, "POST", f"/v1/kits/{kit['id']}/transfers", json=body)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:pdnet:problem:calendar-conflict"


async def test_a_transfer_called_off_gives_the_days_back_and_the_kit_stays(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner, other = await a_centre(directory), await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=1)
    body = {"to_centre_id": other, "ships_on": day(3), "arrives_on": day(4)}
    sent = await _staff(resources, owner, "POST", f"/v1/kits/{kit['id']}/transfers", json=body)
    twice = await _staff(resources, owner, "POST", f"/v1/kits/{kit['id']}/transfers", json=body)
    cancelled = await _staff(resources, owner, "DELETE", f"/v1/transfers/{sent.json()['id']}")
    late = await _staff(resources, other, "POST", f"/v1/transfers/{sent.json()['id']}/receive")
    assert twice.status_code == 409
    assert twice.json()["current_status"] == "in_transit"
    assert cancelled.json()["status"] == "cancelled"
    assert late.status_code == 409
    assert await free_per_day(resources, kit["id"], 3, 4) == [1, 1]
    async with resources.client() as client:
        listed = (await client.get(f"/v1/kits/{kit['id']}/transfers")).json()["items"]
    assert [t["status"] for t in listed] == ["cancelled"]
