"""Reservations made for an event are released when the event is cancelled.

The events service has no change feed yet, so the worker asks it which events were cancelled
since it last looked (`GET /v1/events?status=cancelled&modified_after=…`) — only while some
live reservation belongs to an event — and keeps that point in `watermarks`. Reservations are
claimed `FOR UPDATE SKIP LOCKED`, as all background work is; a locked one waits a round.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources.availability.days import lock_kit
from resources.events_client import EventsUnavailable, cancelled_since
from resources.models import Kit, Reservation, Watermark
from resources.reservations.queue import offer_to_waiting, release
from shared.db import Database

log = structlog.get_logger(__name__)
WATERMARK = "events.cancelled"
LIVE = ("waiting", "offered", "confirmed")


async def _since(session: AsyncSession) -> datetime | None:
    """Where to read from: the watermark, or the first live event reservation; None: no need."""
    first_live = await session.scalar(
        select(func.min(Reservation.created_at)).where(
            Reservation.event_id.is_not(None), Reservation.status.in_(LIVE)
        )
    )
    if first_live is None:
        return None
    stored = await session.get(Watermark, WATERMARK)
    return stored.at if stored is not None else first_live


async def release_for_cancelled_events(
    db: Database, events: httpx.AsyncClient, *, now: datetime
) -> int:
    """Cancels the live reservations of events cancelled since the last round; how many."""
    async with db.session() as session:
        since = await _since(session)
        if since is None:
            return 0
        try:
            cancelled, latest = await cancelled_since(events, since)
        except (EventsUnavailable, httpx.HTTPError):
            log.warning("events service unavailable; cancelled events checked next round")
            return 0
        released = await _release(session, cancelled, now=now) if cancelled else 0
        if latest is not None:
            await session.execute(
                insert(Watermark)
                .values(name=WATERMARK, at=latest)
                .on_conflict_do_update(index_elements=[Watermark.name], set_={"at": latest})
            )
        await session.commit()
    return released


async def _release(session: AsyncSession, event_ids: set[uuid.UUID], *, now: datetime) -> int:
    rows = await session.execute(
        select(Reservation)
        .where(Reservation.event_id.in_(event_ids), Reservation.status.in_(LIVE))
        .order_by(Reservation.kit_id, Reservation.id)
        .with_for_update(skip_locked=True)
    )
    kits: dict[uuid.UUID, Kit] = {}
    count = 0
    for reservation in rows.scalars():
        kit = kits.get(reservation.kit_id) or await lock_kit(
            session, reservation.kit_id, exclusive=False
        )
        assert kit is not None
        kits[kit.id] = kit
        await release(
            session, kit, reservation, status="cancelled", reason="event cancelled", now=now
        )
        count += 1
    for kit in kits.values():
        await offer_to_waiting(session, kit, now=now)
    return count
