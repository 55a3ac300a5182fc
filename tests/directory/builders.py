"""Small builders for directory test data, written through the public API as a client would."""

from __future__ import annotations

from typing import Any

from shared.testing import ServiceHarness


async def a_network(svc: ServiceHarness, **overrides: Any) -> dict[str, Any]:
    body = {"name": {"en": "Test network"}, "kind": "national", "country": "FI"} | overrides
    async with svc.as_role("platform_admin") as client:
        response = await client.post("/v1/networks", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def a_centre(svc: ServiceHarness, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": {"en": "Test centre", "fi": "Testikeskus"},
        "country": "FI",
        "location": {"lat": 60.17, "lon": 24.94},
        "subjects": ["physics"],
    } | overrides
    async with svc.as_role("platform_admin") as client:
        response = await client.post("/v1/centres", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def an_educator(svc: ServiceHarness, centre_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "centre_id": centre_id,
        "display_name": "Aino Virtanen",
        "kind": "teacher_educator",
        "subjects": ["physics"],
        "public_profile": True,
        "contact": {"email": "aino@example.org"},
    } | overrides
    async with svc.as_role("platform_admin") as client:
        response = await client.post("/v1/educators", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]
