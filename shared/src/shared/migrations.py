"""Alembic glue shared by every service's `migrations/env.py`.

Three ways in: a connection handed over by the caller (tests, `pdnet migrate`), a URL in the
alembic config's attributes, or the service's `<PREFIX>DATABASE_URL` (a production Job).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine


def alembic_config(service_dir: Path, *, connection: Connection | None = None) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _configure(context: EnvironmentContext, connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_alembic(context: EnvironmentContext, metadata: MetaData, *, env_prefix: str) -> None:
    """The body of every service's env.py."""
    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _configure(context, connection, metadata)
        return
    url = config.attributes.get("url") or os.environ.get(f"{env_prefix}DATABASE_URL")
    if not url:
        raise SystemExit(f"set {env_prefix}DATABASE_URL to the service's database")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(lambda sync: _configure(context, sync, metadata))
        await engine.dispose()

    asyncio.run(online())


async def upgrade(connection: AsyncConnection, service_dir: Path, revision: str = "head") -> None:
    await connection.run_sync(
        lambda sync: command.upgrade(alembic_config(service_dir, connection=sync), revision)
    )


async def downgrade(connection: AsyncConnection, service_dir: Path, revision: str = "base") -> None:
    await connection.run_sync(
        lambda sync: command.downgrade(alembic_config(service_dir, connection=sync), revision)
    )
