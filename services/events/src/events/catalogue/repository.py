"""Event queries: upcoming first, keyset-paged on (starts_at, id)."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Event, Session
from shared.pagination import InvalidCursor, decode_cursor, encode_cursor

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195


@dataclass(frozen=True)
class EventFilters:
    centre_id: uuid.UUID | None = None
    """Hosted or co-hosted by this centre."""
    country: str | None = None
    region: str | None = None
    subjects: Sequence[str] = ()
    languages: Sequence[str] = ()
    audiences: Sequence[str] = ()
    kinds: Sequence[str] = ()
    delivery_modes: Sequence[str] = ()
    statuses: Sequence[str] = ("scheduled", "postponed")
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    near: tuple[float, float, float] | None = None
    """(lat, lon, radius_km)"""
    modified_after: datetime | None = None
    course_key: str | None = None


def _near(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 89.0)))
    dlon = radius_km / (KM_PER_DEGREE * cos_lat)
    clauses: list[ColumnElement[bool]] = []
    if lon - dlon >= -180 and lon + dlon <= 180 and abs(lat) + dlat < 89.0:
        # Matches the GiST index on point(lon, lat) (migration 0002).
        box = func.box(func.point(lon - dlon, lat - dlat), func.point(lon + dlon, lat + dlat))
        clauses.append(func.point(Event.lon, Event.lat).op("<@")(box))
    else:
        clauses.append(Event.lat.between(lat - dlat, lat + dlat))
    la, lo = literal(lat, Float), literal(lon, Float)
    a = func.power(func.sin(func.radians(Event.lat - la) / 2), 2) + func.cos(
        func.radians(la)
    ) * func.cos(func.radians(Event.lat)) * func.power(
        func.sin(func.radians(Event.lon - lo) / 2), 2
    )
    clauses.append(EARTH_RADIUS_KM * 2 * func.asin(func.least(1.0, func.sqrt(a))) <= radius_km)
    return clauses


def _where(f: EventFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.centre_id:
        clauses.append(
            (Event.host_centre_id == f.centre_id) | Event.co_host_centre_ids.contains([f.centre_id])
        )
    if f.country:
        clauses.append(Event.country == f.country)
    if f.region:
        clauses.append(Event.region.startswith(f.region, autoescape=True))
    if f.subjects:
        clauses.append(Event.subjects.contains(list(f.subjects)))
    if f.languages:
        clauses.append(Event.languages.overlap(list(f.languages)))
    if f.audiences:
        clauses.append(Event.audiences.contains(list(f.audiences)))
    if f.kinds:
        clauses.append(Event.kind.in_(list(f.kinds)))
    if f.delivery_modes:
        clauses.append(Event.delivery_mode.in_(list(f.delivery_modes)))
    if f.statuses:
        clauses.append(Event.status.in_(list(f.statuses)))
    if f.starts_after:
        clauses.append(Event.starts_at >= f.starts_after)
    if f.starts_before:
        clauses.append(Event.starts_at < f.starts_before)
    if f.modified_after:
        clauses.append(Event.updated_at > f.modified_after)
    if f.course_key:
        clauses.append(Event.course_key == f.course_key)
    if f.near:
        clauses.extend(_near(*f.near))
    return clauses


def cursor_for(event: Event) -> str:
    return encode_cursor("starts", [event.starts_at.isoformat(), str(event.id)])


async def list_events(
    session: AsyncSession, filters: EventFilters, *, limit: int, after: str | None
) -> tuple[list[Event], str | None]:
    stmt: Select[Any] = select(Event).where(*_where(filters))
    if after:
        starts, last_id = decode_cursor(after, "starts", 2)
        try:
            position = (datetime.fromisoformat(starts), uuid.UUID(last_id))
        except (TypeError, ValueError):
            raise InvalidCursor("The cursor is not one this API issued.") from None
        stmt = stmt.where(tuple_(Event.starts_at, Event.id) > position)
    stmt = stmt.order_by(Event.starts_at, Event.id).limit(limit + 1)
    events = list((await session.execute(stmt)).scalars())
    if len(events) <= limit:
        return events, None
    return events[:limit], cursor_for(events[limit - 1])


async def get_events(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Event]:
    if not ids:
        return {}
    rows = await session.execute(select(Event).where(Event.id.in_(list(ids))))
    return {e.id: e for e in rows.scalars()}


async def sessions_of(
    session: AsyncSession, event_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Session]]:
    found: dict[uuid.UUID, list[Session]] = defaultdict(list)
    if event_ids:
        rows = await session.execute(
            select(Session)
            .where(Session.event_id.in_(list(event_ids)))
            .order_by(Session.event_id, Session.starts_at)
        )
        for s in rows.scalars():
            found[s.event_id].append(s)
    return found


async def lock_event(session: AsyncSession, event_id: uuid.UUID) -> Event | None:
    """The event row, locked: every change to its seats goes through this lock."""
    result = await session.execute(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()
