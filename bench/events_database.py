"""The events benchmark's database: `bench_events` in the bench's embedded PostgreSQL, holding the
events schema, the demo events and N synthetic events, built once and reused while it matches.

Also makes the bench's own events (the registration race, the throughput runs): marked with
`course_key = 'pdnet-bench'` so they can be deleted, registrations and all, before each use.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from events.demo.load import demo_data, demo_id, seed
from events.models import Event
from shared.clock import new_id, utcnow
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade

DATABASE = "bench_events"
BENCH_COURSE_KEY = "pdnet-bench"
# Any demo centre will do as host: the endpoints measured here never ask the directory about it.
BENCH_HOST = uuid.UUID("00000000-0000-0000-0000-00000000b0b0")


def bench_engine(postgres: EmbeddedPostgres) -> AsyncEngine:
    # NullPool: the bench's own connections must not linger while the servers are measured.
    return create_async_engine(postgres.url(DATABASE), poolclass=NullPool)


async def prepare_database(postgres: EmbeddedPostgres, service_dir: Path, *, events: int) -> None:
    """Migrate, and (re)seed unless the database already holds the demo and `events` more."""
    if await postgres.ensure_database(DATABASE):
        print(f"created database {DATABASE}")
    engine = bench_engine(postgres)
    try:
        await _migrate(engine, service_dir)
        await delete_bench_events(engine)
        demo, synthetic = await _counts(engine)
        if demo > 0 and synthetic == events:
            print(f"reusing {DATABASE}: {demo} demo + {synthetic} synthetic events")
            await run_outside_transaction(engine, "ANALYZE")
            return
        if demo or synthetic:
            # A different size or a half-finished seed: start clean rather than patch it up.
            print(f"{DATABASE} holds {demo} demo + {synthetic} synthetic events; rebuilding")
            await engine.dispose()
            await postgres.recreate_database(DATABASE)
            await _migrate(engine, service_dir)
        await _seed(engine, events=events)
    finally:
        await engine.dispose()


async def _migrate(engine: AsyncEngine, service_dir: Path) -> None:
    async with engine.begin() as conn:
        await upgrade(conn, service_dir)


async def _counts(engine: AsyncEngine) -> tuple[int, int]:
    """(demo events, synthetic events); the bench's own events were deleted just before."""
    demo_ids = [demo_id("event", spec["key"]) for spec in demo_data()["events"]]
    async with AsyncSession(engine) as session:
        total = int(await session.scalar(select(func.count()).select_from(Event)) or 0)
        demo = int(
            await session.scalar(
                select(func.count()).select_from(Event).where(Event.id.in_(demo_ids))
            )
            or 0
        )
    return demo, total - demo


async def _seed(engine: AsyncEngine, *, events: int) -> None:
    async with AsyncSession(engine) as session:
        # Demo data first: `seed` without a scale only loads into an empty table.
        print(f"demo data: {await seed(session)}")
        await session.commit()
    started = time.perf_counter()
    ticker = asyncio.create_task(_report_progress(started, events))
    try:
        async with AsyncSession(engine) as session:
            # One transaction (seed_synthetic batches its own INSERTs): an interrupted run leaves
            # nothing behind, and the next run starts again instead of measuring half a table.
            message = await seed(session, scale=events)
            await session.commit()
    finally:
        ticker.cancel()
    print(f"{message} in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    # VACUUM sets the visibility map, as autovacuum would have in a long-lived database.
    await run_outside_transaction(engine, "VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")


async def run_outside_transaction(engine: AsyncEngine, sql: str) -> None:
    # VACUUM refuses to run in a transaction, and a rolled-back ANALYZE keeps no statistics.
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(sql))


async def _report_progress(started: float, events: int) -> None:
    # The seed is one transaction, so other connections cannot count its rows; show time only.
    while True:
        await asyncio.sleep(15)
        print(f"  ... inserting {events} synthetic events, {time.perf_counter() - started:.0f} s")


async def delete_bench_events(engine: AsyncEngine) -> None:
    """Removes every event the bench made, with its registrations (ON DELETE CASCADE)."""
    async with engine.begin() as conn:
        await conn.execute(delete(Event).where(Event.course_key == BENCH_COURSE_KEY))


async def create_bench_events(
    engine: AsyncEngine, count: int, *, capacity: int, waitlist_capacity: int
) -> list[uuid.UUID]:
    """`count` fresh events open for registration now, counters at zero, no registrations.

    They start in 60 days, a date the synthetic events also use, so they sit in the middle of
    the indexes rather than at an edge.
    """
    now = utcnow()
    starts = now + timedelta(days=60)
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "course_key": BENCH_COURSE_KEY,
            "host_centre_id": BENCH_HOST,
            "title": {"en": f"Benchmark event {n}"},
            "kind": "workshop",
            "delivery_mode": "online",
            "languages": ["en"],
            "subjects": ["physics"],
            "timezone": "UTC",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "registration_opens_at": now - timedelta(days=1),
            "registration_closes_at": starts,
            "capacity": capacity,
            "waitlist_capacity": waitlist_capacity,
            "status": "scheduled",
        }
        for n in range(count)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(Event), rows)
    return [row["id"] for row in rows]


async def registration_counts(engine: AsyncEngine, event_id: uuid.UUID) -> dict[str, int]:
    """The event's counters and its registrations by status, as PostgreSQL has them."""
    async with engine.connect() as conn:
        counters = (
            await conn.execute(
                select(Event.seats_taken, Event.waitlist_count).where(Event.id == event_id)
            )
        ).one()
        rows = await conn.execute(
            text("SELECT status, count(*) FROM registrations WHERE event_id = :id GROUP BY 1"),
            {"id": event_id},
        )
        counts = {str(status): int(n) for status, n in rows}
    return {"seats_taken": counters[0], "waitlist_count": counters[1], **counts}
