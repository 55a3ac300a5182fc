"""Matching: offers ranked for an educator and educators suggested for an offer, each score
with the reasons it is made of."""

from __future__ import annotations

import uuid
from typing import Any

from shared.testing import ServiceHarness
from tests.exchange.builders import (
    a_centre,
    advance,
    an_educator,
    an_exchange,
    an_offer,
    apply,
    day,
)


def _reasons(item: dict[str, Any]) -> dict[str, float]:
    return {r["criterion"]: r["points"] for r in item["reasons"]}


async def test_offers_are_ranked_for_an_educator_with_the_reasons_for_each_score(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    home, host = await a_centre(directory, "FR"), await a_centre(directory, "FI")
    educator = await an_educator(
        directory,
        home,
        "matcher",
        subjects=["physics"],
        languages=["fr", "en"],
        methods=["inquiry_based"],
    )
    best = await an_offer(
        exchange, host, subjects=["physics"], languages=["en"], methods=["inquiry_based"]
    )
    half = await an_offer(
        exchange, host, subjects=["physics", "biology"], languages=["fi"], methods=[]
    )
    await an_offer(exchange, host, subjects=["biology"], languages=["de"])  # nothing shared
    await an_offer(exchange, home, subjects=["physics"], languages=["fr"])  # own centre

    async with exchange.client() as public:
        response = await public.get("/v1/offer-matches", params={"educator_id": educator})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["offer"]["id"] for i in items] == [best["id"], half["id"]]
    assert items[0]["score"] == 1.0
    assert _reasons(items[0]) == {"subjects": 0.4, "languages": 0.3, "dates": 0.2, "methods": 0.1}
    assert _reasons(items[1]) == {"subjects": 0.2, "languages": 0.0, "dates": 0.2, "methods": 0.0}
    assert items[1]["score"] == 0.4
    details = {r["criterion"]: r["detail"] for r in items[1]["reasons"]}
    assert details["subjects"] == "1 of 2 subjects: physics"
    assert "speaks none of fi" in details["languages"]

    async with exchange.client() as public:
        later = await public.get(
            "/v1/offer-matches",
            params={"educator_id": educator, "available_from": day(150), "available_to": day(160)},
        )
    assert later.json()["items"] == []
    async with exchange.client() as public:
        unknown = await public.get("/v1/offer-matches", params={"educator_id": str(uuid.uuid4())})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.educator_id"


async def test_dates_taken_by_a_confirmed_exchange_count_against_an_offer(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(
        exchange,
        directory,
        window_starts_on=day(10),
        window_ends_on=day(20),
        min_days=5,
        max_days=11,
    )
    application = await apply(world, 10, 18)
    await advance(world, application["id"], "confirmed")
    other_host = await a_centre(directory, "AT")
    tight = await an_offer(
        exchange,
        other_host,
        window_starts_on=day(12),
        window_ends_on=day(22),
        min_days=5,
        max_days=11,
    )
    async with exchange.as_role("centre_manager", centres=[other_host]) as manager:
        response = await manager.get(f"/v1/offers/{tight['id']}/suggested-educators")
    assert response.status_code == 200, response.text
    [suggestion] = [i for i in response.json()["items"] if i["educator_id"] == world.educator]
    dates = next(r for r in suggestion["reasons"] if r["criterion"] == "dates")
    assert dates["points"] == 0.0
    assert "only 4 free days in a row" in dates["detail"]


async def test_educators_are_suggested_to_the_host_only_from_other_centres(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    home, host = await a_centre(directory, "IT"), await a_centre(directory, "FI")
    fits = await an_educator(directory, home, "fits", subjects=["biology"], languages=["en"])
    await an_educator(directory, home, "busy", available_for_exchange=False)
    await an_educator(directory, host, "insider", subjects=["biology"], languages=["en"])
    offer = await an_offer(exchange, host, subjects=["biology"], languages=["en"])

    async with exchange.as_role("centre_manager", centres=[host]) as manager:
        response = await manager.get(f"/v1/offers/{offer['id']}/suggested-educators")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0]["educator_id"] == fits
    assert items[0]["score"] == 1.0
    assert all(i["centre_id"] != host for i in items)
    async with exchange.as_role("centre_manager", centres=[home]) as outsider:
        refused = await outsider.get(f"/v1/offers/{offer['id']}/suggested-educators")
    assert refused.status_code == 403
