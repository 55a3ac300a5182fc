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

from resources import domain_events
from resources.access import manages_owner
from resources.availability import days
from resources.availability.planner import Calendar
from resources.availability.ranges import check_range
from resources.errors import (
    IllegalTransition,
    KitNotFound,
    NotReservable,
    PrerequisiteMissing,
    ReservationConflict,
    ReservationNotFound,
)
from resources.events_client import attended_course, event_facts
from resources.models import Kit, Reservation
from resources.reservations import queue
from resources.reservations.repository import lock_reservation
from resources.reservations.schemas import ReservationCreate
from shared.auth import Principal, Role, require_role
from shared.clock import utcnow
from shared.problems import Forbidden, InvalidInput

BORROWERS = (Role.TEACHER, Role.EDUCATOR, Role.CENTRE_MANAGER, Role.NETWORK_ADMIN)


async def reserve(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    data: ReservationCreate,
    directory: httpx.AsyncClient,
    events: httpx.AsyncClient,
    authorization: str,
) -> Reservation:
    require_role(principal, *BORROWERS)
    today = utcnow().date()
    check_range(data.starts_on, data.ends_on, today=today)
    if data.event_id is not None:
        await _ensure_runs_event(principal, data.event_id, events, directory)
    kit = await days.lock_kit(session, kit_id, exclusive=False)
    if kit is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    _ensure_reservable(kit)
    borrower = await _borrower(principal, kit, data, directory)
    if kit.requires_course_key and borrower == principal.subject:
        await _ensure_attended(events, authorization, kit.requires_course_key)
    booking = days.Booking(
        quantity=data.quantity,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        blocks_until=data.ends_on + timedelta(days=kit.turnaround_days),
    )
    taken = await _take(session, kit, booking)
    # Waiting for more items than the pool has would be waiting forever.
    if not taken and (not data.wait_if_taken or data.quantity > kit.quantity):
        raise await _refusal(session, kit, booking, today)
    reservation = Reservation(
        kit_id=kit.id,
        quantity=booking.quantity,
        starts_on=booking.starts_on,
        ends_on=booking.ends_on,
        blocks_until=booking.blocks_until,
        status="confirmed" if taken else "waiting",
        borrower_id=borrower,
        reserved_by=principal.subject,
        event_id=data.event_id,
        school=data.school,
        note=data.note,
        updated_at=utcnow(),
    )
    session.add(reservation)
    await session.flush()
    await domain_events.reservations_changed(
        session, f"reservation.{reservation.status}", [reservation]
    )
    return reservation


async def _take(session: AsyncSession, kit: Kit, booking: days.Booking) -> bool:
    """Takes the booking's days in the ledger; False if too few items are free."""
    calendar = await days.load_calendar(session, kit, booking.starts_on, booking.blocks_until)
    if calendar.max_free(booking.starts_on, booking.ends_on) < booking.quantity:
        return False  # the common refusal, without a failed write
    try:
        await days.take(session, kit, booking)
    except days.DaysTaken:
        return False  # someone else took the items between the check and the write
    return True


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


async def _ensure_runs_event(
    principal: Principal,
    event_id: uuid.UUID,
    events: httpx.AsyncClient,
    directory: httpx.AsyncClient,
) -> None:
    """Kits are reserved for an event by its host's staff; cancelling the event releases them."""
    event = await event_facts(events, event_id, field="event_id")
    if event.status == "cancelled":
        raise InvalidInput(
            "event_id: the event is cancelled",
            errors=[{"field": "body.event_id", "message": "cancelled"}],
        )
    if not await manages_owner(principal, event.host_centre_id, directory):
        raise Forbidden("Only the event's host staff may reserve kits for it.")


async def _ensure_attended(events: httpx.AsyncClient, authorization: str, course_key: str) -> None:
    # Asked while the kit is held shared: that only delays changes to the pool, not bookings.
    # Staff reserving for a teacher vouch for them instead (the teacher's record is theirs).
    if not await attended_course(events, authorization=authorization, course_key=course_key):
        raise PrerequisiteMissing(
            f"This kit is lent to teachers who attended the course `{course_key}`; "
            "your attendance record shows no run of it.",
            course_key=course_key,
        )


async def _refusal(
    session: AsyncSession, kit: Kit, booking: days.Booking, today: date
) -> ReservationConflict:
    """A 409 that says how many are free for those dates, and the nearest dates that fit."""
    probe = Calendar(kit.quantity, kit.turnaround_days, {})
    first, last = probe.window(booking.starts_on, booking.ends_on)
    calendar = await days.load_calendar(session, kit, max(first, today), last)
    free = calendar.max_free(booking.starts_on, booking.ends_on)
    alternatives = calendar.alternatives(
        booking.quantity, booking.starts_on, booking.ends_on, earliest=today
    )
    detail = f"{booking.quantity} requested, {free} free from {booking.starts_on} to "
    detail += f"{booking.ends_on}"
    if kit.turnaround_days:
        plural = "s" if kit.turnaround_days > 1 else ""
        detail += f" with the {kit.turnaround_days} turnaround day{plural} after"
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


async def _locked(
    session: AsyncSession,
    principal: Principal,
    reservation_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> tuple[Reservation, Kit]:
    """Kit then reservation, locked in that order (the order every writer takes them in)."""
    _, kit = await visible_reservation(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    locked_kit = await days.lock_kit(session, kit.id, exclusive=False)
    assert locked_kit is not None
    return await lock_reservation(session, reservation_id), locked_kit


async def cancel(
    session: AsyncSession,
    *,
    principal: Principal,
    reservation_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Reservation:
    """Gives the reservation's days (and turnaround) back; the queue is offered them."""
    reservation, kit = await _locked(session, principal, reservation_id, directory)
    if reservation.status not in ("waiting", "offered", "confirmed"):
        raise IllegalTransition(
            f"Cannot cancel a reservation that is {reservation.status}.",
            current_status=reservation.status,
        )
    gives_back = reservation.status != "waiting"
    who = "borrower" if is_party(principal, reservation) else "staff"
    now = utcnow()
    await queue.release(
        session, kit, reservation, status="cancelled", reason=f"cancelled by {who}", now=now
    )
    if gives_back:
        await queue.offer_to_waiting(session, kit, now=now)
    return reservation


async def accept(
    session: AsyncSession,
    *,
    principal: Principal,
    reservation_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Reservation:
    """The borrower takes the items offered to them from the queue."""
    reservation, _ = await _locked(session, principal, reservation_id, directory)
    if principal.subject != reservation.borrower_id:
        raise ReservationNotFound(f"No reservation of yours has id {reservation_id}.")
    if reservation.status != "offered":
        raise IllegalTransition(
            f"Only an offered reservation is accepted; this one is {reservation.status}.",
            current_status=reservation.status,
        )
    assert reservation.offer_expires_at is not None
    if reservation.offer_expires_at <= utcnow():
        raise IllegalTransition(
            "The offer has expired; the items pass to the next in the queue.",
            current_status="offered",
        )
    reservation.status, reservation.offer_expires_at = "confirmed", None
    reservation.updated_at = utcnow()
    await session.flush()
    await domain_events.reservations_changed(session, "reservation.confirmed", [reservation])
    return reservation
