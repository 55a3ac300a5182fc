"""Builders for resources test data, written through the public APIs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.testing import ServiceHarness


def day(offset: int) -> str:
    """The ISO date `offset` days from today (UTC, as the service counts days)."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def as_date(offset: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=offset)


async def a_centre(directory: ServiceHarness, **overrides: Any) -> str:
    body = {
        "name": {"en": "LUMA Centre", "fi": "LUMA-keskus"},
        "country": "FI",
        "region": "FI1B",
        "location": {"lat": 60.17, "lon": 24.94},
    } | overrides
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post("/v1/centres", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def kit_body(owner: str, **overrides: Any) -> dict[str, Any]:
    return {
        "owner_centre_id": owner,
        "name": {"en": "micro:bit class set", "fi": "micro:bit-luokkasarja"},
        "kind": "robotics_set",
        "code": "MB",
        "subjects": ["computer_science"],
        "min_age": 10,
        "max_age": 15,
        "quantity": 3,
        "turnaround_days": 0,
    } | overrides


async def a_kit(resources: ServiceHarness, owner: str, **overrides: Any) -> dict[str, Any]:
    async with resources.as_role("centre_manager", centres=[owner]) as manager:
        response = await manager.post("/v1/kits", json=kit_body(owner, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def reserve(
    resources: ServiceHarness, kit_id: str, who: str, first: int, last: int, quantity: int = 1
) -> tuple[int, dict[str, Any]]:
    """`who` reserves `quantity` items from `first` to `last` days from today."""
    body = {"quantity": quantity, "starts_on": day(first), "ends_on": day(last)}
    async with resources.as_role("teacher", sub=who) as client:
        response = await client.post(f"/v1/kits/{kit_id}/reservations", json=body)
    return response.status_code, dict(response.json())


async def free_per_day(resources: ServiceHarness, kit_id: str, first: int, last: int) -> list[int]:
    async with resources.client() as client:
        response = await client.get(
            f"/v1/kits/{kit_id}/availability", params={"from": day(first), "to": day(last)}
        )
    assert response.status_code == 200, response.text
    return [d["free"] for d in response.json()["days"]]
