"""Every change the exchange makes is announced in its change feed, in the same transaction:
nothing for a refused action, and applications only thinly to readers without rights."""

from __future__ import annotations

from shared.testing import OpenService, ServiceHarness
from tests.exchange.builders import act, advance, an_exchange, apply


async def test_the_workflow_appears_in_the_change_feed_step_by_step(
    open_service: OpenService, directory: ServiceHarness, events: ServiceHarness
) -> None:
    peers = {"directory": directory.app, "events": events.app}
    async with open_service("exchange", isolated=False, peers=peers) as exchange:
        world = await an_exchange(exchange, directory)
        application_id = (await apply(world))["id"]
        await advance(world, application_id, "confirmed")
        refused = await act(world.host_manager(), application_id, "accept")
        assert refused.status_code == 409
        async with exchange.as_role("platform_admin") as admin:
            feed = (await admin.get("/v1/changes")).json()["items"]
        async with exchange.client() as anonymous:
            public = (await anonymous.get("/v1/changes")).json()["items"]

    assert [(e["type"], e["subject_id"]) for e in feed] == [
        ("offer.created", world.offer["id"]),
        ("application.submitted", application_id),
        ("application.approved", application_id),
        ("application.accepted", application_id),
        ("application.updated", application_id),
        ("application.confirmed", application_id),
    ]
    assert feed[5]["data"]["from_status"] == "accepted"
    assert feed[5]["data"]["educator_id"] == world.educator
    assert public[0]["data"]["host_centre_id"] == world.host
    assert all(e["data"] is None for e in public[1:])
