"""The resources service's domain events, recorded in the outbox by the writes that cause them.

Reservations and loans name their borrowers, so their events are personal: readers without
rights to personal data get the reservation's or loan's id only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resources.models import Kit, Loan, Reservation
from shared.outbox import Audience, record, record_each

EVENT_TYPES = (
    "kit.created",
    "kit.updated",
    "reservation.confirmed",
    "reservation.waiting",
    "reservation.offered",
    "reservation.cancelled",
    "reservation.expired",
    "loan.checked_out",
    "loan.returned",
    "loan.overdue",
)


async def kit_changed(session: AsyncSession, type: str, kit: Kit, **data: Any) -> None:
    await record(
        session,
        type=type,
        subject_id=kit.id,
        data={"owner_centre_id": kit.owner_centre_id, "version": kit.version, **data},
    )


async def reservations_changed(
    session: AsyncSession, type: str, reservations: Iterable[Reservation]
) -> None:
    await record_each(
        session,
        type=type,
        subjects=[
            (
                r.id,
                {
                    "kit_id": r.kit_id,
                    "borrower_id": r.borrower_id,
                    "status": r.status,
                    "starts_on": r.starts_on,
                    "ends_on": r.ends_on,
                    "quantity": r.quantity,
                },
            )
            for r in reservations
        ],
        audience=Audience.PERSONAL,
    )


async def loans_changed(session: AsyncSession, type: str, loans: Iterable[Loan]) -> None:
    await record_each(
        session,
        type=type,
        subjects=[
            (
                loan.id,
                {
                    "kit_id": loan.kit_id,
                    "reservation_id": loan.reservation_id,
                    "borrower_id": loan.borrower_id,
                    "due_on": loan.due_on,
                },
            )
            for loan in loans
        ],
        audience=Audience.PERSONAL,
    )
