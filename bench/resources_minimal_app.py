"""The baseline for the resources benchmark: the least code that reserves items of a kit.

Starlette + an asyncpg pool, no ORM, no session, no pydantic. One transaction per request on the
resources service's own tables, with the same guard as `resources.availability.days.take`:

    BEGIN
    SELECT * FROM kits WHERE id = $1 FOR SHARE             -- what every booking holds
    (reservable?)                                          -- 404 / 409 if not
    INSERT INTO kit_days … generate_series … ORDER BY day  -- upsert-increment every day taken,
      ON CONFLICT (kit_id, day) DO UPDATE reserved + …     --   CHECK (… <= capacity) decides
    INSERT INTO reservations … RETURNING created_at
    COMMIT                                                 -- or ROLLBACK and 409 on the CHECK

It skips what the service adds around that: the calendar read before the write (which makes the
common refusal cheap), the savepoint, and the free count and alternative dates a 409 carries.
It verifies the bearer token (ES256 against the same JWKS file) because the service must.

Run by the benchmark as `uvicorn resources_minimal_app:create_app --factory --app-dir bench`,
with `BENCH_DATABASE_DSN` (a plain asyncpg DSN) and `BENCH_JWKS_FILE` in the environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.clock import new_id

# The same ceiling as the service's SQLAlchemy pool (db_pool_size 20 + db_max_overflow 10).
POOL_MIN, POOL_MAX = 20, 30
PROBLEM = "application/problem+json"
TAKE_DAYS = """
INSERT INTO kit_days (kit_id, day, capacity, reserved, turnaround, held)
SELECT $1, $2::date + n, $3,
       CASE WHEN n <= $4 THEN $5 ELSE 0 END, CASE WHEN n <= $4 THEN 0 ELSE $5 END, 0
FROM generate_series(0, $6::int) AS n
ORDER BY n
ON CONFLICT (kit_id, day) DO UPDATE SET
    reserved = kit_days.reserved + excluded.reserved,
    turnaround = kit_days.turnaround + excluded.turnaround
"""
INSERT_RESERVATION = """
INSERT INTO reservations (id, kit_id, quantity, starts_on, ends_on, blocks_until, status,
                          borrower_id, reserved_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $7, $8)
RETURNING created_at
"""


def _problem(status: int, kind: str, title: str) -> Response:
    # The same `type` slugs as the service's problems, so the bench classifies both alike.
    body = {"type": kind, "title": title, "status": status}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


class Refused(Exception):
    """The ledger's CHECK said no; raised out of the transaction so it rolls back."""


def create_app() -> Starlette:
    dsn = os.environ["BENCH_DATABASE_DSN"]
    keys = jwt.PyJWKSet.from_dict(json.loads(Path(os.environ["BENCH_JWKS_FILE"]).read_text()))
    key = keys.keys[0].key

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=POOL_MIN, max_size=POOL_MAX)
        try:
            yield
        finally:
            await app.state.pool.close()

    def borrower_of(request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        try:
            claims = jwt.decode(
                token, key, algorithms=["ES256"], audience="pdnet", issuer="pdnet-dev"
            )
        except jwt.InvalidTokenError:
            return None
        return str(claims["sub"]) if "teacher" in claims.get("roles", []) else None

    async def reserve(request: Request) -> Response:
        borrower = borrower_of(request)
        if borrower is None:
            return _problem(401, "unauthorized", "A teacher's token is required.")
        try:
            kit_id = uuid.UUID(request.path_params["kit_id"])
            body = await request.json()
            quantity = int(body.get("quantity", 1))
            starts_on = date.fromisoformat(body["starts_on"])
            ends_on = date.fromisoformat(body["ends_on"])
        except (ValueError, KeyError, TypeError):
            return _problem(422, "invalid-input", "kit id, quantity, starts_on, ends_on")
        if quantity < 1 or ends_on < starts_on or starts_on < datetime.now(UTC).date():
            return _problem(422, "invalid-input", "bad quantity or dates")
        try:
            async with request.app.state.pool.acquire() as conn, conn.transaction():
                return await _reserve(conn, kit_id, borrower, quantity, starts_on, ends_on)
        except Refused:
            return _problem(409, "reservation-conflict", "Too few items free for those dates.")

    async def ready(request: Request) -> Response:
        await request.app.state.pool.fetchval("SELECT 1")
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[
            Route("/kits/{kit_id}/reservations", reserve, methods=["POST"]),
            Route("/readyz", ready),
        ],
        lifespan=lifespan,
    )


async def _reserve(
    conn: asyncpg.Connection,
    kit_id: uuid.UUID,
    borrower: str,
    quantity: int,
    starts_on: date,
    ends_on: date,
) -> Response:
    # Every column, as the service's ORM loads the whole row under the lock.
    kit = await conn.fetchrow("SELECT * FROM kits WHERE id = $1 FOR SHARE", kit_id)
    if kit is None:
        return _problem(404, "kit-not-found", "No such kit.")
    if kit["kind"] == "digital" or kit["status"] != "active":
        return _problem(409, "not-reservable", "Not lent.")
    blocks_until = ends_on + timedelta(days=kit["turnaround_days"])
    try:
        await conn.execute(
            TAKE_DAYS, kit_id, starts_on, kit["quantity"], (ends_on - starts_on).days,
            quantity, (blocks_until - starts_on).days,
        )  # fmt: skip
    except asyncpg.CheckViolationError as exc:
        raise Refused from exc
    reservation_id = new_id()
    now = datetime.now(UTC)
    created_at = await conn.fetchval(
        INSERT_RESERVATION, reservation_id, kit_id, quantity, starts_on, ends_on, blocks_until,
        borrower, now,
    )  # fmt: skip
    body: dict[str, Any] = {
        "id": str(reservation_id),
        "kit_id": str(kit_id),
        "quantity": quantity,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "blocks_until": blocks_until.isoformat(),
        "status": "confirmed",
        "borrower_id": borrower,
        "created_at": created_at.isoformat(),
    }
    return JSONResponse(body, status_code=201)
