"""An educator's confirmed exchanges never share a day; days come back when an exchange ends
early, and a network's admins act for its centres."""

from __future__ import annotations

from shared.testing import ServiceHarness
from tests.exchange.builders import (
    Exchange,
    a_centre,
    act,
    advance,
    an_educator,
    an_exchange,
    an_offer,
    apply,
    day,
)


async def _second_offer(world: Exchange, directory: ServiceHarness) -> Exchange:
    host = await a_centre(directory, "AT")
    offer = await an_offer(world.exchange, host)
    return Exchange(world.exchange, world.home, host, world.educator, world.sub, offer)


async def test_days_of_a_confirmed_exchange_refuse_an_overlapping_one_until_it_ends(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    first = await an_exchange(exchange, directory)
    confirmed = await apply(first, 20, 26)
    await advance(first, confirmed["id"], "accepted")
    third = await _second_offer(first, directory)
    overlapping = await apply(third, 18, 22)  # applied while nothing was confirmed yet
    await advance(third, overlapping["id"], "accepted")
    await act(third.home_manager(), overlapping["id"], "confirm")
    for party in ("home", "host"):
        assert (await act(first.party(party), confirmed["id"], "confirm")).status_code == 200

    second = await _second_offer(first, directory)
    async with second.applicant() as client:
        clash = await client.post(
            f"/v1/offers/{second.offer['id']}/applications",
            json={
                "educator_id": second.educator,
                "starts_on": day(26),
                "ends_on": day(30),
                "motivation": {"en": "Straight after."},
            },
        )
    assert clash.status_code == 409, clash.text
    problem = clash.json()
    assert problem["type"].endswith("overlapping-exchange")
    assert problem["first_taken_day"] == problem["last_taken_day"] == confirmed["ends_on"]
    assert problem["other_application_id"] == confirmed["id"]
    adjacent = await apply(second, 27, 30)  # the day after is free
    await advance(second, adjacent["id"], "confirmed")

    refused = await act(third.host_manager(), overlapping["id"], "confirm")
    assert refused.status_code == 409
    assert refused.json()["first_taken_day"] == confirmed["starts_on"]
    async with third.applicant() as client:
        still = (await client.get(f"/v1/applications/{overlapping['id']}")).json()
    assert still["status"] == "accepted" and still["host_confirmed_at"] is None

    withdrawn = await act(first.applicant(), confirmed["id"], "withdraw", {"reason": "Ill."})
    assert withdrawn.json()["status"] == "withdrawn"
    now_free = await act(third.host_manager(), overlapping["id"], "confirm")
    assert now_free.status_code == 200, now_free.text
    assert now_free.json()["status"] == "confirmed"


async def test_network_admins_see_and_act_for_the_centres_of_their_network(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    home, host = await a_centre(directory, "FR"), await a_centre(directory, "FI")
    async with directory.as_role("platform_admin") as admin:
        network = await admin.post(
            "/v1/networks",
            json={"name": {"en": "LUMA Centre Finland"}, "kind": "national", "country": "FI"},
        )
        assert network.status_code == 201, network.text
        network_id = network.json()["id"]
        joined = await admin.post(
            f"/v1/networks/{network_id}/members", json={"centre_id": host, "role": "member"}
        )
        assert joined.status_code in (200, 201), joined.text
    educator = await an_educator(directory, home, "network-visitor")
    offer = await an_offer(exchange, host)
    world = Exchange(exchange, home, host, educator, "network-visitor", offer)
    application = await apply(world)
    await advance(world, application["id"], "home_approved")

    async with exchange.as_role("network_admin", networks=[network_id]) as network_admin:
        listed = (await network_admin.get("/v1/applications")).json()["items"]
        accepted = await network_admin.post(f"/v1/applications/{application['id']}/accept")
        refused = await network_admin.post(
            f"/v1/applications/{application['id']}/confirm", json={"side": "home"}
        )
    assert [a["id"] for a in listed] == [application["id"]]
    assert accepted.status_code == 200, accepted.text
    assert refused.status_code == 403
