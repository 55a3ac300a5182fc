"""Background work: unanswered offers expire and pass on; go/no-go decisions are applied.

Safe with any number of replicas: each event is claimed with `FOR UPDATE SKIP LOCKED`, so
two workers never handle the same event at once, and all seat changes happen under that lock.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue.service import mark_cancelled
from events.domain_events import registrations_changed
from events.models import SEAT_HOLDING, Event, Registration
from events.registrations.lifecycle import promote_waitlist, release
from shared.clock import utcnow
from shared.db import Database

log = structlog.get_logger(__name__)
BATCH = 100


@dataclass
class WorkDone:
    offers_expired: int = 0
    offers_made: int = 0
    events_cancelled: int = 0
    events_confirmed: int = 0


async def _claim_events(session: AsyncSession, candidates: list[object]) -> list[Event]:
    if not candidates:
        return []
    result = await session.execute(
        select(Event)
        .where(Event.id.in_(candidates))
        .order_by(Event.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def expire_offers(db: Database, *, now: datetime) -> WorkDone:
    done = WorkDone()
    async with db.session() as session:
        due = await session.execute(
            select(Registration.event_id)
            .where(Registration.status == "offered", Registration.offer_expires_at <= now)
            .distinct()
            .limit(BATCH)
        )
        for event in await _claim_events(session, list(due.scalars())):
            expired = await session.execute(
                select(Registration).where(
                    Registration.event_id == event.id,
                    Registration.status == "offered",
                    Registration.offer_expires_at <= now,
                )
            )
            released = list(expired.scalars())
            for registration in released:
                release(event, registration, status="cancelled", reason="offer expired", now=now)
                done.offers_expired += 1
            await session.flush()
            await registrations_changed(session, "registration.cancelled", released)
            done.offers_made += len(await promote_waitlist(session, event, now=now))
        await session.commit()
    return done


async def decide_go_no_go(db: Database, *, now: datetime) -> WorkDone:
    done = WorkDone()
    async with db.session() as session:
        due = await session.execute(
            select(Event.id)
            .where(
                Event.status == "scheduled",
                Event.go_no_go_decided_at.is_(None),
                Event.go_no_go_at <= now,
            )
            .limit(BATCH)
        )
        for event in await _claim_events(session, list(due.scalars())):
            if event.go_no_go_decided_at is not None or event.status != "scheduled":
                continue
            confirmed = await session.execute(
                select(Registration.id).where(
                    Registration.event_id == event.id,
                    Registration.status.in_(SEAT_HOLDING),
                    Registration.status != "offered",
                )
            )
            count = len(confirmed.all())
            event.go_no_go_decided_at = now
            if event.min_participants is not None and count < event.min_participants:
                await mark_cancelled(
                    session,
                    event,
                    reason=f"only {count} of the {event.min_participants} participants needed",
                    now=now,
                )
                done.events_cancelled += 1
            else:
                done.events_confirmed += 1
        await session.commit()
    return done


async def run_due_work(db: Database, *, now: datetime | None = None) -> WorkDone:
    moment = now or utcnow()
    offers = await expire_offers(db, now=moment)
    decisions = await decide_go_no_go(db, now=moment)
    offers.events_cancelled, offers.events_confirmed = (
        decisions.events_cancelled,
        decisions.events_confirmed,
    )
    return offers


async def run_forever(db: Database, *, interval_s: float) -> None:
    """The in-process loop started by the app; every replica may run one."""
    while True:
        try:
            done = await run_due_work(db)
            if done.offers_expired or done.events_cancelled:
                log.info("worker", **done.__dict__)
        except Exception:
            log.exception("worker round failed; retrying next round")
        await asyncio.sleep(interval_s)
