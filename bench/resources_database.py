"""The resources benchmark's database: `bench_resources` in the bench's embedded PostgreSQL, holding
the resources schema, N synthetic kits spread over Europe and M confirmed reservations with the
`kit_days` ledger rows they take, built once and reused while it still matches.

The kits come from the service's own `seed_synthetic`; it puts every kit exactly on one of the
19 demo centres, so they are then moved: half scattered around 20 European cities, half anywhere
between Lisbon and Helsinki. Reservations and ledger rows are bulk SQL, since 200 000 calls of
`days.take` would take minutes: each kit gets slots of 18 days, one reservation per slot (at most
7 days plus the kit's turnaround of at most 3), so a kit's reservations never overlap and no
day ever holds more than the kit's quantity. The ledger is then summed from the reservations,
the CHECK constraints verify it on insert, and a total is compared after.

Also makes the bench's own kits (the race, the throughput runs): `code = 'pdnet-bench'`, placed
at 0°N 0°E so no search finds them, and deleted with their reservations and days before each use.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from resources.catalogue.repository import KitFilters, list_kits
from resources.demo.load import DEMO_FILE, seed_synthetic
from resources.models import Kit, KitDay, Reservation
from shared.clock import new_id, utcnow
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade

DATABASE = "bench_resources"
BENCH_CODE = "pdnet-bench"
BENCH_OWNER = uuid.UUID("00000000-0000-0000-0000-00000000b0b0")
SLOT_DAYS = 18
CITIES = [
    (48.857, 2.352), (52.520, 13.405), (51.507, -0.128), (40.417, -3.704), (41.903, 12.496),
    (48.208, 16.374), (52.370, 4.895), (50.850, 4.352), (59.329, 18.069), (60.170, 24.938),
    (55.676, 12.568), (52.230, 21.012), (50.076, 14.438), (47.498, 19.040), (38.722, -9.139),
    (53.350, -6.260), (45.464, 9.190), (41.385, 2.173), (37.984, 23.728), (44.427, 26.103),
]  # fmt: skip


def bench_engine(postgres: EmbeddedPostgres) -> AsyncEngine:
    # NullPool: the bench's own connections must not linger while the servers are measured.
    return create_async_engine(postgres.url(DATABASE), poolclass=NullPool)


async def prepare_database(
    postgres: EmbeddedPostgres, service_dir: Path, *, kits: int, reservations: int
) -> None:
    """Migrate, and (re)seed unless the database holds exactly `kits` and `reservations`."""
    if reservations > kits * 20:
        raise ValueError("at most 20 reservations per kit (one per 18-day slot over a year)")
    if await postgres.ensure_database(DATABASE):
        print(f"created database {DATABASE}")
    engine = bench_engine(postgres)
    try:
        await _migrate(engine, service_dir)
        await delete_bench_kits(engine)
        have_kits, have_reservations = await _counts(engine)
        if (have_kits, have_reservations) == (kits, reservations):
            print(f"reusing {DATABASE}: {have_kits} kits, {have_reservations} reservations")
            await run_outside_transaction(engine, "ANALYZE")
            return
        if have_kits or have_reservations:
            print(
                f"{DATABASE} holds {have_kits} kits, {have_reservations} reservations; rebuilding"
            )
            await engine.dispose()
            await postgres.recreate_database(DATABASE)
            await _migrate(engine, service_dir)
        await _seed(engine, kits=kits, reservations=reservations)
    finally:
        await engine.dispose()


async def _migrate(engine: AsyncEngine, service_dir: Path) -> None:
    async with engine.begin() as conn:
        await upgrade(conn, service_dir)


async def _counts(engine: AsyncEngine) -> tuple[int, int]:
    async with AsyncSession(engine) as session:
        kits = await session.scalar(select(func.count()).select_from(Kit))
        reservations = await session.scalar(select(func.count()).select_from(Reservation))
    return int(kits or 0), int(reservations or 0)


async def _seed(engine: AsyncEngine, *, kits: int, reservations: int) -> None:
    started = time.perf_counter()
    ticker = asyncio.create_task(_report_progress(started))
    today = utcnow().date()
    try:
        # One transaction: an interrupted run leaves nothing, and the next starts again.
        async with AsyncSession(engine) as session:
            centres = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["centres"]
            print(await seed_synthetic(session, centres, count=kits))
            await session.execute(text("SELECT setseed(0.42)"))
            await session.execute(text(_SPREAD_KITS))
            per_kit = -(-reservations // kits)
            await session.execute(
                text(_INSERT_RESERVATIONS),
                {"today": today, "per_kit": per_kit, "total": reservations, "slot": SLOT_DAYS},
            )
            await session.execute(text(_INSERT_LEDGER))
            await _check_ledger(session)
            await session.commit()
    finally:
        ticker.cancel()
    print(f"{kits} kits, {reservations} reservations in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    # VACUUM sets the visibility map, as autovacuum would have in a long-lived database.
    await run_outside_transaction(engine, "VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")


_CITY_ROWS = ", ".join(f"({n}, {lat}, {lon})" for n, (lat, lon) in enumerate(CITIES))
_SPREAD_KITS = f"""
WITH cities(n, lat, lon) AS (VALUES {_CITY_ROWS}),
picked AS (
    SELECT id, random() AS r1, random() AS r2, random() AS r3,
           floor(random() * {len(CITIES)})::int AS city
    FROM kits
)
UPDATE kits SET
    lat = CASE WHEN p.r1 < 0.5 THEN c.lat + (p.r2 - 0.5) * 1.6 ELSE 36 + p.r2 * 34 END,
    lon = CASE WHEN p.r1 < 0.5 THEN c.lon + (p.r3 - 0.5) * 2.4 ELSE -9 + p.r3 * 38 END
FROM picked p JOIN cities c ON c.n = p.city
WHERE kits.id = p.id
"""
# Slot i of a kit starts on today + 1 + 18 i; the reservation starts 0-8 days into it and lasts
# 1-7 days, plus at most 3 turnaround days: it ends before the next slot begins.
_INSERT_RESERVATIONS = """
INSERT INTO reservations (id, kit_id, quantity, starts_on, ends_on, blocks_until, status,
                          borrower_id, reserved_by, updated_at)
SELECT gen_random_uuid(), k.id, 1 + floor(random() * k.quantity)::int,
       x.starts_on, x.starts_on + x.extra, x.starts_on + x.extra + k.turnaround_days,
       'confirmed', x.teacher, x.teacher, now()
FROM (SELECT id, quantity, turnaround_days, row_number() OVER (ORDER BY id) AS rn FROM kits) k
CROSS JOIN generate_series(0, CAST(:per_kit AS int) - 1) AS slot
CROSS JOIN LATERAL (
    SELECT CAST(:today AS date) + 1 + slot * CAST(:slot AS int)
           + floor(random() * 9)::int AS starts_on,
           floor(random() * 7)::int + 0 * slot AS extra,
           'bench-teacher-' || floor(random() * 5000)::int + 0 * slot AS teacher
) x
WHERE (k.rn - 1) * CAST(:per_kit AS int) + slot < CAST(:total AS int)
"""
_INSERT_LEDGER = """
INSERT INTO kit_days (kit_id, day, capacity, reserved, turnaround, held, closures)
SELECT r.kit_id, d.day, k.quantity,
       sum(CASE WHEN d.day <= r.ends_on THEN r.quantity ELSE 0 END),
       sum(CASE WHEN d.day > r.ends_on THEN r.quantity ELSE 0 END), 0, 0
FROM reservations r
JOIN kits k ON k.id = r.kit_id
CROSS JOIN LATERAL (
    SELECT CAST(g AS date) AS day FROM generate_series(
        CAST(r.starts_on AS timestamp), CAST(r.blocks_until AS timestamp), interval '1 day'
    ) g
) d
GROUP BY r.kit_id, d.day, k.quantity
"""


async def _check_ledger(session: AsyncSession) -> None:
    """Item-days in the ledger must equal what the reservations add up to."""
    ledger = await session.scalar(select(func.sum(KitDay.reserved + KitDay.turnaround)))
    booked = await session.scalar(
        select(
            func.sum(Reservation.quantity * (Reservation.blocks_until - Reservation.starts_on + 1))
        )
    )
    if ledger != booked:
        raise RuntimeError(f"kit_days holds {ledger} item-days, reservations {booked}")
    days = await session.scalar(select(func.count()).select_from(KitDay))
    print(f"kit_days: {days} rows, {ledger} item-days, consistent with the reservations")


async def run_outside_transaction(engine: AsyncEngine, sql: str) -> None:
    # VACUUM refuses to run in a transaction, and a rolled-back ANALYZE keeps no statistics.
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(sql))


async def _report_progress(started: float) -> None:
    while True:
        await asyncio.sleep(15)
        print(f"  ... seeding, {time.perf_counter() - started:.0f} s")


async def delete_bench_kits(engine: AsyncEngine) -> None:
    """Removes every kit the bench made, with its reservations and days (ON DELETE CASCADE)."""
    async with engine.begin() as conn:
        await conn.execute(delete(Kit).where(Kit.code == BENCH_CODE))


async def create_bench_kits(engine: AsyncEngine, count: int, *, quantity: int) -> list[uuid.UUID]:
    """`count` fresh kits of `quantity` items, no turnaround, nothing reserved."""
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "owner_centre_id": BENCH_OWNER,
            "kind": "experiment_kit",
            "code": BENCH_CODE,
            "name": {"en": f"Benchmark kit {n}"},
            "subjects": ["physics"],
            "quantity": quantity,
            "turnaround_days": 0,
            "country": "FR",
            "lat": 0.0,
            "lon": 0.0,
            "status": "active",
        }
        for n in range(count)
    ]
    async with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            await conn.execute(insert(Kit), rows[start : start + 2000])
    return [row["id"] for row in rows]


async def stored_reservations(engine: AsyncEngine, kit_id: uuid.UUID) -> dict[str, int]:
    """The kit's reservations and its fullest ledger day, as PostgreSQL has them."""
    async with engine.connect() as conn:
        count, items = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(Reservation.quantity), 0)).where(
                    Reservation.kit_id == kit_id, Reservation.status == "confirmed"
                )
            )
        ).one()
        fullest = await conn.scalar(
            select(func.coalesce(func.max(KitDay.reserved), 0)).where(KitDay.kit_id == kit_id)
        )
    return {"reservations": int(count), "items": int(items), "fullest_day": int(fullest or 0)}


async def explain_kit_search(
    postgres: EmbeddedPostgres, *, near: tuple[float, float, float], week: tuple[date, date]
) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL `list_kits` sends for the search, as sent."""
    engine = bench_engine(postgres)
    seen: list[tuple[str, tuple[Any, ...]]] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, tuple(parameters)))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with AsyncSession(engine) as session:
            filters = KitFilters(available=(week[0], week[1], 1), near=near)
            await list_kits(session, filters, limit=50, after=None)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        await engine.dispose()
    sql, params = next((s, p) for s, p in seen if "FROM kits" in s)
    conn = await asyncpg.connect(postgres.url(DATABASE, driver="postgresql"))
    try:
        await conn.fetch(sql, *params)  # once to warm the cache, as the timed requests are
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params)
    finally:
        await conn.close()
    return [str(row[0]) for row in rows]


def week_from(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=6)
