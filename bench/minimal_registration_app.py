"""The baseline for the events benchmark: the least code that registers a teacher for an event.

Starlette + an asyncpg pool, no ORM, no session, no pydantic. One transaction per request on the
events service's own tables, doing what `events.registrations.lifecycle.place` does for one
teacher (and what the endpoint adds around it):

    BEGIN
    SELECT * FROM events WHERE id = $1 FOR UPDATE         -- the lock every writer takes
    (registration open?)                                  -- 409 if not
    SELECT teacher_id FROM registrations WHERE …          -- already registered? 409
    UPDATE events SET seats_taken …  /  waitlist counters  -- or 409 "full"
    INSERT INTO registrations …
    SELECT count(*) … waitlist_position < $n              -- the queue rank the response shows
    COMMIT

It verifies the bearer token (ES256 against the same JWKS file) because the service must, and a
baseline without it would make the gap look bigger than anything the service could close.

Run by the benchmark as `uvicorn minimal_registration_app:create_app --factory --app-dir bench`,
with `BENCH_DATABASE_DSN` (a plain asyncpg DSN) and `BENCH_JWKS_FILE` in the environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
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
ACTIVE = ["pending_approval", "confirmed", "offered", "attended", "no_show", "waitlisted"]
PROBLEM = "application/problem+json"


def _problem(status: int, kind: str, title: str) -> Response:
    # The same `type` slugs as the service's problems, so the bench classifies both alike.
    body = {"type": kind, "title": title, "status": status}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


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

    def teacher_of(request: Request) -> str | None:
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

    async def register(request: Request) -> Response:
        teacher = teacher_of(request)
        if teacher is None:
            return _problem(401, "unauthorized", "A teacher's token is required.")
        try:
            event_id = uuid.UUID(request.path_params["event_id"])
        except ValueError:
            return _problem(422, "invalid-input", "not a UUID")
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            return await _place(conn, event_id, teacher)

    async def ready(request: Request) -> Response:
        await request.app.state.pool.fetchval("SELECT 1")
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[
            Route("/events/{event_id}/registrations", register, methods=["POST"]),
            Route("/readyz", ready),
        ],
        lifespan=lifespan,
    )


async def _place(conn: asyncpg.Connection, event_id: uuid.UUID, teacher: str) -> Response:
    # Every column, as the service's ORM loads the whole row under the lock.
    event = await conn.fetchrow("SELECT * FROM events WHERE id = $1 FOR UPDATE", event_id)
    if event is None or event["status"] == "draft":
        return _problem(404, "event-not-found", "No such event.")
    now = datetime.now(UTC)
    if not (
        event["status"] == "scheduled"
        and event["registration_opens_at"] <= now < event["registration_closes_at"]
    ):
        return _problem(409, "registration-closed", "Registration is closed.")
    already = await conn.fetch(
        "SELECT teacher_id FROM registrations "
        "WHERE event_id = $1 AND teacher_id = ANY($2::varchar[]) AND status = ANY($3::varchar[])",
        event_id, [teacher], ACTIVE,
    )  # fmt: skip
    if already:
        return _problem(409, "already-registered", "Already registered.")
    position: int | None = None
    if event["capacity"] - event["seats_taken"] >= 1:
        status = "pending_approval" if event["requires_approval"] else "confirmed"
        await conn.execute(
            "UPDATE events SET seats_taken = $2 WHERE id = $1", event_id, event["seats_taken"] + 1
        )
    elif event["waitlist_capacity"] - event["waitlist_count"] >= 1:
        status, position = "waitlisted", event["next_waitlist_position"]
        await conn.execute(
            "UPDATE events SET next_waitlist_position = $2, waitlist_count = $3 WHERE id = $1",
            event_id, position + 1, event["waitlist_count"] + 1,
        )  # fmt: skip
    else:
        return _problem(409, "event-full", "No place and no waitlist place left.")
    registration_id = new_id()
    requested_at = await conn.fetchval(
        "INSERT INTO registrations (id, event_id, teacher_id, registered_by, status, "
        "waitlist_position, updated_at) VALUES ($1, $2, $3, $3, $4, $5, $6) "
        "RETURNING requested_at",
        registration_id, event_id, teacher, status, position, now,
    )  # fmt: skip
    rank: int | None = None
    if position is not None:
        ahead = await conn.fetchval(
            "SELECT count(*) FROM registrations "
            "WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_position < $2",
            event_id, position,
        )  # fmt: skip
        rank = int(ahead) + 1
    body: dict[str, Any] = {
        "id": str(registration_id),
        "event_id": str(event_id),
        "teacher_id": teacher,
        "status": status,
        "waitlist_position": rank,
        "requested_at": requested_at.isoformat(),
    }
    return JSONResponse(body, status_code=201)
