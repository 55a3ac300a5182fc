"""Reservations made for an event are released when the event is cancelled.

The worker reads `event.cancelled` from the events service's change feed (`GET /v1/changes`)
— only while some live reservation belongs to an event — and keeps its cursor in
`watermarks`. The feed is in commit order and never skips an event, so no cancellation is
missed however late it commits. Reservations are claimed `FOR UPDATE SKIP LOCKED`, as all
background work is; a locked one waits a round.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources.availability.days import lock_kit
from resources.events_client import EventsUnavailable, cancelled_after
from resources.models import Kit, Reservation, Watermark
from resources.reservations.queue import offer_to_waiting, release
from shared.db import Database

log = structlog.get_logger(__name__)
WATERMARK = "events.changes"
LIVE = ("waiting", "offered", "confirmed")


async def _has_live_event_reservations(session: AsyncSession) -> bool:
    live = await session.scalar(
        select(Reservation.id)
        .where(Reservation.event_id.is_not(None), Reservation.status.in_(LIVE))
        .limit(1)
    )
    return live is not None


async def release_for_cancelled_events(
    db: Database, events: httpx.AsyncClient, *, now: datetime
) -> int:
    """Cancels the live reservations of events cancelled since the last round; how many."""
    async with db.session() as session:
        if not await _has_live_event_reservations(session):
            return 0
        stored = await session.get(Watermark, WATERMARK)
        try:
            cancelled, cursor = await cancelled_after(events, stored.cursor if stored else None)
        except (EventsUnavailable, httpx.HTTPError):
            log.warning("events service unavailable; cancelled events checked next round")
            return 0
        released = await _release(session, cancelled, now=now) if cancelled else 0
        await session.execute(
            insert(Watermark)
            .values(name=WATERMARK, at=now, cursor=cursor)
            .on_conflict_do_update(
                index_elements=[Watermark.name], set_={"at": now, "cursor": cursor}
            )
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
