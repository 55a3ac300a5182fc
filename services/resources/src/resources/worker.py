"""Background work: offers from the queue expire and pass on, requests still waiting when their
first day comes are dropped, loans past their due date are marked overdue, reservations of
cancelled events are released.

Safe with any number of replicas: rows are claimed with `FOR UPDATE SKIP LOCKED`, so two
workers never handle the same offer or loan, and anything a request is changing right now
(locked) is simply left for the next round. Items change hands only through the day ledger.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from sqlalchemy import select, update

from resources import domain_events
from resources.availability.days import lock_kit
from resources.models import Kit, Loan, Reservation
from resources.reservations.event_sync import release_for_cancelled_events
from resources.reservations.queue import offer_to_waiting, release
from shared.clock import utcnow
from shared.db import Database
from shared.peers import Peers

log = structlog.get_logger(__name__)
BATCH = 200


@dataclass
class WorkDone:
    offers_expired: int = 0
    offers_made: int = 0
    waits_dropped: int = 0
    loans_overdue: int = 0
    event_reservations_released: int = 0


async def expire_offers(db: Database, *, now: datetime) -> WorkDone:
    done = WorkDone()
    async with db.session() as session:
        due = await session.execute(
            select(Reservation)
            .where(Reservation.status == "offered", Reservation.offer_expires_at <= now)
            .order_by(Reservation.kit_id, Reservation.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        kits: dict[uuid.UUID, Kit] = {}
        for reservation in due.scalars():
            kit = kits.get(reservation.kit_id) or await lock_kit(
                session, reservation.kit_id, exclusive=False
            )
            assert kit is not None
            kits[kit.id] = kit
            await release(
                session, kit, reservation, status="expired", reason="offer expired", now=now
            )
            done.offers_expired += 1
        for kit in kits.values():
            done.offers_made += len(await offer_to_waiting(session, kit, now=now))
        await session.commit()
    return done


async def drop_stale_waits(db: Database, *, today: date, now: datetime) -> WorkDone:
    """A request still waiting on its first day will not be served in time."""
    async with db.session() as session:
        stale = (
            select(Reservation.id)
            .where(Reservation.status == "waiting", Reservation.starts_on <= today)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        result = await session.execute(
            update(Reservation)
            .where(Reservation.id.in_(stale))
            .values(status="expired", status_reason="nothing came back in time", updated_at=now)
            .returning(Reservation)
        )
        expired = list(result.scalars())
        dropped = len(expired)
        await domain_events.reservations_changed(session, "reservation.expired", expired)
        await session.commit()
    return WorkDone(waits_dropped=dropped)


async def mark_overdue(db: Database, *, today: date) -> WorkDone:
    done = WorkDone()
    async with db.session() as session:
        due = await session.execute(
            select(Loan)
            .where(Loan.status == "out", Loan.due_on < today, Loan.overdue_since.is_(None))
            .order_by(Loan.due_on, Loan.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        overdue = list(due.scalars())
        for loan in overdue:
            loan.overdue_since = today
            done.loans_overdue += 1
            log.info("loan.overdue", loan_id=str(loan.id), kit_id=str(loan.kit_id))
        await domain_events.loans_changed(session, "loan.overdue", overdue)
        await session.commit()
    return done


async def run_due_work(db: Database, peers: Peers, *, now: datetime | None = None) -> WorkDone:
    moment = now or utcnow()
    done = await expire_offers(db, now=moment)
    done.event_reservations_released = await release_for_cancelled_events(
        db, peers["events"], now=moment
    )
    done.waits_dropped = (await drop_stale_waits(db, today=moment.date(), now=moment)).waits_dropped
    done.loans_overdue = (await mark_overdue(db, today=moment.date())).loans_overdue
    return done


async def run_forever(db: Database, peers: Peers, *, interval_s: float) -> None:
    """The in-process loop started by the app; every replica may run one."""
    while True:
        try:
            done = await run_due_work(db, peers)
            if done.offers_expired or done.loans_overdue or done.waits_dropped:
                log.info("worker", **done.__dict__)
        except Exception:
            log.exception("worker round failed; retrying next round")
        await asyncio.sleep(interval_s)
