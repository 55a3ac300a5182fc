"""Recognition credits the educator's CPD ledger in the real events service exactly once."""

from __future__ import annotations

from typing import Any

from shared.testing import OpenService, ServiceHarness
from tests.exchange.builders import act, advance, an_exchange, apply

NO_EVENTS = "http://127.0.0.1:9"


async def _ledger(events: ServiceHarness, sub: str) -> dict[str, Any]:
    async with events.as_role("educator", sub=sub) as educator:
        response = await educator.get(f"/v1/teachers/{sub}/ledger")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_recognition_retried_after_the_ledger_took_the_credit_adds_nothing(
    exchange: ServiceHarness, directory: ServiceHarness, events: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application = await apply(world, 20, 23)
    await advance(world, application["id"], "completed")
    # An earlier attempt reached the ledger, then its own transaction failed: the credit is
    # there, the application still says `completed`.
    credit = {
        "teacher_id": world.sub,
        "hours": "24.00",
        "source": "exchange",
        "source_key": application["id"],
        "title": world.offer["title"],
        "centre_id": world.host,
        "occurred_on": application["ends_on"],
    }
    async with events.as_role("platform_admin") as admin:
        earlier = await admin.post("/v1/ledger/credits", json=credit)
    assert earlier.status_code == 201, earlier.text

    retried = await act(world.home_manager(), application["id"], "recognise")
    assert retried.status_code == 200, retried.text
    assert retried.json()["ledger_entry_id"] == earlier.json()["id"]
    again = await act(world.home_manager(), application["id"], "recognise")
    assert again.status_code == 409
    assert again.json()["current_status"] == "recognised"

    ledger = await _ledger(events, world.sub)
    assert [e["id"] for e in ledger["entries"]] == [earlier.json()["id"]]
    assert ledger["total_hours"] == "24.00"


async def test_without_the_ledger_recognition_changes_nothing_and_says_to_retry(
    open_service: OpenService, directory: ServiceHarness
) -> None:
    peers = {"directory": directory.app, "events": NO_EVENTS}
    async with open_service("exchange", peers=peers) as exchange:
        world = await an_exchange(exchange, directory)
        application = await apply(world)
        await advance(world, application["id"], "completed")
        response = await act(world.home_manager(), application["id"], "recognise")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "Retry-After" in response.headers
        async with world.applicant() as client:
            after = (await client.get(f"/v1/applications/{application['id']}")).json()
    assert after["status"] == "completed"
    assert after["ledger_entry_id"] is None
