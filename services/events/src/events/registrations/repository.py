"""Registration queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Registration
from shared.pagination import decode_cursor, encode_cursor


async def queue_ranks(
    session: AsyncSession, registrations: Sequence[Registration]
) -> dict[uuid.UUID, int]:
    """Live places in the queue (1 = next) of the waitlisted ones among `registrations`.

    One query for a whole page: ranks over each event's waitlist, which the waitlist capacity
    bounds, then kept for the registrations asked about.
    """
    waiting = [r for r in registrations if r.status == "waitlisted"]
    if not waiting:
        return {}
    ranked = (
        select(
            Registration.id,
            func.row_number()
            .over(partition_by=Registration.event_id, order_by=Registration.waitlist_position)
            .label("rank"),
        )
        .where(
            Registration.status == "waitlisted",
            Registration.event_id.in_({r.event_id for r in waiting}),
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.id, ranked.c.rank).where(ranked.c.id.in_([r.id for r in waiting]))
    )
    return {row.id: int(row.rank) for row in rows}


async def page(
    session: AsyncSession,
    *,
    event_id: uuid.UUID | None = None,
    teacher_id: str | None = None,
    statuses: Sequence[str] = (),
    limit: int,
    after: str | None,
) -> tuple[list[Registration], str | None]:
    stmt = select(Registration).order_by(Registration.id).limit(limit + 1)
    if event_id:
        stmt = stmt.where(Registration.event_id == event_id)
    if teacher_id:
        stmt = stmt.where(Registration.teacher_id == teacher_id)
    if statuses:
        stmt = stmt.where(Registration.status.in_(list(statuses)))
    if after:
        (last_id,) = decode_cursor(after, "id", 1)
        stmt = stmt.where(Registration.id > uuid.UUID(last_id))
    rows = list((await session.execute(stmt)).scalars())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor("id", [str(rows[limit - 1].id)])
