"""Reservation queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.catalogue.repository import position_after
from resources.models import Reservation
from shared.pagination import encode_cursor


async def page(
    session: AsyncSession,
    *,
    kit_id: uuid.UUID | None = None,
    person: str | None = None,
    statuses: Sequence[str] = (),
    overlapping: tuple[date, date] | None = None,
    limit: int,
    after: str | None,
) -> tuple[list[Reservation], str | None]:
    """`person`: only reservations they borrow or made."""
    stmt = select(Reservation)
    if kit_id:
        stmt = stmt.where(Reservation.kit_id == kit_id)
    if person:
        stmt = stmt.where(or_(Reservation.borrower_id == person, Reservation.reserved_by == person))
    if statuses:
        stmt = stmt.where(Reservation.status.in_(list(statuses)))
    if overlapping:
        stmt = stmt.where(
            Reservation.starts_on <= overlapping[1], Reservation.ends_on >= overlapping[0]
        )
    last_id = position_after(after)
    if last_id is not None:
        stmt = stmt.where(Reservation.id > last_id)
    rows = list((await session.execute(stmt.order_by(Reservation.id).limit(limit + 1))).scalars())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor("id", [str(rows[limit - 1].id)])


async def lock_reservation(session: AsyncSession, reservation_id: uuid.UUID) -> Reservation:
    result = await session.execute(
        select(Reservation)
        .where(Reservation.id == reservation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()
