"""The holds queue: who waits for a kit's items, and who is offered them when they come back.

A request made with `wait_if_taken` that finds too few items free is stored as a `waiting`
reservation, in arrival order. Whenever items come back (a cancellation, an expired offer, a
maintenance hold or blackout lifted, a bigger pool), the waiting ones are walked in order and
each whose dates now fit is `offered`: its days are taken in the ledger like any booking, and
its borrower has the kit's `offer_hold_hours` to accept. A waiting request that does not fit
yet keeps its place, and a later one that fits is not held back by it.

Waiting rows are claimed `FOR UPDATE SKIP LOCKED`, so two transactions giving items back at the
same time never offer the same request twice; the ledger's CHECK decides who gets the items.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources import domain_events
from resources.availability import days
from resources.models import Kit, Reservation

MAX_OFFERS_PER_ROUND = 100


def booking_of(reservation: Reservation) -> days.Booking:
    return days.Booking(
        reservation.quantity,
        reservation.starts_on,
        reservation.ends_on,
        reservation.blocks_until,
    )


async def queue_positions(
    session: AsyncSession, reservations: Sequence[Reservation]
) -> dict[uuid.UUID, int]:
    """Live places in their kit's queue (1 = next) of the waiting ones, in one query."""
    kit_ids = {r.kit_id for r in reservations if r.status == "waiting"}
    if not kit_ids:
        return {}
    rank = func.row_number().over(
        partition_by=Reservation.kit_id, order_by=(Reservation.created_at, Reservation.id)
    )
    rows = await session.execute(
        select(Reservation.id, rank).where(
            Reservation.kit_id.in_(kit_ids), Reservation.status == "waiting"
        )
    )
    wanted = {r.id for r in reservations}
    return {row_id: int(position) for row_id, position in rows if row_id in wanted}


async def offer_to_waiting(session: AsyncSession, kit: Kit, *, now: datetime) -> list[Reservation]:
    """Offers items that came back to the waiting requests they fit, first come first served.

    The caller holds the kit row (shared or exclusive), as every booking does.
    """
    if kit.status != "active":
        return []
    waiting = list(
        (
            await session.execute(
                select(Reservation)
                .where(
                    Reservation.kit_id == kit.id,
                    Reservation.status == "waiting",
                    Reservation.starts_on >= now.date(),
                )
                .order_by(Reservation.created_at, Reservation.id)
                .limit(MAX_OFFERS_PER_ROUND)
            )
        ).scalars()
    )
    if not waiting:
        return []
    first = min(r.starts_on for r in waiting)
    last = max(r.blocks_until for r in waiting)
    calendar = await days.load_calendar(session, kit, first, last)
    offered: list[Reservation] = []
    for reservation in waiting:
        if calendar.max_free(reservation.starts_on, reservation.ends_on) < reservation.quantity:
            continue  # still taken for these dates: keeps its place
        if not await _claim(session, reservation) or not await _take(session, kit, reservation):
            continue
        reservation.status = "offered"
        reservation.offer_expires_at = _offer_deadline(kit, reservation, now)
        reservation.updated_at = now
        offered.append(reservation)
        calendar = await days.load_calendar(session, kit, first, last)
    await session.flush()
    await domain_events.reservations_changed(session, "reservation.offered", offered)
    return offered


async def _claim(session: AsyncSession, reservation: Reservation) -> bool:
    """Locks one waiting request, unless another transaction is offering it right now. Only
    that row is locked, so a second transaction giving items back moves on to the next one."""
    claimed = await session.execute(
        select(Reservation.id)
        .where(Reservation.id == reservation.id, Reservation.status == "waiting")
        .with_for_update(skip_locked=True)
    )
    return claimed.first() is not None


async def _take(session: AsyncSession, kit: Kit, reservation: Reservation) -> bool:
    try:
        await days.take(session, kit, booking_of(reservation))
    except days.DaysTaken:
        return False
    return True


def _offer_deadline(kit: Kit, reservation: Reservation, now: datetime) -> datetime:
    # The offer lapses when its first day begins at the latest, so nobody is handed items
    # they never said they still want; yet it always leaves at least an hour to answer.
    first_day = datetime.combine(reservation.starts_on, datetime.min.time(), now.tzinfo)
    hold = now + timedelta(hours=kit.offer_hold_hours)
    return max(min(hold, first_day), now + timedelta(hours=1))


async def release(
    session: AsyncSession,
    kit: Kit,
    reservation: Reservation,
    *,
    status: str,
    reason: str,
    now: datetime,
) -> None:
    """Moves a reservation out of the running, giving its days back if it held any."""
    if reservation.status in ("offered", "confirmed"):
        await days.give_back(session, kit, booking_of(reservation))
    reservation.status, reservation.status_reason = status, reason
    reservation.offer_expires_at = None
    reservation.updated_at = now
    await session.flush()
    await domain_events.reservations_changed(session, f"reservation.{status}", [reservation])
