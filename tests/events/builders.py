"""Builders for events test data, written through the public APIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.testing import ServiceHarness


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def a_host_centre(directory: ServiceHarness, **overrides: Any) -> str:
    body = {
        "name": {"en": "Host centre"},
        "country": "FI",
        "region": "FI1B",
        "location": {"lat": 60.17, "lon": 24.94},
    } | overrides
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post("/v1/centres", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def an_event(events: ServiceHarness, host_centre_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "host_centre_id": host_centre_id,
        "title": {"en": "Inquiry-based physics", "fi": "Tutkiva fysiikka"},
        "starts_at": in_days(30),
        "ends_at": in_days(31),
        "capacity": 2,
        "waitlist_capacity": 2,
        "timezone": "Europe/Helsinki",
    } | overrides
    async with events.as_role("centre_manager", centres=[host_centre_id]) as manager:
        response = await manager.post("/v1/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def register(
    events: ServiceHarness, event_id: str, teacher: str, **body: Any
) -> tuple[int, dict[str, Any]]:
    async with events.as_role("teacher", sub=teacher) as client:
        response = await client.post(f"/v1/events/{event_id}/registrations", json=body)
    return response.status_code, dict(response.json())
