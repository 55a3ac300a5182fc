"""Network and membership queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import Membership, Network
from shared.pagination import decode_cursor, encode_cursor


def _parents_json() -> Any:
    parent = Membership.__table__.alias("parent_membership")
    return (
        select(
            func.coalesce(
                func.jsonb_agg(
                    func.jsonb_build_object(
                        "network_id",
                        parent.c.network_id,
                        "role",
                        parent.c.role,
                        "starts_on",
                        parent.c.starts_on,
                        "ends_on",
                        parent.c.ends_on,
                    )
                ),
                cast(literal("[]"), JSONB),
            )
        )
        .where(
            parent.c.member_network_id == Network.id,
            or_(parent.c.ends_on.is_(None), parent.c.ends_on >= func.current_date()),
        )
        .scalar_subquery()
    )


def network_columns() -> list[Any]:
    return [
        Network.id,
        Network.name,
        Network.description,
        Network.kind,
        Network.country,
        Network.website,
        Network.created_at,
        Network.updated_at,
        Network.version,
        _parents_json().label("member_of"),
    ]


async def list_networks(
    session: AsyncSession,
    *,
    kind: str | None,
    country: str | None,
    limit: int,
    after: str | None,
) -> tuple[list[Row[Any]], str | None]:
    stmt = select(*network_columns()).order_by(Network.id).limit(limit + 1)
    if kind:
        stmt = stmt.where(Network.kind == kind)
    if country:
        stmt = stmt.where(Network.country == country)
    if after:
        (last_id,) = decode_cursor(after, "id", 1)
        stmt = stmt.where(Network.id > uuid.UUID(last_id))
    rows = list((await session.execute(stmt)).all())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor("id", [str(rows[limit - 1].id)])


async def get_network_rows(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    if not ids:
        return {}
    rows = await session.execute(select(*network_columns()).where(Network.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def list_members(
    session: AsyncSession, *, network_id: uuid.UUID, limit: int, after: str | None
) -> tuple[list[Membership], str | None]:
    stmt = (
        select(Membership)
        .where(Membership.network_id == network_id)
        .order_by(Membership.id)
        .limit(limit + 1)
    )
    if after:
        (last_id,) = decode_cursor(after, "id", 1)
        stmt = stmt.where(Membership.id > uuid.UUID(last_id))
    members = list((await session.execute(stmt)).scalars())
    if len(members) <= limit:
        return members, None
    return members[:limit], encode_cursor("id", [str(members[limit - 1].id)])


async def descendants(session: AsyncSession, network_id: uuid.UUID) -> set[uuid.UUID]:
    """Every network inside this one (its members, their members…), itself included."""
    tree = select(literal(network_id).label("id")).cte("tree", recursive=True)
    tree = tree.union(
        select(Membership.member_network_id).where(
            Membership.network_id == tree.c.id, Membership.member_network_id.is_not(None)
        )
    )
    return {row[0] for row in await session.execute(select(tree.c.id))}
