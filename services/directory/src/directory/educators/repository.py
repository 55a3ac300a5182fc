"""Educator queries. Visibility is part of the query, so a page never holds a hidden profile."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import Educator
from shared.auth import Principal, Role
from shared.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class EducatorFilters:
    centre_id: uuid.UUID | None = None
    subjects: Sequence[str] = ()
    languages: Sequence[str] = ()
    methods: Sequence[str] = ()
    available_for_exchange: bool | None = None


def visible_to(principal: Principal | None) -> ColumnElement[bool]:
    """Public profiles, plus one's own record and the records of centres one manages."""
    if principal is not None and principal.is_platform_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [Educator.public_profile.is_(True)]
    if principal is not None:
        clauses.append(Educator.user_subject == principal.subject)
        if Role.CENTRE_MANAGER in principal.roles and principal.centre_ids:
            clauses.append(Educator.centre_id.in_(list(principal.centre_ids)))
    return or_(false(), *clauses)


async def list_educators(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: EducatorFilters,
    limit: int,
    after: str | None,
) -> tuple[list[Educator], str | None]:
    stmt = select(Educator).where(visible_to(principal)).order_by(Educator.id).limit(limit + 1)
    if filters.centre_id:
        stmt = stmt.where(Educator.centre_id == filters.centre_id)
    if filters.subjects:
        stmt = stmt.where(Educator.subjects.contains(list(filters.subjects)))
    if filters.languages:
        stmt = stmt.where(Educator.languages.contains(list(filters.languages)))
    if filters.methods:
        stmt = stmt.where(Educator.methods.contains(list(filters.methods)))
    if filters.available_for_exchange is not None:
        stmt = stmt.where(Educator.available_for_exchange.is_(filters.available_for_exchange))
    if after:
        (last_id,) = decode_cursor(after, "id", 1)
        stmt = stmt.where(Educator.id > uuid.UUID(last_id))
    educators = list((await session.execute(stmt)).scalars())
    if len(educators) <= limit:
        return educators, None
    return educators[:limit], encode_cursor("id", [str(educators[limit - 1].id)])


async def get_visible(
    session: AsyncSession, ids: Sequence[uuid.UUID], principal: Principal | None
) -> dict[uuid.UUID, Educator]:
    if not ids:
        return {}
    stmt = select(Educator).where(Educator.id.in_(list(ids)), visible_to(principal))
    return {e.id: e for e in (await session.execute(stmt)).scalars()}
