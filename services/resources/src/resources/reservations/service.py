"""Rules for reservations: who reserves, who sees, who cancels, and what a refusal says.

Every booking holds the kit row shared, then writes the day ledger (`availability/days.py`),
where PostgreSQL has the last word. The check before it only makes the common refusal cheap
and lets the 409 say what is free instead.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from resources.access import manages_owner
from resources.availability import days
from resources.availability.planner import Calendar
from resources.availability.ranges import check_range
from resources.availability.service import load_calendar
from resources.errors import (
    IllegalTransition,
    KitNotFound,
    NotReservable,
    ReservationConflict,
    ReservationNotFound,
)
from resources.models import Kit, Reservation
from resources.reservations.repository import lock_reservation
from resources.reservations.schemas import ReservationCreate
from shared.auth import Principal, Role, require_role
from shared.clock import utcnow
from shared.problems import Forbidden

BORROWERS = (Role.TEACHER, Role.EDUCATOR, Role.CENTRE_MANAGER, Role.NETWORK_ADMIN)


async def reserve(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    data: ReservationCreate,
    directory: httpx.AsyncClient,
) -> Reservation:
    require_role(principal, *BORROWERS)
    today = utcnow().date()
    check_range(data.starts_on, data.ends_on, today=today)
    kit = await days.lock_kit(session, kit_id, exclusive=False)
    if kit is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    _ensure_reservable(kit)
    borrower = await _borrower(principal, kit, data, directory)
    booking = days.Booking(
        quantity=data.quantity,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        blocks_until=data.ends_on + timedelta(days=kit.turnaround_days),
    )
    calendar = await load_calendar(session, kit, booking.starts_on, booking.blocks_until)
    if calendar.max_free(data.starts_on, data.ends_on) < data.quantity:
        raise await _refusal(session, kit, booking, today)
    try:
        await days.shift(session, kit, booking, sign=1)
    except days.DaysTaken:
        # Someone else took the items between the check and the write.
        raise await _refusal(session, kit, booking, today) from None
    reservation = Reservation(
        kit_id=kit.id,
        quantity=booking.quantity,
        starts_on=booking.starts_on,
        ends_on=booking.ends_on,
        blocks_until=booking.blocks_until,
        status="confirmed",
        borrower_id=borrower,
        reserved_by=principal.subject,
        event_id=data.event_id,
        school=data.school,
        note=data.note,
        updated_at=utcnow(),
    )
    session.add(reservation)
    await session.flush()
    return reservation


def _ensure_reservable(kit: Kit) -> None:
    if kit.kind == "digital":
        raise NotReservable("Digital materials are not reserved; follow their link.")
    if kit.status != "active":
        raise NotReservable("This kit is retired and no longer lent.")


async def _borrower(
    principal: Principal, kit: Kit, data: ReservationCreate, directory: httpx.AsyncClient
) -> str:
    if data.borrower_id is None or data.borrower_id == principal.subject:
        return principal.subject
    if not await manages_owner(principal, kit.owner_centre_id, directory):
        raise Forbidden("Only the owning centre's staff may reserve for someone else.")
    return data.borrower_id


async def _refusal(
    session: AsyncSession, kit: Kit, booking: days.Booking, today: date
) -> ReservationConflict:
    """A 409 that says how many are free for those dates, and the nearest dates that fit."""
    probe = Calendar(kit.quantity, kit.turnaround_days, {})
    first, last = probe.window(booking.starts_on, booking.ends_on)
    calendar = await load_calendar(session, kit, max(first, today), last)
    free = calendar.max_free(booking.starts_on, booking.ends_on)
    alternatives = calendar.alternatives(
        booking.quantity, booking.starts_on, booking.ends_on, earliest=today
    )
    detail = f"{booking.quantity} requested, {free} free from {booking.starts_on} to "
    detail += f"{booking.ends_on}"
    if kit.turnaround_days:
        detail += f" with the {kit.turnaround_days} turnaround days after"
    return ReservationConflict(
        detail + ".",
        requested=booking.quantity,
        max_free=free,
        alternatives=[
            {"starts_on": s.isoformat(), "ends_on": e.isoformat()} for s, e in alternatives
        ],
    )


def is_party(principal: Principal, reservation: Reservation) -> bool:
    return principal.subject in (reservation.borrower_id, reservation.reserved_by)


async def visible_reservation(
    session: AsyncSession,
    *,
    principal: Principal,
    reservation_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> tuple[Reservation, Kit]:
    """The reservation for its borrower and the owner's staff; missing for anyone else."""
    reservation = await session.get(Reservation, reservation_id)
    if reservation is not None:
        kit = await session.get(Kit, reservation.kit_id)
        assert kit is not None
        if is_party(principal, reservation) or await manages_owner(
            principal, kit.owner_centre_id, directory
        ):
            return reservation, kit
    raise ReservationNotFound(f"No reservation of yours has id {reservation_id}.")


async def cancel(
    session: AsyncSession,
    *,
    principal: Principal,
    reservation_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Reservation:
    """Gives the reservation's days (and its turnaround) back to the pool."""
    _, kit = await visible_reservation(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    # Kit then reservation: the order every writer takes them in.
    locked_kit = await days.lock_kit(session, kit.id, exclusive=False)
    assert locked_kit is not None
    reservation = await lock_reservation(session, reservation_id)
    if reservation.status != "confirmed":
        raise IllegalTransition(
            f"Cannot cancel a reservation that is {reservation.status}.",
            current_status=reservation.status,
        )
    booking = days.Booking(
        reservation.quantity, reservation.starts_on, reservation.ends_on, reservation.blocks_until
    )
    await days.shift(session, locked_kit, booking, sign=-1)
    who = "borrower" if is_party(principal, reservation) else "staff"
    reservation.status, reservation.status_reason = "cancelled", f"cancelled by {who}"
    reservation.updated_at = utcnow()
    await session.flush()
    return reservation
