"""Seat accounting. Every function here runs with the event row locked (`lock_event`).

The lock serialises all changes to one event's places, so the counters on the event row are
exact, the waitlist is served in arrival order, and two workers can never hand out the same
place twice. CHECK constraints on the counters back this up inside PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from events import domain_events
from events.errors import AlreadyRegistered, EventFull, RegistrationClosed
from events.models import ACTIVE, SEAT_HOLDING, Event, Registration
from shared.clock import new_id

# Statuses that give back a seat or a waitlist place when left.
_RELEASES_SEAT = ("pending_approval", "confirmed", "offered")


def seats_free(event: Event) -> int:
    return max(event.capacity - event.seats_taken, 0)


def waitlist_free(event: Event) -> int:
    return max(event.waitlist_capacity - event.waitlist_count, 0)


async def refuse_if_full(session: AsyncSession, event: Event, *, teacher_ids: list[str]) -> None:
    """Before taking the lock: a full event refuses at once instead of queueing for the lock.

    Reading the committed counters without the lock is safe for refusing: places are only
    freed under the lock, so a refusal is ordered before any cancellation that races it.
    """
    if seats_free(event) >= len(teacher_ids) or waitlist_free(event) >= len(teacher_ids):
        return
    await _refuse_duplicates(session, event, teacher_ids)
    raise EventFull(
        "No place and no waitlist place left.",
        seats_available=seats_free(event),
        waitlist_available=waitlist_free(event),
    )


async def _refuse_duplicates(session: AsyncSession, event: Event, teacher_ids: list[str]) -> None:
    existing = await session.execute(
        select(Registration.teacher_id).where(
            Registration.event_id == event.id,
            Registration.teacher_id.in_(teacher_ids),
            Registration.status.in_(ACTIVE),
        )
    )
    already = sorted(existing.scalars())
    if already:
        raise AlreadyRegistered(
            f"Already registered for this event: {', '.join(already)}.", teachers=already
        )


def _ensure_open(event: Event, now: datetime) -> None:
    if event.status != "scheduled":
        raise RegistrationClosed(f"The event is {event.status}; it takes no registrations.")
    if now < event.registration_opens_at:
        raise RegistrationClosed(
            f"Registration opens at {event.registration_opens_at.isoformat()}.",
            opens_at=event.registration_opens_at.isoformat(),
        )
    if now >= event.registration_closes_at:
        raise RegistrationClosed("Registration for this event has closed.")


async def place(
    session: AsyncSession,
    event: Event,
    *,
    teacher_ids: list[str],
    registered_by: str,
    school: str | None,
    now: datetime,
) -> list[Registration]:
    """Seats for all the teachers, or waitlist places for all of them, or a 409: never a mix."""
    _ensure_open(event, now)
    await _refuse_duplicates(session, event, teacher_ids)
    count = len(teacher_ids)
    group_id = new_id() if count > 1 else None
    rows: list[Registration] = []
    if seats_free(event) >= count:
        status = "pending_approval" if event.requires_approval else "confirmed"
        event.seats_taken += count
        rows = [Registration(event_id=event.id, teacher_id=t, status=status) for t in teacher_ids]
    elif waitlist_free(event) >= count:
        first = event.next_waitlist_position
        event.next_waitlist_position += count
        event.waitlist_count += count
        rows = [
            Registration(
                event_id=event.id, teacher_id=t, status="waitlisted", waitlist_position=first + i
            )
            for i, t in enumerate(teacher_ids)
        ]
    else:
        who = "a team of " + str(count) if count > 1 else "you"
        raise EventFull(
            f"No place and no waitlist place left for {who}.",
            seats_available=seats_free(event),
            waitlist_available=waitlist_free(event),
        )
    for row in rows:
        row.registered_by, row.group_id, row.school, row.updated_at = (
            registered_by,
            group_id,
            school,
            now,
        )
    session.add_all(rows)
    await session.flush()
    await domain_events.registrations_placed(session, rows)
    return rows


def release(
    event: Event, registration: Registration, *, status: str, reason: str | None, now: datetime
) -> None:
    """Moves a registration out of the running, giving back its seat or waitlist place."""
    if registration.status in _RELEASES_SEAT:
        event.seats_taken -= 1
    elif registration.status == "waitlisted":
        event.waitlist_count -= 1
    registration.status = status
    registration.status_reason = reason
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.updated_at = now


async def promote_waitlist(
    session: AsyncSession, event: Event, *, now: datetime
) -> list[Registration]:
    """Offers free seats to the waitlist in order; a team moves up only all together."""
    offered: list[Registration] = []
    if event.status != "scheduled" or now >= event.starts_at:
        return offered
    while seats_free(event) > 0:
        head = (
            await session.execute(
                select(Registration)
                .where(Registration.event_id == event.id, Registration.status == "waitlisted")
                .order_by(Registration.waitlist_position)
                .limit(1)
            )
        ).scalar_one_or_none()
        if head is None:
            break
        party = [head]
        if head.group_id is not None:
            party = list(
                (
                    await session.execute(
                        select(Registration).where(
                            Registration.group_id == head.group_id,
                            Registration.status == "waitlisted",
                        )
                    )
                ).scalars()
            )
        if len(party) > seats_free(event):
            break  # the team at the head waits for enough seats; nobody jumps the queue
        expires = now + timedelta(hours=event.offer_hold_hours)
        for registration in party:
            event.waitlist_count -= 1
            event.seats_taken += 1
            registration.status = "offered"
            registration.waitlist_position = None
            registration.offer_expires_at = min(expires, event.starts_at)
            registration.updated_at = now
        await session.flush()
        offered.extend(party)
    await domain_events.registrations_changed(session, "registration.promoted", offered)
    return offered


async def cancel_all_registrations(
    session: AsyncSession, event: Event, *, reason: str, now: datetime
) -> None:
    cancelled = await session.execute(
        update(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_((*_RELEASES_SEAT, "waitlisted")),
        )
        .values(
            status="cancelled",
            status_reason=reason,
            waitlist_position=None,
            offer_expires_at=None,
            updated_at=now,
        )
        .returning(Registration)
        .execution_options(synchronize_session="fetch")
    )
    await domain_events.registrations_changed(
        session, "registration.cancelled", list(cancelled.scalars())
    )
    event.seats_taken = await _count(session, event.id, SEAT_HOLDING)
    event.waitlist_count = 0


async def _count(session: AsyncSession, event_id: uuid.UUID, statuses: tuple[str, ...]) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(statuses))
    )
    return int(result.scalar_one())
