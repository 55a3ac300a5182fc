"""Per-request DataLoaders: every batch is one SQL query in its own short session.

Built fresh for each request (in the context getter) so nothing is cached across callers,
and a batch of 100 federation representations becomes one `WHERE id IN (...)` query.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from resources.availability.planner import Calendar, DayCount
from resources.catalogue.repository import components_of, get_kits
from resources.graphql.centre_kits import CentreKitsKey, kits_of_centres
from resources.models import Kit, KitComponent, KitDay
from shared.auth import Principal
from shared.db import Database, reader_session

MAX_BATCH = 500


class CalendarKey(NamedTuple):
    kit_id: uuid.UUID
    first: date
    last: date
    capacity: int
    turnaround_days: int


@dataclass
class ResourcesLoaders:
    kit: DataLoader[uuid.UUID, Kit | None]
    components: DataLoader[uuid.UUID, list[KitComponent]]
    centre_kits: DataLoader[CentreKitsKey, list[Kit]]
    calendar: DataLoader[CalendarKey, Calendar]

    def prime_kits(self, rows: Sequence[Kit]) -> None:
        """Rows a listing already read, so resolving them again costs nothing."""
        for row in rows:
            self.kit.prime(row.id, row)


async def calendars(session: AsyncSession, keys: Sequence[CalendarKey]) -> list[Calendar]:
    """Every key's days in one query (the union of their windows, turnaround included)."""
    if not keys:
        return []
    first = min(k.first for k in keys)
    last = max(k.last + timedelta(days=k.turnaround_days) for k in keys)
    rows = await session.execute(
        select(KitDay).where(
            KitDay.kit_id.in_({k.kit_id for k in keys}), KitDay.day.between(first, last)
        )
    )
    by_kit: dict[uuid.UUID, dict[date, DayCount]] = defaultdict(dict)
    for r in rows.scalars():
        by_kit[r.kit_id][r.day] = DayCount(
            r.day, r.capacity, r.reserved, r.turnaround, r.held, r.closures
        )
    return [Calendar(k.capacity, k.turnaround_days, by_kit[k.kit_id]) for k in keys]


def make_loaders(db: Database, principal: Principal | None) -> ResourcesLoaders:
    async def load_kits(ids: Sequence[uuid.UUID]) -> list[Kit | None]:
        async with reader_session(db) as session:
            found = await get_kits(session, ids)
        return [found.get(i) for i in ids]

    async def load_components(kit_ids: Sequence[uuid.UUID]) -> list[list[KitComponent]]:
        async with reader_session(db) as session:
            found = await components_of(session, kit_ids)
        return [found.get(i, []) for i in kit_ids]

    async def load_centre_kits(keys: Sequence[CentreKitsKey]) -> list[list[Kit]]:
        async with reader_session(db) as session:
            return await kits_of_centres(session, keys)

    async def load_calendars(keys: Sequence[CalendarKey]) -> list[Calendar]:
        async with reader_session(db) as session:
            return await calendars(session, keys)

    return ResourcesLoaders(
        kit=DataLoader(load_fn=load_kits, max_batch_size=MAX_BATCH),
        components=DataLoader(load_fn=load_components, max_batch_size=MAX_BATCH),
        centre_kits=DataLoader(load_fn=load_centre_kits, max_batch_size=MAX_BATCH),
        calendar=DataLoader(load_fn=load_calendars, max_batch_size=MAX_BATCH),
    )
