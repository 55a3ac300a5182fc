"""Concurrency: the last items of a kit under real contention.

These tests use a committing app (each request its own transaction, as in production), so
PostgreSQL's locks and the day ledger's CHECK constraints are what is being tested.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from resources.models import KitDay, Reservation
from shared.testing import OpenService, ServiceHarness
from tests.resources.builders import a_centre, a_kit, day
from tests.resources.conftest import NO_EVENTS


@pytest.fixture
async def live_resources(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    peers = {"directory": directory.app, "events": NO_EVENTS}
    async with open_service("resources", isolated=False, peers=peers) as harness:
        yield harness


async def _reserve_all(
    svc: ServiceHarness, kit_id: str, ranges: list[tuple[int, int]]
) -> list[Any]:
    async def one(index: int, first: int, last: int) -> Any:
        body = {"starts_on": day(first), "ends_on": day(last)}
        async with svc.as_role("teacher", sub=f"t{index}") as client:
            return await client.post(f"/v1/kits/{kit_id}/reservations", json=body)

    return list(await asyncio.gather(*(one(i, *r) for i, r in enumerate(ranges))))


@pytest.mark.slow
async def test_200_concurrent_requests_for_overlapping_dates_on_a_pool_of_3_give_exactly_3(
    live_resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(live_resources, await a_centre(directory), quantity=3, turnaround_days=2)
    # Every range contains day 20, so no more than 3 can ever hold at once.
    rng = random.Random(7)
    ranges = [(20 - rng.randint(0, 5), 20 + rng.randint(0, 5)) for _ in range(200)]
    responses = await _reserve_all(live_resources, kit["id"], ranges)

    assert Counter(r.status_code for r in responses) == {201: 3, 409: 197}
    refusals = [r for r in responses if r.status_code == 409]
    assert all(r.headers["content-type"] == "application/problem+json" for r in refusals)
    assert all(r.json()["type"].endswith("reservation-conflict") for r in refusals)
    async with live_resources.db.session() as session:
        stored = await session.scalar(select(func.count()).where(Reservation.kit_id == kit["id"]))
        busiest = await session.scalar(
            select(func.max(KitDay.reserved + KitDay.turnaround)).where(KitDay.kit_id == kit["id"])
        )
    assert stored == 3
    assert busiest == 3


@pytest.mark.slow
async def test_10_concurrent_cancellations_offer_the_items_to_exactly_the_first_10_waiting(
    live_resources: ServiceHarness, directory: ServiceHarness
) -> None:
    kit = await a_kit(live_resources, await a_centre(directory), quantity=10)
    holders = await _reserve_all(live_resources, kit["id"], [(10, 12)] * 10)
    body = {"starts_on": day(10), "ends_on": day(12), "wait_if_taken": True}
    for i in range(30):  # one by one, so the queue order is known
        async with live_resources.as_role("teacher", sub=f"w{i:02}") as client:
            response = await client.post(f"/v1/kits/{kit['id']}/reservations", json=body)
            assert response.json()["status"] == "waiting"

    async def cancel(response: Any) -> int:
        reservation = response.json()
        async with live_resources.as_role("teacher", sub=reservation["borrower_id"]) as client:
            return (await client.delete(f"/v1/reservations/{reservation['id']}")).status_code

    assert set(await asyncio.gather(*(cancel(r) for r in holders))) == {200}
    async with live_resources.db.session() as session:
        rows = (
            await session.execute(select(Reservation).where(Reservation.kit_id == kit["id"]))
        ).scalars()
        by_status = Counter(r.status for r in rows)
        offered = sorted(
            r.borrower_id
            for r in (
                await session.execute(
                    select(Reservation).where(
                        Reservation.kit_id == kit["id"], Reservation.status == "offered"
                    )
                )
            ).scalars()
        )
        busiest = await session.scalar(
            select(func.max(KitDay.reserved)).where(KitDay.kit_id == kit["id"])
        )
    assert offered == [f"w{i:02}" for i in range(10)]
    assert by_status == {"cancelled": 10, "offered": 10, "waiting": 20}
    assert busiest == 10
