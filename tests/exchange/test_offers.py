"""Offers: host centres publish and manage them; anyone reads and filters them."""

from __future__ import annotations

import uuid

from shared.testing import ServiceHarness
from tests.exchange.builders import a_centre, advance, an_exchange, an_offer, apply, day, offer_body


async def test_a_host_manager_publishes_an_offer_that_anyone_can_read(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_centre(directory, "FI")
    offer = await an_offer(exchange, host, max_days=None, min_days=1)
    assert offer["status"] == "open"
    assert offer["places_left"] == 2
    assert offer["host_country"] == "FI"
    assert offer["max_days"] == 91  # the whole window when not given
    async with exchange.client(**{"Accept-Language": "fi"}) as public:
        read = await public.get(f"/v1/offers/{offer['id']}")
    assert read.status_code == 200
    assert read.json()["title_text"] == "Tiedeleirit"
    assert read.headers["ETag"] == '"1"'


async def test_only_the_host_centres_managers_publish_and_change_its_offers(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    host, other = await a_centre(directory), await a_centre(directory)
    async with exchange.as_role("centre_manager", centres=[other]) as outsider:
        refused = await outsider.post("/v1/offers", json=offer_body(host))
    assert refused.status_code == 403
    async with exchange.client() as anonymous:
        assert (await anonymous.post("/v1/offers", json=offer_body(host))).status_code == 401
    offer = await an_offer(exchange, host)
    async with exchange.as_role("centre_manager", centres=[other]) as outsider:
        patched = await outsider.patch(f"/v1/offers/{offer['id']}", json={"places": 5})
    assert patched.status_code == 403


async def test_bad_offers_are_422s_that_name_the_field(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_centre(directory)
    cases = [
        ({"window_ends_on": day(5)}, "window_ends_on is before window_starts_on"),
        ({"max_days": 200}, "max_days (200) is longer than the window"),
        ({"min_days": 30, "max_days": 20}, "min_days (30) is more than max_days"),
        ({"kind": "holiday"}, "body.kind"),
        ({"places": 0}, "body.places"),
        ({"window_starts_on": "1700000000"}, "body.window_starts_on"),
        ({"window_starts_on": day(-40), "window_ends_on": day(-10)}, "already ended"),
        ({"host_centre_id": str(uuid.uuid4())}, "host_centre_id"),
        ({"title": {}}, "body.title"),
    ]
    async with exchange.as_role("platform_admin") as admin:
        for change, expected in cases:
            response = await admin.post("/v1/offers", json=offer_body(host) | change)
            assert response.status_code == 422, (change, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert expected in response.text, (change, response.text)


async def test_an_offer_keeps_the_places_it_has_accepted_and_a_stale_change_is_refused(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory, places=2)
    application = await apply(world)
    await advance(world, application["id"], "accepted")
    url = f"/v1/offers/{world.offer['id']}"
    async with world.host_manager() as manager:
        stale = await manager.patch(url, json={"places": 3}, headers={"If-Match": '"7"'})
        assert stale.status_code == 412
        too_few = await manager.patch(url, json={"places": 0})
        assert too_few.status_code == 422  # at least one place
        fine = await manager.patch(url, json={"places": 1}, headers={"If-Match": '"1"'})
        assert fine.status_code == 200, fine.text
        assert fine.json()["places_left"] == 0
        assert fine.headers["ETag"] == '"2"'
        closed = await manager.patch(url, json={"status": "closed"})
        assert closed.json()["status"] == "closed"
    async with world.applicant() as client:
        late = await client.post(
            f"{url}/applications",
            json={
                "educator_id": world.educator,
                "starts_on": day(40),
                "ends_on": day(45),
                "motivation": {"en": "x"},
            },
        )
    assert late.status_code == 409
    assert late.json()["type"].endswith("offer-not-open")


async def test_cancelling_an_offer_cancels_its_running_applications_with_the_reason(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application = await apply(world)
    await advance(world, application["id"], "confirmed")
    async with world.host_manager() as manager:
        cancelled = await manager.patch(
            f"/v1/offers/{world.offer['id']}", json={"status": "cancelled"}
        )
    assert cancelled.status_code == 200
    assert cancelled.json()["places_left"] == 2
    async with world.applicant() as client:
        after = (await client.get(f"/v1/applications/{application['id']}")).json()
    assert after["status"] == "cancelled"
    assert after["status_reason"] == "The host cancelled the offer."


async def test_offers_filter_by_kind_subject_language_dates_and_page_with_cursors(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_centre(directory)
    camp = await an_offer(exchange, host)
    research = await an_offer(
        exchange,
        host,
        kind="research_visit",
        subjects=["mathematics"],
        languages=["de"],
        window_starts_on=day(200),
        window_ends_on=day(260),
    )
    async with exchange.client() as public:

        async def ids(**params: object) -> list[str]:
            body = (await public.get("/v1/offers", params={"host_centre": host, **params})).json()
            return [o["id"] for o in body["items"]]

        assert await ids() == [camp["id"], research["id"]]
        assert await ids(kind="research_visit") == [research["id"]]
        assert await ids(subject=["mathematics", "chemistry"]) == [research["id"]]
        assert await ids(language="fi") == [camp["id"]]
        assert await ids(available_from=day(150), available_to=day(210)) == [research["id"]]
        first = (await public.get("/v1/offers", params={"host_centre": host, "limit": 1})).json()
        assert [o["id"] for o in first["items"]] == [camp["id"]]
        rest = await ids(limit=1, after=first["next_cursor"])
        assert rest == [research["id"]]
        bad = await public.get("/v1/offers", params={"after": "nonsense"})
        assert bad.status_code == 400
