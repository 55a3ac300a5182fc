"""Queries on applications and their history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.models import ACTIVE, Application, Transition
from shared.pagination import decode_cursor, encode_cursor

_CURSOR_KIND = "applications-by-id"


@dataclass(frozen=True)
class ApplicationFilters:
    offer_id: uuid.UUID | None = None
    educator_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = ()


def cursor_for(application: Application) -> str:
    return encode_cursor(_CURSOR_KIND, [str(application.id)])


def position_after(after: str | None) -> uuid.UUID | None:
    if after is None:
        return None
    return uuid.UUID(str(decode_cursor(after, _CURSOR_KIND, 1)[0]))


async def list_applications(
    session: AsyncSession,
    filters: ApplicationFilters,
    *,
    visible: ColumnElement[bool],
    limit: int,
    after: str | None,
) -> tuple[list[Application], str | None]:
    stmt = select(Application).where(visible)
    if filters.offer_id is not None:
        stmt = stmt.where(Application.offer_id == filters.offer_id)
    if filters.educator_id is not None:
        stmt = stmt.where(Application.educator_id == filters.educator_id)
    if filters.statuses:
        stmt = stmt.where(Application.status.in_(filters.statuses))
    last = position_after(after)
    if last is not None:
        stmt = stmt.where(Application.id > last)
    rows = list((await session.execute(stmt.order_by(Application.id).limit(limit + 1))).scalars())
    next_cursor = cursor_for(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def lock_application(session: AsyncSession, application_id: uuid.UUID) -> Application | None:
    stmt = select(Application).where(Application.id == application_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_application(
    session: AsyncSession, *, offer_id: uuid.UUID, educator_id: uuid.UUID
) -> Application | None:
    stmt = select(Application).where(
        Application.offer_id == offer_id,
        Application.educator_id == educator_id,
        Application.status.in_(ACTIVE),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def history(session: AsyncSession, application_id: uuid.UUID) -> list[Transition]:
    stmt = (
        select(Transition)
        .where(Transition.application_id == application_id)
        .order_by(Transition.id)
    )
    return list((await session.execute(stmt)).scalars())


async def applications_of_educators(
    session: AsyncSession,
    educator_ids: Sequence[uuid.UUID],
    *,
    visible: ColumnElement[bool],
    limit: int,
) -> dict[uuid.UUID, list[Application]]:
    """Each educator's `limit` most recent applications the caller may see, in one query."""
    found: dict[uuid.UUID, list[Application]] = {i: [] for i in educator_ids}
    if not educator_ids:
        return found
    numbered = (
        select(
            Application.id,
            func.row_number()
            .over(partition_by=Application.educator_id, order_by=Application.id.desc())
            .label("n"),
        )
        .where(Application.educator_id.in_(set(educator_ids)), visible)
        .subquery()
    )
    rows = await session.execute(
        select(Application)
        .join(numbered, numbered.c.id == Application.id)
        .where(numbered.c.n <= limit)
        .order_by(Application.educator_id, Application.id.desc())
    )
    for application in rows.scalars():
        found[application.educator_id].append(application)
    return found
