"""Bringing a service's database to life: its migrations to head, then its demo or bench data."""

from __future__ import annotations

import time
import traceback
from collections.abc import Awaitable, Callable
from typing import cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from pdnet_cli.databases import service_databases
from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from pdnet_cli.workspace import Workspace
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
    if scale is None:
        return summary
    # Benchmarks are sized by how long seeding takes, so say it.
    return f"{summary} in {time.perf_counter() - started:.1f} s"


async def migrate_services(workspace: Workspace, only: str | None = None) -> int:
    """`pdnet migrate`."""
    specs = workspace.services(only)
    async with service_databases(workspace, specs) as databases:
        for spec in specs:
            await migrate_service(spec, databases.url(spec))
    return 0


async def seed_services(workspace: Workspace, only: str | None, scale: int | None) -> int:
    """`pdnet seed`: one service failing does not stop the others, but makes the exit code 1."""
    specs = workspace.services(only)
    failed = []
    async with service_databases(workspace, specs) as databases:
        for spec in specs:
            # Seeding a fresh checkout must work too, and migrating a migrated database is free.
            await migrate_service(spec, databases.url(spec))
            try:
                summary = await seed_service(spec, databases.url(spec), scale=scale)
            except CommandError as exc:
                report(f"error: {exc}")
                failed.append(spec.name)
            except Exception:
                report(f"error: seeding {spec.name} failed:\n{traceback.format_exc().rstrip()}")
                failed.append(spec.name)
            else:
                report(f"seeding {spec.name}: {summary}")
    return 1 if failed else 0
