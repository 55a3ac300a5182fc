"""Bringing a service's database to life: its migrations to head, then its demo or bench data."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from shared.migrations import upgrade
from shared.stack import ServiceSpec, load_object

SeedFunction = Callable[..., Awaitable[str]]


async def migrate_service(spec: ServiceSpec, url: str) -> None:
    """Run the service's alembic history to head in one transaction."""
    report(f"migrating {spec.name}…")
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await upgrade(conn, spec.path)
            heads = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except Exception as exc:
        raise CommandError(f"migrating {spec.name} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        await engine.dispose()
    report(f"{spec.name} is at migration {', '.join(row[0] for row in heads) or '(none)'}")


def load_seed_function(spec: ServiceSpec) -> SeedFunction:
    if not spec.seed:
        raise CommandError(f"{spec.name} has no seed function (a `seed` entry in services.toml)")
    try:
        return cast(SeedFunction, load_object(spec.seed))
    except (ImportError, AttributeError) as exc:
        raise CommandError(
            f"{spec.name}'s seed function {spec.seed} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from exc


async def seed_service(spec: ServiceSpec, url: str, *, scale: int | None = None) -> str:
    """Demo data into an empty database (scale None) or `scale` synthetic rows; the summary.

    The seed function decides whether the database is empty; this commits what it wrote.
    """
    seed = load_seed_function(spec)
    if scale is not None:
        report(f"seeding {spec.name} with {scale} synthetic rows…")
    started = time.perf_counter()
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            summary = await seed(session, scale=scale)
            await session.commit()
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    return f"{summary} ({elapsed:.1f} s)"
