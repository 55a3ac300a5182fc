"""Data for the engine's tests, written through the services' public APIs."""

from __future__ import annotations

from typing import Any

from shared.testing import ServiceHarness
from tests.events.builders import an_event
from tests.resources.builders import a_kit


async def centres(directory: ServiceHarness, count: int, country: str = "FI") -> list[str]:
    ids: list[str] = []
    async with directory.as_role("platform_admin") as admin:
        for number in range(count):
            body = {
                "name": {"en": f"Centre {number:02d}", "fi": f"Keskus {number:02d}"},
                "country": country,
                "region": "FI1B",
                "location": {"lat": 60.17, "lon": 24.94},
                "subjects": ["physics"],
            }
            response = await admin.post("/v1/centres", json=body)
            assert response.status_code == 201, response.text
            ids.append(str(response.json()["id"]))
    return ids


async def event_at(events: ServiceHarness, centre_id: str, title: str) -> dict[str, Any]:
    return await an_event(events, centre_id, title={"en": title})


async def kit_of(resources: ServiceHarness, centre_id: str, name: str) -> dict[str, Any]:
    return await a_kit(resources, centre_id, name={"en": name})
