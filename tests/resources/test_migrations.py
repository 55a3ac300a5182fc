"""The resources migrations upgrade from an empty database and downgrade back to empty."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import downgrade, upgrade
from shared.stack import find_repo_root, load_stack

RESOURCES = next(s for s in load_stack(find_repo_root()) if s.name == "resources")


async def _tables(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    return {row[0] for row in rows} - {"alembic_version"}


async def test_resources_migrations_upgrade_from_empty_and_downgrade_to_empty(
    embedded_postgres: EmbeddedPostgres,
) -> None:
    name = f"migrations_resources_{os.getpid()}"  # runs sharing the server never collide
    await embedded_postgres.recreate_database(name)
    engine = create_async_engine(embedded_postgres.url(name))
    try:
        async with engine.begin() as conn:
            await upgrade(conn, RESOURCES.path)
            assert {"kits", "kit_days", "reservations", "loans"} <= await _tables(conn)
            await downgrade(conn, RESOURCES.path, "base")
            assert await _tables(conn) == set()
            await upgrade(conn, RESOURCES.path)  # and up again: downgrade left nothing behind
            assert "kit_days" in await _tables(conn)
    finally:
        await engine.dispose()
        await embedded_postgres.drop_database(name)
