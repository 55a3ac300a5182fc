"""Every migration upgrades from an empty database and downgrades back to empty."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import downgrade, upgrade
from shared.stack import find_repo_root, load_stack

DIRECTORY = next(s for s in load_stack(find_repo_root()) if s.name == "directory")


async def _tables(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    return {row[0] for row in rows} - {"alembic_version"}


async def _functions(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(
        text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
    )
    return {row[0] for row in rows}


async def test_directory_migrations_upgrade_from_empty_and_downgrade_to_empty(
    embedded_postgres: EmbeddedPostgres,
) -> None:
    await embedded_postgres.recreate_database("migrations_directory")
    engine = create_async_engine(embedded_postgres.url("migrations_directory"))
    try:
        async with engine.begin() as conn:
            await upgrade(conn, DIRECTORY.path)
            assert {"centres", "networks", "educators", "quality_labels"} <= await _tables(conn)
            await downgrade(conn, DIRECTORY.path, "base")
            assert await _tables(conn) == set()
            assert await _functions(conn) == set()
            await upgrade(conn, DIRECTORY.path)  # and up again: downgrade left nothing behind
            assert "centres" in await _tables(conn)
    finally:
        await engine.dispose()
