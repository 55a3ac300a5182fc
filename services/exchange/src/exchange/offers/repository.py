"""Queries on offers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Select, String, Uuid, cast, column, select, true, update, values
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.models import Offer
from shared.pagination import decode_cursor, encode_cursor

_CURSOR_KIND = "offers-by-id"
_START = uuid.UUID(int=0)


@dataclass(frozen=True)
class OfferFilters:
    host_centre_id: uuid.UUID | None = None
    kinds: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    """Any of these."""
    languages: tuple[str, ...] = ()
    """Any of these."""
    statuses: tuple[str, ...] = ("open",)
    available_from: date | None = None
    available_to: date | None = None
    """With `available_from`: the window overlaps these dates."""
    modified_after: datetime | None = None


def cursor_for(offer: Offer) -> str:
    return encode_cursor(_CURSOR_KIND, [str(offer.id)])


def position_after(after: str | None) -> uuid.UUID | None:
    if after is None:
        return None
    return uuid.UUID(str(decode_cursor(after, _CURSOR_KIND, 1)[0]))


def _filtered(filters: OfferFilters) -> Select[Offer]:
    stmt = select(Offer)
    if filters.host_centre_id is not None:
        stmt = stmt.where(Offer.host_centre_id == filters.host_centre_id)
    if filters.kinds:
        stmt = stmt.where(Offer.kind.in_(filters.kinds))
    if filters.subjects:
        stmt = stmt.where(Offer.subjects.overlap(cast(list(filters.subjects), ARRAY(String))))
    if filters.languages:
        stmt = stmt.where(Offer.languages.overlap(cast(list(filters.languages), ARRAY(String))))
    if filters.statuses:
        stmt = stmt.where(Offer.status.in_(filters.statuses))
    if filters.available_from is not None:
        stmt = stmt.where(Offer.window_ends_on >= filters.available_from)
    if filters.available_to is not None:
        stmt = stmt.where(Offer.window_starts_on <= filters.available_to)
    if filters.modified_after is not None:
        stmt = stmt.where(Offer.updated_at > filters.modified_after)
    return stmt


async def list_offers(
    session: AsyncSession, filters: OfferFilters, *, limit: int, after: str | None
) -> tuple[list[Offer], str | None]:
    """Newest first would hide old offers from a client syncing page by page; ids are
    time-ordered, so ascending id is creation order and a stable keyset."""
    stmt = _filtered(filters)
    last = position_after(after)
    if last is not None:
        stmt = stmt.where(Offer.id > last)
    rows = list((await session.execute(stmt.order_by(Offer.id).limit(limit + 1))).scalars())
    next_cursor = cursor_for(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def get_offers(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Offer]:
    if not ids:
        return {}
    rows = await session.execute(select(Offer).where(Offer.id.in_(set(ids))))
    return {offer.id: offer for offer in rows.scalars()}


async def lock_offer(session: AsyncSession, offer_id: uuid.UUID) -> Offer | None:
    stmt = select(Offer).where(Offer.id == offer_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def take_place(session: AsyncSession, offer_id: uuid.UUID) -> bool:
    """One place, if one is left, in a single statement: concurrent takers queue on the
    row and each re-checks what is left, so exactly `places` of them succeed."""
    result = await session.execute(
        update(Offer)
        .where(Offer.id == offer_id, Offer.places_taken < Offer.places, Offer.status != "cancelled")
        .values(places_taken=Offer.places_taken + 1)
        .returning(Offer.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def give_back_place(session: AsyncSession, offer_id: uuid.UUID) -> None:
    await session.execute(
        update(Offer)
        .where(Offer.id == offer_id)
        .values(places_taken=Offer.places_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _keys_table(keys: Sequence[tuple[uuid.UUID, int, uuid.UUID | None]]) -> Any:
    return values(
        column("idx", Integer),
        column("centre_id", Uuid()),
        column("after_id", Uuid()),
        column("take", Integer),
        name="wanted",
    ).data([(i, c, after or _START, limit + 1) for i, (c, limit, after) in enumerate(keys)])


async def offers_of_centres(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, int, uuid.UUID | None]]
) -> list[list[Offer]]:
    """For each (centre, limit, after) up to `limit + 1` open offers, all in one query."""
    if not keys:
        return []
    wanted = _keys_table(keys)
    page = (
        select(Offer.id)
        .where(
            Offer.host_centre_id == wanted.c.centre_id,
            Offer.status == "open",
            Offer.id > wanted.c.after_id,
        )
        .order_by(Offer.id)
        .limit(wanted.c.take)
        .correlate(wanted)
        .lateral("page")
    )
    stmt = (
        select(wanted.c.idx, Offer)
        .select_from(wanted)
        .join(page, true())
        .join(Offer, Offer.id == page.c.id)
        .order_by(wanted.c.idx, Offer.id)
    )
    found: list[list[Offer]] = [[] for _ in keys]
    for index, offer in await session.execute(stmt):
        found[index].append(offer)
    return found
