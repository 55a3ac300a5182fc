"""Kit queries: keyset-paged on id (time-ordered), filters combined with AND."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from resources.models import (
    Blackout,
    Kit,
    KitComponent,
    KitDay,
    KitItem,
    MaintenanceHold,
    Transfer,
)
from shared.pagination import InvalidCursor, decode_cursor, encode_cursor

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195


@dataclass(frozen=True)
class KitFilters:
    centre_id: uuid.UUID | None = None
    kinds: Sequence[str] = ()
    subjects: Sequence[str] = ()
    audiences: Sequence[str] = ()
    age: int | None = None
    """Suitable for pupils of this age."""
    statuses: Sequence[str] = ("active",)
    available: tuple[date, date, int] | None = None
    """(from, to, quantity): a reservation of those dates for that many would succeed."""
    near: tuple[float, float, float] | None = None
    """(lat, lon, radius_km)"""
    modified_after: datetime | None = None


def _near(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    # A bounding box the (lat, lon) index can use, then the exact great-circle distance.
    dlat = radius_km / KM_PER_DEGREE
    clauses: list[ColumnElement[bool]] = [Kit.lat.between(lat - dlat, lat + dlat)]
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 89.0)))
    dlon = radius_km / (KM_PER_DEGREE * cos_lat)
    if lon - dlon >= -180 and lon + dlon <= 180:
        clauses.append(Kit.lon.between(lon - dlon, lon + dlon))
    la, lo = literal(lat, Float), literal(lon, Float)
    a = func.power(func.sin(func.radians(Kit.lat - la) / 2), 2) + func.cos(
        func.radians(la)
    ) * func.cos(func.radians(Kit.lat)) * func.power(func.sin(func.radians(Kit.lon - lo) / 2), 2)
    clauses.append(EARTH_RADIUS_KM * 2 * func.asin(func.least(1.0, func.sqrt(a))) <= radius_km)
    return clauses


def _available(starts_on: date, ends_on: date, quantity: int) -> list[ColumnElement[bool]]:
    """Free for the whole range and the kit's own turnaround after it: no ledger day says no."""
    last_blocked = literal(ends_on) + cast(Kit.turnaround_days, Integer)
    too_full = exists().where(
        KitDay.kit_id == Kit.id,
        KitDay.day.between(starts_on, last_blocked),
        (
            (KitDay.capacity - KitDay.reserved - KitDay.turnaround - KitDay.held < quantity)
            | and_(KitDay.closures > 0, KitDay.day <= ends_on)
        ),
    )
    return [Kit.kind != "digital", Kit.status == "active", Kit.quantity >= quantity, ~too_full]


def _where(f: KitFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.centre_id:
        clauses.append(Kit.owner_centre_id == f.centre_id)
    if f.kinds:
        clauses.append(Kit.kind.in_(list(f.kinds)))
    if f.subjects:
        clauses.append(Kit.subjects.contains(list(f.subjects)))
    if f.audiences:
        clauses.append(Kit.audiences.contains(list(f.audiences)))
    if f.age is not None:
        clauses.append(func.coalesce(Kit.min_age, 0) <= f.age)
        clauses.append(func.coalesce(Kit.max_age, 120) >= f.age)
    if f.statuses:
        clauses.append(Kit.status.in_(list(f.statuses)))
    if f.available:
        clauses.extend(_available(*f.available))
    if f.near:
        clauses.extend(_near(*f.near))
    if f.modified_after:
        clauses.append(Kit.updated_at > f.modified_after)
    return clauses


def cursor_for(kit: Kit) -> str:
    return encode_cursor("id", [str(kit.id)])


def position_after(after: str | None) -> uuid.UUID | None:
    if after is None:
        return None
    (last_id,) = decode_cursor(after, "id", 1)
    try:
        return uuid.UUID(str(last_id))
    except ValueError:
        raise InvalidCursor("The cursor is not one this API issued.") from None


async def list_kits(
    session: AsyncSession, filters: KitFilters, *, limit: int, after: str | None
) -> tuple[list[Kit], str | None]:
    stmt: Select[Any] = select(Kit).where(*_where(filters))
    last_id = position_after(after)
    if last_id is not None:
        stmt = stmt.where(Kit.id > last_id)
    stmt = stmt.order_by(Kit.id).limit(limit + 1)
    kits = list((await session.execute(stmt)).scalars())
    if len(kits) <= limit:
        return kits, None
    return kits[:limit], cursor_for(kits[limit - 1])


async def get_kits(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Kit]:
    if not ids:
        return {}
    rows = await session.execute(select(Kit).where(Kit.id.in_(list(ids))))
    return {k.id: k for k in rows.scalars()}


async def components_of(
    session: AsyncSession, kit_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[KitComponent]]:
    found: dict[uuid.UUID, list[KitComponent]] = defaultdict(list)
    if kit_ids:
        rows = await session.execute(
            select(KitComponent)
            .where(KitComponent.kit_id.in_(list(kit_ids)))
            .order_by(KitComponent.kit_id, KitComponent.position)
        )
        for c in rows.scalars():
            found[c.kit_id].append(c)
    return found


async def items_page(
    session: AsyncSession, kit_id: uuid.UUID, *, limit: int, after: str | None
) -> tuple[list[KitItem], str | None]:
    stmt = select(KitItem).where(KitItem.kit_id == kit_id)
    if after:
        (serial,) = decode_cursor(after, "serial", 1)
        stmt = stmt.where(KitItem.serial > str(serial))
    rows = list((await session.execute(stmt.order_by(KitItem.serial).limit(limit + 1))).scalars())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor("serial", [rows[limit - 1].serial])


async def in_service_items(session: AsyncSession, kit_id: uuid.UUID) -> list[KitItem]:
    rows = await session.execute(
        select(KitItem)
        .where(KitItem.kit_id == kit_id, KitItem.status == "in_service")
        .order_by(KitItem.serial)
    )
    return list(rows.scalars())


KitRow = TypeVar("KitRow", Blackout, MaintenanceHold, Transfer)


async def kit_rows_page(
    session: AsyncSession, model: type[KitRow], kit_id: uuid.UUID, *, limit: int, after: str | None
) -> tuple[list[KitRow], str | None]:
    stmt = select(model).where(model.kit_id == kit_id)
    last_id = position_after(after)
    if last_id is not None:
        stmt = stmt.where(model.id > last_id)
    rows = list((await session.execute(stmt.order_by(model.id).limit(limit + 1))).scalars())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor("id", [str(rows[limit - 1].id)])
