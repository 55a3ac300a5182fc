"""Attendance and ledger queries. Writes are PostgreSQL upserts keyed like the tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Attendance, LedgerEntry, Registration, Session
from shared.pagination import InvalidCursor, decode_cursor, encode_cursor

ATTENDANCE_SOURCE = "attendance"


@dataclass(frozen=True)
class AttendanceSummary:
    any_attended: bool
    """Some session present or partial."""
    all_absent: bool


async def lock_registrations(
    session: AsyncSession, event_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Registration]:
    """The event's registrations among `ids`, locked (after the event, as every writer does)."""
    rows = await session.execute(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.id.in_(list(ids)))
        .order_by(Registration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {r.id: r for r in rows.scalars()}


async def upsert_attendance(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    stmt = insert(Attendance).values(rows)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Attendance.registration_id, Attendance.session_id],
            set_={
                name: stmt.excluded[name]
                for name in ("status", "minutes", "credited_hours", "recorded_by", "recorded_at")
            },
        )
    )


async def upsert_credits(session: AsyncSession, entries: list[dict[str, Any]]) -> None:
    """One entry per (source, source_key): a second write replaces the first, never adds."""
    if not entries:
        return
    stmt = insert(LedgerEntry).values(entries)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[LedgerEntry.source, LedgerEntry.source_key],
            set_={
                name: stmt.excluded[name]
                for name in ("teacher_id", "hours", "centre_id", "event_id", "title", "occurred_on")
            },
        )
    )


async def remove_credits(session: AsyncSession, source: str, keys: Sequence[str]) -> None:
    if keys:
        await session.execute(
            delete(LedgerEntry).where(
                LedgerEntry.source == source, LedgerEntry.source_key.in_(list(keys))
            )
        )


async def attendance_summaries(
    session: AsyncSession, registration_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AttendanceSummary]:
    """Over every recorded session of each registration, not only the ones just recorded."""
    rows = await session.execute(
        select(
            Attendance.registration_id,
            func.bool_or(Attendance.status.in_(("present", "partial"))),
            func.bool_and(Attendance.status == "absent"),
        )
        .where(Attendance.registration_id.in_(list(registration_ids)))
        .group_by(Attendance.registration_id)
    )
    return {rid: AttendanceSummary(bool(attended), bool(absent)) for rid, attended, absent in rows}


async def attendance_page(
    session: AsyncSession, *, event_id: uuid.UUID, limit: int, after: str | None
) -> tuple[list[tuple[Attendance, str]], str | None]:
    """(record, teacher_id) pairs ordered by registration then session."""
    stmt = (
        select(Attendance, Registration.teacher_id)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.event_id == event_id)
        .order_by(Attendance.registration_id, Attendance.session_id)
        .limit(limit + 1)
    )
    if after:
        registration_id, session_id = decode_cursor(after, "attendance", 2)
        try:
            position = (uuid.UUID(str(registration_id)), uuid.UUID(str(session_id)))
        except (TypeError, ValueError):
            raise InvalidCursor("The cursor is not one this API issued.") from None
        stmt = stmt.where(tuple_(Attendance.registration_id, Attendance.session_id) > position)
    rows = [(a, teacher) for a, teacher in await session.execute(stmt)]
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1][0]
    return rows[:limit], encode_cursor(
        "attendance", [str(last.registration_id), str(last.session_id)]
    )


async def attended_sessions(
    session: AsyncSession, registration_id: uuid.UUID
) -> list[tuple[Attendance, Session]]:
    """The sessions that earned hours, in the order they took place."""
    rows = await session.execute(
        select(Attendance, Session)
        .join(Session, Session.id == Attendance.session_id)
        .where(
            Attendance.registration_id == registration_id,
            Attendance.status.in_(("present", "partial")),
        )
        .order_by(Session.starts_at, Session.id)
    )
    return [(a, s) for a, s in rows]


async def ledger_page(
    session: AsyncSession, *, teacher_id: str, limit: int, after: str | None
) -> tuple[list[LedgerEntry], str | None]:
    """Most recent first, keyset-paged on (occurred_on, id)."""
    stmt = select(LedgerEntry).where(LedgerEntry.teacher_id == teacher_id)
    if after:
        occurred_on, last_id = decode_cursor(after, "ledger", 2)
        try:
            position = (date.fromisoformat(str(occurred_on)), uuid.UUID(str(last_id)))
        except (TypeError, ValueError):
            raise InvalidCursor("The cursor is not one this API issued.") from None
        stmt = stmt.where(tuple_(LedgerEntry.occurred_on, LedgerEntry.id) < position)
    stmt = stmt.order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc()).limit(limit + 1)
    entries = list((await session.execute(stmt)).scalars())
    if len(entries) <= limit:
        return entries, None
    last = entries[limit - 1]
    return entries[:limit], encode_cursor("ledger", [last.occurred_on.isoformat(), str(last.id)])


async def ledger_totals(
    session: AsyncSession, teacher_id: str
) -> tuple[Decimal, dict[uuid.UUID | None, Decimal]]:
    """The grand total and the total per centre, summed by PostgreSQL in one pass (ROLLUP)."""
    rows = await session.execute(
        select(
            LedgerEntry.centre_id,
            func.grouping(LedgerEntry.centre_id),
            func.coalesce(func.sum(LedgerEntry.hours), 0),
        )
        .where(LedgerEntry.teacher_id == teacher_id)
        .group_by(func.rollup(LedgerEntry.centre_id))
    )
    total = Decimal(0)
    by_centre: dict[uuid.UUID | None, Decimal] = {}
    for centre_id, is_grand_total, hours in rows:
        # GROUPING() tells the grand-total row apart from the row of credits with no centre.
        if is_grand_total:
            total = Decimal(hours)
        else:
            by_centre[centre_id] = Decimal(hours)
    return total, by_centre


async def insert_credit(session: AsyncSession, values: dict[str, Any]) -> bool:
    """True if inserted; False if (source, source_key) was already taken (then nothing changes).

    A concurrent post of the same key waits on the unique index until the first commits.
    """
    result = await session.execute(
        insert(LedgerEntry)
        .values(values)
        .on_conflict_do_nothing(index_elements=[LedgerEntry.source, LedgerEntry.source_key])
        .returning(LedgerEntry.id)
    )
    return result.first() is not None


async def entry_by_key(session: AsyncSession, source: str, source_key: str) -> LedgerEntry:
    result = await session.execute(
        select(LedgerEntry)
        .where(LedgerEntry.source == source, LedgerEntry.source_key == source_key)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()
