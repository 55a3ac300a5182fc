"""Rules for a kit's calendar: what is free per day, blackout days, maintenance holds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.access import ensure_manages_owner
from resources.availability import days
from resources.availability.ranges import check_range
from resources.availability.schemas import (
    AvailabilityRead,
    BlackoutCreate,
    DayRead,
    MaintenanceCreate,
)
from resources.errors import CalendarConflict, IllegalTransition, KitNotFound, NotReservable
from resources.models import Blackout, Kit, MaintenanceHold
from resources.reservations.queue import offer_to_waiting
from shared.auth import Principal
from shared.clock import utcnow
from shared.problems import NotFound

T = TypeVar("T", Blackout, MaintenanceHold)


async def availability(
    session: AsyncSession, *, kit_id: uuid.UUID, starts_on: date, ends_on: date
) -> AvailabilityRead:
    today = utcnow().date()
    check_range(
        starts_on, ends_on, today=today, where="query", names=("from", "to"), allow_past=True
    )
    kit = await session.get(Kit, kit_id)
    if kit is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    if kit.kind == "digital":
        raise NotReservable("Digital materials are not lent, so they have no availability.")
    calendar = await days.load_calendar(session, kit, starts_on, ends_on + _buffer(kit))
    return AvailabilityRead(
        kit_id=kit.id,
        from_=starts_on,
        to=ends_on,
        quantity=kit.quantity,
        turnaround_days=kit.turnaround_days,
        max_free=calendar.max_free(starts_on, ends_on) if kit.status == "active" else 0,
        days=[
            DayRead(
                day=d.day,
                capacity=d.capacity,
                reserved=d.reserved,
                turnaround=d.turnaround,
                held=d.held,
                closed=d.closures > 0,
                free=d.free_to_lend,
            )
            for d in calendar.days(starts_on, ends_on)
        ],
    )


def _buffer(kit: Kit) -> timedelta:
    return timedelta(days=kit.turnaround_days)


async def managed_kit(
    session: AsyncSession, principal: Principal, kit_id: uuid.UUID, directory: httpx.AsyncClient
) -> Kit:
    """The kit, held shared (as bookings hold it), once the caller is known to manage it."""
    kit = await days.lock_kit(session, kit_id, exclusive=False)
    if kit is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    if kit.kind == "digital":
        raise NotReservable("Digital materials are not lent; they have no calendar.")
    return kit


async def add_blackout(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    data: BlackoutCreate,
    directory: httpx.AsyncClient,
) -> Blackout:
    check_range(data.starts_on, data.ends_on, today=utcnow().date())
    kit = await managed_kit(session, principal, kit_id, directory)
    try:
        await days.close_days(session, kit, data.starts_on, data.ends_on)
    except days.DaysTaken:
        raise CalendarConflict(
            "Items are reserved on some of those days; cancel or move the reservations first.",
            starts_on=data.starts_on.isoformat(),
            ends_on=data.ends_on.isoformat(),
        ) from None
    blackout = Blackout(kit_id=kit.id, created_by=principal.subject, **data.model_dump())
    session.add(blackout)
    await session.flush()
    return blackout


async def remove_blackout(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    blackout_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> None:
    kit = await managed_kit(session, principal, kit_id, directory)
    blackout = await _owned(session, Blackout, kit_id, blackout_id, lock=True)
    await days.reopen_days(session, kit, blackout.starts_on, blackout.ends_on)
    await session.delete(blackout)
    await session.flush()
    await offer_to_waiting(session, kit, now=utcnow())


async def add_maintenance(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    data: MaintenanceCreate,
    directory: httpx.AsyncClient,
) -> MaintenanceHold:
    check_range(data.starts_on, data.ends_on, today=utcnow().date())
    kit = await managed_kit(session, principal, kit_id, directory)
    booking = days.Booking(data.quantity, data.starts_on, data.ends_on, data.ends_on, "held")
    try:
        await days.take(session, kit, booking)
    except days.DaysTaken:
        calendar = await days.load_calendar(session, kit, data.starts_on, data.ends_on)
        free = min(d.free_in_pool for d in calendar.days(data.starts_on, data.ends_on))
        raise CalendarConflict(
            f"Only {free} items are at the centre on every one of those days.",
            max_free=free,
        ) from None
    hold = MaintenanceHold(kit_id=kit.id, created_by=principal.subject, **data.model_dump())
    session.add(hold)
    await session.flush()
    return hold


async def release_maintenance(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    hold_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> MaintenanceHold:
    kit = await managed_kit(session, principal, kit_id, directory)
    hold = await _owned(session, MaintenanceHold, kit_id, hold_id, lock=True)
    if hold.status != "active":
        raise IllegalTransition("This maintenance hold was already released.")
    booking = days.Booking(hold.quantity, hold.starts_on, hold.ends_on, hold.ends_on, "held")
    await days.give_back(session, kit, booking)
    hold.status = "released"
    await session.flush()
    await offer_to_waiting(session, kit, now=utcnow())
    return hold


async def _owned(
    session: AsyncSession, model: type[T], kit_id: uuid.UUID, row_id: uuid.UUID, *, lock: bool
) -> T:
    stmt = select(model).where(model.id == row_id, model.kit_id == kit_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Kit {kit_id} has nothing with id {row_id}.")
    return row
