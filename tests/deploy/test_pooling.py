"""Behind PgBouncer in transaction pooling: prepared statements no other client clashes with."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from shared.db import create_engine
from shared.settings import BaseServiceSettings
from shared.testing import ServiceDatabases


async def _prepared_statement_names(database_url: str, cache_size: int) -> list[str]:
    settings = BaseServiceSettings(
        database_url=database_url,
        jwks_file=Path("unused.json"),
        db_statement_cache_size=cache_size,
        environment="test",
    )
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            for kind in ("national", "regional", "national"):
                query = text("SELECT count(*) FROM networks WHERE kind = :kind")
                await conn.execute(query, {"kind": kind})
            rows = await conn.execute(text("SELECT name FROM pg_prepared_statements"))
            return [row[0] for row in rows]
    finally:
        await engine.dispose()


async def test_with_the_statement_cache_off_every_statement_gets_a_name_of_its_own(
    test_databases: ServiceDatabases,
) -> None:
    await test_databases.migrated("directory")
    url = test_databases.url("directory")
    pooled = await _prepared_statement_names(url, cache_size=0)
    direct = await _prepared_statement_names(url, cache_size=100)
    # Behind a pooler two clients' statements meet on one server connection: names must not
    # be a per-client counter that another client also counts with.
    assert pooled and all(name.startswith("__pdnet_") for name in pooled)
    assert len(set(pooled)) == len(pooled)
    assert direct and not any(name.startswith("__pdnet_") for name in direct)
