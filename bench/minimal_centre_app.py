"""The baseline for the directory benchmark: the least code that can serve one centre as JSON.

Starlette + an asyncpg pool, no ORM, no session, no transaction, no validation model. It runs the
exact SQL `GET /v1/centres/{id}` sends, captured by `directory_bench.py` from the repository
function and handed over in the JSON file named by `BENCH_CENTRE_SQL_FILE`
(`{"sql": ..., "params": [...], "id_position": n}`); the requested id replaces `params[n]`.

Run by the benchmark as `uvicorn minimal_centre_app:create_app --factory --app-dir bench`, with
`BENCH_DATABASE_DSN` (a plain asyncpg DSN) in the environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# The same ceiling as the service's SQLAlchemy pool (pool_size 10 + max_overflow 10).
POOL_MIN, POOL_MAX = 10, 20


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


async def _decode_jsonb(conn: asyncpg.Connection) -> None:
    # The service's driver decodes jsonb into Python values too; do the same work here.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def create_app() -> Starlette:
    dsn = os.environ["BENCH_DATABASE_DSN"]
    statement = json.loads(Path(os.environ["BENCH_CENTRE_SQL_FILE"]).read_text())
    sql: str = statement["sql"]
    template: list[Any] = statement["params"]
    id_position: int = statement["id_position"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(
            dsn, min_size=POOL_MIN, max_size=POOL_MAX, init=_decode_jsonb
        )
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    async def get_centre(request: Request) -> Response:
        try:
            centre_id = uuid.UUID(request.path_params["centre_id"])
        except ValueError:
            return JSONResponse({"title": "not a UUID"}, status_code=422)
        params = list(template)
        params[id_position] = centre_id
        row = await request.app.state.pool.fetchrow(sql, *params)
        if row is None:
            return JSONResponse({"title": "not found"}, status_code=404)
        body = json.dumps(dict(row.items()), default=_json_default)
        return Response(body, media_type="application/json")

    async def ready(request: Request) -> Response:
        await request.app.state.pool.fetchval("SELECT 1")
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[Route("/centres/{centre_id}", get_centre), Route("/readyz", ready)],
        lifespan=lifespan,
    )
