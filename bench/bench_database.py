"""The benchmark's database: embedded PostgreSQL holding the directory schema, the demo data and
N synthetic centres, built once and reused by later runs while it still matches.

Also captures the exact SQL `GET /v1/centres/{id}` sends, so the baseline app can run the same.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from directory.centres.repository import get_centre_rows
from directory.demo.load import seed, seed_synthetic
from directory.models import Centre
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade

DATABASE = "bench_directory"
DEMO_SOURCE = "pdnet-demo"
SYNTHETIC_SOURCE = "pdnet-synthetic"


@dataclass(frozen=True)
class CapturedStatement:
    """One SQL statement as asyncpg receives it: `$n` placeholders and their values in order."""

    sql: str
    params: list[Any]
    id_position: int
    """Index in `params` of the centre id; the baseline swaps in the requested id there."""

    def write(self, path: Path) -> None:
        params = [str(p) if isinstance(p, uuid.UUID) else p for p in self.params]
        data = {"sql": self.sql, "params": params, "id_position": self.id_position}
        path.write_text(json.dumps(data, indent=2))


def bench_engine(postgres: EmbeddedPostgres) -> AsyncEngine:
    # NullPool: the benchmark's own setup connections must not linger while servers are measured.
    return create_async_engine(postgres.url(DATABASE), poolclass=NullPool)


async def prepare_database(postgres: EmbeddedPostgres, service_dir: Path, *, centres: int) -> None:
    """Migrate, and (re)seed unless the database already holds the demo and `centres` more."""
    if await postgres.ensure_database(DATABASE):
        print(f"created database {DATABASE}")
    engine = bench_engine(postgres)
    try:
        await _migrate(engine, service_dir)
        demo, synthetic = await _source_counts(engine)
        if demo > 0 and synthetic == centres:
            print(f"reusing {DATABASE}: {demo} demo + {synthetic} synthetic centres")
            await _run_outside_transaction(engine, "ANALYZE")
            return
        if demo or synthetic:
            # A different size or a half-finished seed: start clean rather than patch it up.
            print(f"{DATABASE} holds {demo} demo + {synthetic} synthetic centres; rebuilding")
            await engine.dispose()
            await postgres.recreate_database(DATABASE)
            await _migrate(engine, service_dir)
        await _seed(engine, centres=centres)
    finally:
        await engine.dispose()


async def _migrate(engine: AsyncEngine, service_dir: Path) -> None:
    async with engine.begin() as conn:
        await upgrade(conn, service_dir)


async def _source_counts(engine: AsyncEngine) -> tuple[int, int]:
    async with AsyncSession(engine) as session:
        rows = await session.execute(
            select(Centre.data_source, func.count()).group_by(Centre.data_source)
        )
        counts: dict[str | None, int] = dict(rows.tuples().all())
    return counts.get(DEMO_SOURCE, 0), counts.get(SYNTHETIC_SOURCE, 0)


async def _seed(engine: AsyncEngine, *, centres: int) -> None:
    async with AsyncSession(engine) as session:
        # Demo data first: `seed` only loads into an empty directory.
        print(f"demo data: {await seed(session)}")
        await session.commit()
    started = time.perf_counter()
    ticker = asyncio.create_task(_report_progress(started, centres))
    try:
        async with AsyncSession(engine) as session:
            # One transaction (seed_synthetic's own batching); an interrupted run leaves nothing.
            message = await seed_synthetic(session, count=centres)
            await session.commit()
    finally:
        ticker.cancel()
    print(f"{message} in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    # VACUUM sets the visibility map, as autovacuum would have in a long-lived database.
    await _run_outside_transaction(engine, "VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")


async def _run_outside_transaction(engine: AsyncEngine, sql: str) -> None:
    # VACUUM refuses to run in a transaction, and a rolled-back ANALYZE keeps no statistics.
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(sql))


async def _report_progress(started: float, centres: int) -> None:
    while True:
        await asyncio.sleep(10)
        print(f"  ... inserting {centres} synthetic centres, {time.perf_counter() - started:.0f} s")


async def sample_centre_ids(postgres: EmbeddedPostgres, count: int) -> list[uuid.UUID]:
    engine = bench_engine(postgres)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(Centre.id).order_by(func.random()).limit(count))
            return [row[0] for row in rows]
    finally:
        await engine.dispose()


async def capture_centre_by_id(
    postgres: EmbeddedPostgres, centre_id: uuid.UUID
) -> CapturedStatement:
    """Runs the repository function behind `GET /v1/centres/{id}` and records what it sent.

    Capturing (rather than re-building the statement here) keeps the baseline honest when the
    repository changes: it always runs whatever SQL the endpoint runs today.
    """
    engine = bench_engine(postgres)
    seen: list[tuple[str, tuple[Any, ...]]] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, tuple(parameters)))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with AsyncSession(engine) as session:
            rows = await get_centre_rows(session, [centre_id])
        if centre_id not in rows:
            raise RuntimeError(f"capturing the centre query: no centre {centre_id}")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        await engine.dispose()
    selects = [(sql, params) for sql, params in seen if centre_id in params]
    if len(selects) != 1:
        raise RuntimeError(f"expected one statement with the centre id, saw {len(selects)}")
    sql, params = selects[0]
    return CapturedStatement(sql=sql, params=list(params), id_position=params.index(centre_id))
