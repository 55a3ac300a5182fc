"""The whole workflow over REST: each transition by its party, refusals for every other
party, 409s that say where an application can go, and the history of who did what."""

from __future__ import annotations

from shared.testing import ServiceHarness
from tests.exchange.builders import act, advance, an_exchange, apply


async def test_an_exchange_runs_from_application_to_recognition_with_its_history(
    exchange: ServiceHarness, directory: ServiceHarness, events: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application = await apply(world, 20, 26)
    assert application["status"] == "submitted"
    assert application["days"] == 7
    assert application["cpd_hours"] == "42.00"
    assert application["home_centre_id"] == world.home

    completed = await advance(world, application["id"], "completed")
    assert completed["status"] == "completed"
    assert completed["agreement"]["starts_on"] == application["starts_on"]
    assert completed["home_report"] == {"en": "I learnt how to run camps."}

    recognised = await act(world.home_manager(), application["id"], "recognise")
    assert recognised.status_code == 200, recognised.text
    assert recognised.json()["status"] == "recognised"

    async with events.as_role("educator", sub=world.sub) as educator:
        ledger = (await educator.get(f"/v1/teachers/{world.sub}/ledger")).json()
    assert ledger["total_hours"] == "42.00"
    [entry] = ledger["entries"]
    assert entry["source"] == "exchange"
    assert entry["source_key"] == application["id"]
    assert entry["id"] == recognised.json()["ledger_entry_id"]

    async with world.applicant() as client:
        history = (await client.get(f"/v1/applications/{application['id']}/history")).json()
    steps = [(h["action"], h["from_status"], h["to_status"], h["side"]) for h in history["items"]]
    assert steps == [
        ("submit", None, "submitted", "applicant"),
        ("approve", "submitted", "home_approved", "home"),
        ("accept", "home_approved", "accepted", "host"),
        ("confirm", "accepted", "accepted", "home"),
        ("confirm", "accepted", "confirmed", "host"),
        ("start", "confirmed", "in_progress", "host"),
        ("report", "in_progress", "in_progress", "applicant"),
        ("report", "in_progress", "completed", "host"),
        ("recognise", "completed", "recognised", "home"),
    ]
    assert history["items"][1]["actor"] == f"m-{world.home}"
    assert all(h["at"] for h in history["items"])
