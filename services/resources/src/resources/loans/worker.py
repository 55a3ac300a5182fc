"""Background work: loans past their due date are marked overdue.

Safe with any number of replicas: loans are claimed with `FOR UPDATE SKIP LOCKED`, so two
workers never mark the same loan, and a loan being renewed (locked) is skipped this round.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

import structlog
from sqlalchemy import select

from resources.models import Loan
from shared.clock import utcnow
from shared.db import Database

log = structlog.get_logger(__name__)
BATCH = 200


@dataclass
class WorkDone:
    loans_overdue: int = 0


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
        for loan in due.scalars():
            loan.overdue_since = today
            done.loans_overdue += 1
            log.info("loan.overdue", loan_id=str(loan.id), kit_id=str(loan.kit_id))
        await session.commit()
    return done


async def run_due_work(db: Database, *, today: date | None = None) -> WorkDone:
    return await mark_overdue(db, today=today or utcnow().date())


async def run_forever(db: Database, *, interval_s: float) -> None:
    """The in-process loop started by the app; every replica may run one."""
    while True:
        try:
            await run_due_work(db)
        except Exception:
            log.exception("worker round failed; retrying next round")
        await asyncio.sleep(interval_s)
