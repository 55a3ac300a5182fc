"""Builders for exchange test data, written through the public APIs of the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.testing import ServiceHarness


def day(offset: int) -> str:
    """The ISO date `offset` days from today (UTC)."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


async def a_centre(directory: ServiceHarness, country: str = "FI", **overrides: Any) -> str:
    body = {
        "name": {"en": f"Centre in {country}"},
        "country": country,
        "identifiers": [{"scheme": "erasmus_oid", "value": f"E{uuid.uuid4().int % 10**8:08d}"}],
    } | overrides
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post("/v1/centres", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def an_educator(directory: ServiceHarness, centre: str, sub: str, **overrides: Any) -> str:
    body = {
        "centre_id": centre,
        "display_name": "Aino Virtanen",
        "kind": "teacher_educator",
        "user_subject": sub,
        "subjects": ["physics", "chemistry"],
        "languages": ["fi", "en"],
        "methods": ["inquiry_based"],
        "available_for_exchange": True,
        "public_profile": True,
    } | overrides
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post("/v1/educators", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def offer_body(host: str, **overrides: Any) -> dict[str, Any]:
    return {
        "host_centre_id": host,
        "kind": "job_shadowing",
        "title": {"en": "Shadowing the science camps", "fi": "Tiedeleirit"},
        "subjects": ["physics", "biology"],
        "languages": ["en", "fi"],
        "methods": ["inquiry_based"],
        "window_starts_on": day(10),
        "window_ends_on": day(100),
        "min_days": 3,
        "max_days": 20,
        "places": 2,
    } | overrides


async def an_offer(exchange: ServiceHarness, host: str, **overrides: Any) -> dict[str, Any]:
    async with exchange.as_role("centre_manager", centres=[host]) as manager:
        response = await manager.post("/v1/offers", json=offer_body(host, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


@dataclass
class Exchange:
    """One educator, their home centre, a host centre's offer, and a client for each party."""

    exchange: ServiceHarness
    home: str
    host: str
    educator: str
    sub: str
    offer: dict[str, Any]

    def applicant(self) -> httpx.AsyncClient:
        return self.exchange.as_role("educator", sub=self.sub)

    def home_manager(self) -> httpx.AsyncClient:
        return self.exchange.as_role("centre_manager", sub=f"m-{self.home}", centres=[self.home])

    def host_manager(self) -> httpx.AsyncClient:
        return self.exchange.as_role("centre_manager", sub=f"m-{self.host}", centres=[self.host])

    def stranger(self) -> httpx.AsyncClient:
        return self.exchange.as_role("educator", sub="someone-else")

    def party(self, name: str) -> httpx.AsyncClient:
        return {
            "applicant": self.applicant,
            "home": self.home_manager,
            "host": self.host_manager,
            "stranger": self.stranger,
        }[name]()


async def an_exchange(
    exchange: ServiceHarness, directory: ServiceHarness, *, sub: str | None = None, **offer: Any
) -> Exchange:
    home = await a_centre(directory, "FR")
    host = await a_centre(directory, "FI")
    sub = sub or f"educator-{uuid.uuid4()}"
    educator = await an_educator(directory, home, sub)
    return Exchange(exchange, home, host, educator, sub, await an_offer(exchange, host, **offer))


async def apply(
    world: Exchange, first: int = 20, last: int = 26, **overrides: Any
) -> dict[str, Any]:
    body = {
        "educator_id": world.educator,
        "starts_on": day(first),
        "ends_on": day(last),
        "motivation": {"en": "I want to see how the camps are run."},
    } | overrides
    async with world.applicant() as client:
        response = await client.post(f"/v1/offers/{world.offer['id']}/applications", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def act(
    client: httpx.AsyncClient, application_id: str, action: str, body: Any = None
) -> httpx.Response:
    async with client:
        return await client.post(f"/v1/applications/{application_id}/{action}", json=body)


# The party that takes each step on the way to a status, in order.
STEPS_TO: dict[str, list[tuple[str, str, Any]]] = {
    "submitted": [],
    "home_approved": [("home", "approve", None)],
    "accepted": [("home", "approve", None), ("host", "accept", None)],
    "confirmed": [
        ("home", "approve", None),
        ("host", "accept", None),
        ("home", "confirm", None),
        ("host", "confirm", None),
    ],
    "in_progress": [
        ("home", "approve", None),
        ("host", "accept", None),
        ("home", "confirm", None),
        ("host", "confirm", None),
        ("host", "start", None),
    ],
    "completed": [
        ("home", "approve", None),
        ("host", "accept", None),
        ("home", "confirm", None),
        ("host", "confirm", None),
        ("host", "start", None),
        ("applicant", "report", {"report": {"en": "I learnt how to run camps."}}),
        ("host", "report", {"report": {"en": "A great colleague."}}),
    ],
}


async def advance(world: Exchange, application_id: str, status: str) -> dict[str, Any]:
    """Takes the application from `submitted` to `status` through the REST actions."""
    body: dict[str, Any] = {}
    for party, action, payload in STEPS_TO[status]:
        response = await act(world.party(party), application_id, action, payload)
        assert response.status_code == 200, (action, response.text)
        body = response.json()
    return body
