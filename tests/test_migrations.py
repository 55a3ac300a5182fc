"""Every service's migrations upgrade from an empty database and downgrade back to empty,
one revision at a time, so each downgrade is exercised on its own."""

from __future__ import annotations

import os

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import downgrade, upgrade
from shared.stack import ServiceSpec, find_repo_root, load_stack

SERVICES = load_stack(find_repo_root())


async def _schema(conn: AsyncConnection) -> set[str]:
    """Everything a migration can leave behind: tables, indexes, functions, statistics."""
    rows = await conn.execute(
        text(
            "SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version' "
            "UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version' "
            "UNION ALL SELECT 'function ' || proname FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace "
            "UNION ALL SELECT 'statistics ' || stxname FROM pg_statistic_ext"
        )
    )
    return {row[0] for row in rows}


def _revisions(spec: ServiceSpec) -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(spec.path / "migrations"))
    walk = ScriptDirectory.from_config(config).walk_revisions("base", "heads")
    return [script.revision for script in reversed(list(walk))]


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
async def test_migrations_upgrade_from_empty_and_downgrade_to_empty_step_by_step(
    embedded_postgres: EmbeddedPostgres, spec: ServiceSpec
) -> None:
    name = f"migrations_{spec.name}_{os.getpid()}"  # runs sharing the server never collide
    await embedded_postgres.recreate_database(name)
    engine = create_async_engine(embedded_postgres.url(name))
    revisions = _revisions(spec)
    try:
        async with engine.begin() as conn:
            schemas = [await _schema(conn)]
            for revision in revisions:
                await upgrade(conn, spec.path, revision)
                schemas.append(await _schema(conn))
            assert any(item.startswith("table ") for item in schemas[-1])
            for index in range(len(revisions) - 1, -1, -1):
                target = revisions[index - 1] if index > 0 else "base"
                await downgrade(conn, spec.path, target)
                assert await _schema(conn) == schemas[index], f"downgrade to {target}"
            await upgrade(conn, spec.path)  # and up again: nothing left behind gets in the way
    finally:
        await engine.dispose()
        await embedded_postgres.drop_database(name)
