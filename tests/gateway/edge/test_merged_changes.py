"""`GET /v1/changes` at the gateway: every service's feed from one cursor, nothing skipped or
repeated, each service's events in its own commit order, a service that is down only delayed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from shared.testing import OpenService, ServiceHarness
from tests.directory.builders import a_centre
from tests.events.builders import an_event
from tests.gateway.edge.conftest import OpenGateway


@pytest.fixture
async def stack(open_service: OpenService) -> AsyncIterator[dict[str, ServiceHarness]]:
    """The directory and events, committing: feed positions are given at commit."""
    async with AsyncExitStack() as exits:
        directory = await exits.enter_async_context(open_service("directory", isolated=False))
        events = await exits.enter_async_context(
            open_service("events", isolated=False, peers={"directory": directory.app})
        )
        yield {"directory": directory, "events": events}


async def _drain(
    client: httpx.AsyncClient, path: str, *, after: str | None = None, **params: Any
) -> list[dict[str, Any]]:
    """Every change from `after` (or the start), a small page at a time."""
    items: list[dict[str, Any]] = []
    while True:
        cursor = {"after": after} if after else {}
        page = await client.get(path, params={**params, "limit": 2, **cursor})
        assert page.status_code == 200, page.text
        body = page.json()
        if not body["items"]:
            return items
        items += body["items"]
        after = body["next_cursor"]


async def _some_changes(stack: dict[str, ServiceHarness]) -> list[str]:
    centres = [
        await a_centre(stack["directory"], name={"en": f"Feed centre {n}"}) for n in range(3)
    ]
    for centre in centres[:2]:
        await an_event(stack["events"], centre["id"], title={"en": "Feed course"})
    return [c["id"] for c in centres]


async def test_the_merged_feed_has_every_services_events_once_in_each_services_order(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre_ids = await _some_changes(stack)
    async with open_gateway() as gateway:
        admin = gateway.client(gateway.token("platform_admin"))
        merged = await _drain(admin, "/v1/changes")
        own = {name: await _drain(admin, f"/services/{name}/v1/changes") for name in stack}

    assert {c["service"] for c in merged} == {"directory", "events"}
    for name, changes in own.items():
        assert changes, name
        from_service = [
            {k: v for k, v in c.items() if k != "service"} for c in merged if c["service"] == name
        ]
        assert from_service == changes, name
    assert len({c["id"] for c in merged}) == len(merged)
    created = {c["subject_id"] for c in merged if c["type"] == "centre.created"}
    assert set(centre_ids) <= created


async def test_types_ask_only_the_services_that_record_them(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    await _some_changes(stack)
    async with open_gateway() as gateway, gateway.client() as client:
        centres = await _drain(client, "/v1/changes", types="centre.created")
        unknown = await client.get("/v1/changes", params={"types": "centre.exploded"})
        forged = await client.get("/v1/changes", params={"after": "bm90LWEtY3Vyc29y"})

    assert centres and {(c["service"], c["type"]) for c in centres} == {
        ("directory", "centre.created")
    }
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "centre.exploded" in unknown.json()["detail"]
    assert forged.status_code == 400
    assert forged.headers["content-type"] == "application/problem+json"


def _unreachable() -> httpx.AsyncClient:
    # A real transport with nowhere to connect: the service is down.
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds="/nonexistent/events.sock"))


async def test_a_service_that_is_down_is_named_and_its_events_come_later(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    await _some_changes(stack)
    async with open_gateway() as gateway:
        runtime = gateway.runtime
        client = gateway.client()
        working = runtime.clients["events"]
        runtime.clients["events"] = _unreachable()
        first = (await client.get("/v1/changes", params={"limit": 100})).json()
        runtime.clients["events"] = working
        rest = await _drain(client, "/v1/changes", after=first["next_cursor"])
        everything = await _drain(client, "/v1/changes")

    assert first["unavailable"] == ["events"]
    assert {c["service"] for c in first["items"]} == {"directory"}
    # The events skipped while events was down arrive on the next pages; nothing is repeated.
    seen = [c["id"] for c in first["items"] + rest]
    assert len(set(seen)) == len(seen)
    assert sorted(seen) == sorted(c["id"] for c in everything)
    assert {c["service"] for c in rest} == {"events"}
