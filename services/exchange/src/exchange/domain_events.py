"""The exchange's domain events, recorded in the outbox by the writes that cause them, in the
same transaction.

Applications name educators, so their events are personal: readers without rights to personal
data get the application's id only. A step that only records one side's confirmation or report
is `application.updated`; the step that completes it has its own type.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.models import Application, Offer
from shared.outbox import Audience, record

EVENT_TYPES = (
    "offer.created",
    "offer.updated",
    "application.submitted",
    "application.approved",
    "application.declined",
    "application.accepted",
    "application.confirmed",
    "application.started",
    "application.completed",
    "application.recognised",
    "application.withdrawn",
    "application.cancelled",
    "application.amended",
    "application.updated",
)

_BY_STATUS = {
    "submitted": "application.submitted",
    "home_approved": "application.approved",
    "declined": "application.declined",
    "accepted": "application.accepted",
    "confirmed": "application.confirmed",
    "in_progress": "application.started",
    "completed": "application.completed",
    "recognised": "application.recognised",
    "withdrawn": "application.withdrawn",
    "cancelled": "application.cancelled",
}


async def offer_event(session: AsyncSession, name: str, offer: Offer) -> None:
    await record(
        session,
        type=f"offer.{name}",
        subject_id=offer.id,
        data={
            "host_centre_id": offer.host_centre_id,
            "status": offer.status,
            "places": offer.places,
            "places_left": max(offer.places - offer.places_taken, 0),
            "version": offer.version,
        },
    )


async def application_event(
    session: AsyncSession, application: Application, *, action: str, from_status: str | None
) -> None:
    if action == "amend":
        type = "application.amended"
    elif from_status == application.status:
        type = "application.updated"  # one side's confirmation or report
    else:
        type = _BY_STATUS[application.status]
    await record(
        session,
        type=type,
        subject_id=application.id,
        data={
            "offer_id": application.offer_id,
            "educator_id": application.educator_id,
            "home_centre_id": application.home_centre_id,
            "host_centre_id": application.host_centre_id,
            "status": application.status,
            "from_status": from_status,
            "action": action,
            "version": application.version,
        },
        audience=Audience.PERSONAL,
    )
