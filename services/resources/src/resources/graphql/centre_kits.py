"""Kits of many centres in one query, for `Centre.kits` behind a gateway.

A gateway resolving a page of 50 centres asks for the kits of all 50 at once; one query per
centre would make that page 50 round trips. Each centre's page is a LATERAL subquery walking
the (owner_centre_id, id) index, so the cost grows with the page size, not the catalogue.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Integer, Uuid, column, select, true, values
from sqlalchemy.ext.asyncio import AsyncSession

from resources.models import Kit

_START = uuid.UUID(int=0)
"""Sorts before every real id: a page without a cursor starts here."""


class CentreKitsKey(NamedTuple):
    centre_id: uuid.UUID
    limit: int
    after: uuid.UUID | None
    """The id of the last kit already seen, from an `after` cursor."""


def _keys_table(keys: Sequence[CentreKitsKey]) -> Any:
    return values(
        column("idx", Integer),
        column("centre_id", Uuid()),
        column("after_id", Uuid()),
        column("take", Integer),
        name="wanted",
    ).data([(i, k.centre_id, k.after or _START, k.limit + 1) for i, k in enumerate(keys)])


async def kits_of_centres(session: AsyncSession, keys: Sequence[CentreKitsKey]) -> list[list[Kit]]:
    """For each key, up to `limit + 1` active kits (the extra one says another page exists)."""
    if not keys:
        return []
    wanted = _keys_table(keys)
    page = (
        select(Kit.id)
        .where(
            Kit.owner_centre_id == wanted.c.centre_id,
            Kit.status == "active",
            Kit.id > wanted.c.after_id,
        )
        .order_by(Kit.id)
        .limit(wanted.c.take)
        .correlate(wanted)
        .lateral("page")
    )
    stmt = (
        select(wanted.c.idx, Kit)
        .select_from(wanted)
        .join(page, true())
        .join(Kit, Kit.id == page.c.id)
        .order_by(wanted.c.idx, Kit.id)
    )
    found: list[list[Kit]] = [[] for _ in keys]
    for index, kit in await session.execute(stmt):
        found[index].append(kit)
    return found
