"""Concurrency: the last places of an offer and one educator's days under real contention.

The exchange app here commits (each request its own transaction, as in production), so
PostgreSQL's row locks, the offer's CHECK and the educator-days key are what is tested.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from exchange.models import Application, EducatorDay, Offer
from shared.testing import OpenService, ServiceHarness
from tests.exchange.builders import (
    Exchange,
    a_centre,
    act,
    an_educator,
    an_offer,
    apply,
)

pytestmark = pytest.mark.slow


@pytest.fixture
async def live_exchange(
    open_service: OpenService, directory: ServiceHarness, events: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    peers = {"directory": directory.app, "events": events.app}
    async with open_service("exchange", isolated=False, peers=peers) as harness:
        yield harness


async def test_50_concurrent_acceptances_for_an_offer_with_2_places_accept_exactly_2(
    live_exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    home, host = await a_centre(directory, "FR"), await a_centre(directory, "FI")
    offer = await an_offer(live_exchange, host, places=2)
    worlds = []
    for number in range(50):
        sub = f"racer-{number}"
        educator = await an_educator(directory, home, sub)
        world = Exchange(live_exchange, home, host, educator, sub, offer)
        application = await apply(world, 20, 24)
        assert (await act(world.home_manager(), application["id"], "approve")).status_code == 200
        worlds.append((world, application["id"]))

    responses = await asyncio.gather(
        *(act(world.host_manager(), application_id, "accept") for world, application_id in worlds)
    )

    assert Counter(r.status_code for r in responses) == {200: 2, 409: 48}
    refusals = [r for r in responses if r.status_code == 409]
    assert all(r.json()["type"].endswith("offer-full") for r in refusals)
    async with live_exchange.db.session() as session:
        stored = await session.get(Offer, offer["id"])
        accepted = await session.scalar(
            select(func.count()).where(
                Application.offer_id == offer["id"], Application.status == "accepted"
            )
        )
    assert stored is not None and stored.places_taken == 2
    assert accepted == 2


async def test_two_overlapping_confirmations_for_one_educator_confirm_exactly_one(
    live_exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    home = await a_centre(directory, "IT")
    hosts = [await a_centre(directory, "FI"), await a_centre(directory, "AT")]
    offers = [await an_offer(live_exchange, host, places=10) for host in hosts]
    pairs = []
    for number in range(8):  # eight educators, each confirmed twice at once for the same week
        sub = f"busy-{number}"
        educator = await an_educator(directory, home, sub)
        pair = []
        for host, offer, first in zip(hosts, offers, (30, 33), strict=True):
            world = Exchange(live_exchange, home, host, educator, sub, offer)
            application_id = (await apply(world, first, first + 6))["id"]
            for party, action in (("home", "approve"), ("host", "accept"), ("home", "confirm")):
                assert (await act(world.party(party), application_id, action)).status_code == 200
            pair.append((world, application_id))
        pairs.append(pair)

    responses = await asyncio.gather(
        *(
            act(world.host_manager(), application_id, "confirm")
            for pair in pairs
            for world, application_id in pair
        )
    )

    for index in range(len(pairs)):
        outcome = Counter(r.status_code for r in responses[2 * index : 2 * index + 2])
        assert outcome == {200: 1, 409: 1}, [r.text for r in responses[2 * index : 2 * index + 2]]
    refusals = [r for r in responses if r.status_code == 409]
    assert all(r.json()["type"].endswith("overlapping-exchange") for r in refusals)
    async with live_exchange.db.session() as session:
        confirmed = await session.scalar(
            select(func.count()).where(Application.status == "confirmed")
        )
        days = await session.scalar(select(func.count()).select_from(EducatorDay))
    assert confirmed == 8
    assert days == 8 * 7
