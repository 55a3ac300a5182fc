"""The day ledger (`kit_days`): the one place items are taken and given back, guarded by PostgreSQL.

Why a row per kit and day rather than an exclusion constraint on date ranges: a kit is a *pool*
of N identical items, so "no overlap" is really "at most N overlapping", which an exclusion
constraint cannot say; and the range operators it would need on a kit id column come from
btree_gist, a contrib extension our embedded PostgreSQL does not ship. So every booking adds its
quantity to the rows of the days it blocks, in the same transaction, with one
`INSERT … ON CONFLICT DO UPDATE`, and `CHECK (reserved + turnaround + held <= capacity)` refuses
the row that would overbook. Two requests for the last item both reach the same row: the second
waits on the first's row lock, then adds to the *committed* count and fails the CHECK.

Rows are written in ascending day order by every writer, so two bookings over overlapping days
lock in the same order and cannot deadlock. Writers also hold the kit row `FOR SHARE` (pool
changes take it `FOR UPDATE`), so the capacity copied into new rows is the current one.
"""

from __future__ import annotations

import functools
import typing
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Table,
    Uuid,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from resources.availability.planner import Calendar, DayCount
from resources.models import Kit, KitDay

GUARDS = frozenset({"ck_kit_days_no_overbooking", "ck_kit_days_closed_days"})


class DaysTaken(Exception):
    """PostgreSQL refused: one of the days has too few items free, or is closed."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


@dataclass(frozen=True)
class Booking:
    """What a reservation (or maintenance hold) takes: `quantity` items over the days
    `starts_on`..`ends_on` and, for a reservation, turnaround days up to `blocks_until`."""

    quantity: int
    starts_on: date
    ends_on: date
    blocks_until: date
    column: str = "reserved"
    """`reserved` for borrowers, `held` for maintenance."""


def violated_guard(exc: IntegrityError) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return name if name in GUARDS else None
    return None


@contextmanager
def guard_refusals() -> Iterator[None]:
    """Turns the ledger's CHECK violations into `DaysTaken`; anything else propagates."""
    try:
        yield
    except IntegrityError as exc:
        constraint = violated_guard(exc)
        if constraint is None:
            raise
        raise DaysTaken(constraint) from exc


async def lock_kit(session: AsyncSession, kit_id: uuid.UUID, *, exclusive: bool) -> Kit | None:
    """Shared by bookings (they may run side by side), exclusive for changes to the pool."""
    result = await session.execute(
        select(Kit)
        .where(Kit.id == kit_id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def take(session: AsyncSession, kit: Kit, booking: Booking) -> None:
    """Adds a booking's items to every day it blocks: its own days, then its turnaround.

    Runs in a savepoint: if PostgreSQL refuses, only this statement is undone and the caller
    can still read the calendar to say what is free instead. Raises `DaysTaken`.
    """
    amount = booking.quantity
    params = {
        "p_kit_id": kit.id,
        "p_first_day": booking.starts_on,
        "p_capacity": kit.quantity,
        "p_last_offset": (booking.blocks_until - booking.starts_on).days,
        "p_last_in_use": (booking.ends_on - booking.starts_on).days,
        "p_reserved": amount if booking.column == "reserved" else 0,
        "p_turnaround": amount,
        "p_held": amount if booking.column == "held" else 0,
    }
    with guard_refusals():
        async with session.begin_nested():
            await session.execute(_take_statement(), params)


@functools.cache
def _take_statement() -> Insert:
    """Built once, with parameters: every reservation runs it, and building the statement
    cost more CPU than PostgreSQL spends running it. (Parameter names must not be column
    names: an INSERT would take those as the values to insert.)"""
    # The table, not the ORM class: with parameters, an ORM insert means "bulk insert these".
    days = typing.cast(Table, KitDay.__table__)
    offsets = func.generate_series(0, bindparam("p_last_offset", type_=Integer)).alias("n")
    n = offsets.column
    in_use = n <= bindparam("p_last_in_use", type_=Integer)
    stmt = insert(days).from_select(
        ["kit_id", "day", "capacity", "reserved", "turnaround", "held"],
        select(
            bindparam("p_kit_id", type_=Uuid),
            bindparam("p_first_day", type_=Date) + cast(n, Integer),
            bindparam("p_capacity", type_=Integer),
            case((in_use, bindparam("p_reserved", type_=Integer)), else_=0),
            case((in_use, 0), else_=bindparam("p_turnaround", type_=Integer)),
            case((in_use, bindparam("p_held", type_=Integer)), else_=0),
        )
        .select_from(offsets)
        .order_by(n),
    )
    return stmt.on_conflict_do_update(
        index_elements=[days.c.kit_id, days.c.day],
        set_={
            "reserved": days.c.reserved + stmt.excluded.reserved,
            "turnaround": days.c.turnaround + stmt.excluded.turnaround,
            "held": days.c.held + stmt.excluded.held,
        },
    )


async def give_back(session: AsyncSession, kit: Kit, booking: Booking) -> None:
    """Takes a booking's items off every day it blocked (it can only lower the counts)."""
    amount = booking.quantity
    in_use = KitDay.day <= booking.ends_on
    await _lower(
        session,
        kit.id,
        booking.starts_on,
        booking.blocks_until,
        reserved=KitDay.reserved
        - case((in_use, amount if booking.column == "reserved" else 0), else_=0),
        turnaround=KitDay.turnaround - case((in_use, 0), else_=amount),
        held=KitDay.held - case((in_use, amount if booking.column == "held" else 0), else_=0),
    )


async def _lower(
    session: AsyncSession, kit_id: uuid.UUID, first: date, last: date, **values: Any
) -> None:
    """An UPDATE, not an upsert: PostgreSQL checks a proposed insert row (with its negative
    counts) against the CHECKs before it ever looks for the conflicting row. The rows are
    locked in day order first, the order every booking takes them in."""
    locked = (
        select(KitDay.kit_id, KitDay.day)
        .where(KitDay.kit_id == kit_id, KitDay.day.between(first, last))
        .order_by(KitDay.day)
        .with_for_update()
        .subquery("locked")
    )
    await session.execute(
        update(KitDay)
        .where(KitDay.kit_id == locked.c.kit_id, KitDay.day == locked.c.day)
        .values(**values)
    )


async def reopen_days(session: AsyncSession, kit: Kit, starts_on: date, ends_on: date) -> None:
    """A blackout over `starts_on`..`ends_on` ends (another may still cover some days)."""
    await _lower(session, kit.id, starts_on, ends_on, closures=KitDay.closures - 1)


async def close_days(session: AsyncSession, kit: Kit, starts_on: date, ends_on: date) -> None:
    """A blackout over `starts_on`..`ends_on` begins; refused (`DaysTaken`) if items are out
    with a borrower on one of those days."""
    offset = func.generate_series(0, (ends_on - starts_on).days).alias("n")
    n = offset.column
    stmt = insert(KitDay).from_select(
        ["kit_id", "day", "capacity", "closures"],
        select(
            literal(kit.id),
            literal(starts_on) + cast(n, Integer),
            literal(kit.quantity),
            literal(1),
        )
        .select_from(offset)
        .order_by(n),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[KitDay.kit_id, KitDay.day],
        set_={"closures": KitDay.closures + stmt.excluded.closures},
    )
    with guard_refusals():
        async with session.begin_nested():
            await session.execute(stmt)


async def resize(session: AsyncSession, kit: Kit, quantity: int, *, today: date) -> None:
    """The pool changes size from today on; refused (`DaysTaken`) if that would overbook a day.

    The caller holds the kit row exclusively, so no booking runs meanwhile.
    """
    with guard_refusals():
        async with session.begin_nested():
            await session.execute(
                update(KitDay)
                .where(KitDay.kit_id == kit.id, KitDay.day >= today)
                .values(capacity=quantity)
            )


async def load_calendar(session: AsyncSession, kit: Kit, first: date, last: date) -> Calendar:
    rows = await session.execute(
        select(KitDay).where(KitDay.kit_id == kit.id, KitDay.day.between(first, last))
    )
    counts = {
        r.day: DayCount(r.day, r.capacity, r.reserved, r.turnaround, r.held, r.closures)
        for r in rows.scalars()
    }
    return Calendar(kit.quantity, kit.turnaround_days, counts)
