"""The events service's domain events, recorded in the outbox by the writes that cause them.

Registrations name teachers, so their events are personal: readers without rights to personal
data get the registration's id only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Event, Registration
from shared.outbox import Audience, record, record_each

EVENT_TYPES = (
    "event.created",
    "event.updated",
    "event.published",
    "event.cancelled",
    "registration.confirmed",
    "registration.requested",
    "registration.waitlisted",
    "registration.promoted",
    "registration.cancelled",
    "registration.rejected",
)

_ON_PLACING = {
    "confirmed": "registration.confirmed",
    "pending_approval": "registration.requested",
    "waitlisted": "registration.waitlisted",
}


async def event_changed(session: AsyncSession, type: str, event: Event, **data: Any) -> None:
    await record(
        session,
        type=type,
        subject_id=event.id,
        data={
            "host_centre_id": event.host_centre_id,
            "status": event.status,
            "version": event.version,
            **data,
        },
    )


async def registrations_changed(
    session: AsyncSession, type: str, registrations: Iterable[Registration]
) -> None:
    await record_each(
        session,
        type=type,
        subjects=[
            (
                r.id,
                {"event_id": r.event_id, "teacher_id": r.teacher_id, "status": r.status},
            )
            for r in registrations
        ],
        audience=Audience.PERSONAL,
    )


async def registrations_placed(session: AsyncSession, registrations: list[Registration]) -> None:
    if registrations:
        await registrations_changed(session, _ON_PLACING[registrations[0].status], registrations)
