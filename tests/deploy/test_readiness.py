"""Readiness during a rolling upgrade: an older schema is not ready, a newer one still serves."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.testing import OpenService


async def _set_schema_version(session: AsyncSession, version: str) -> None:
    async with session:
        await session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        await session.commit()


async def test_a_schema_migrated_by_a_newer_release_keeps_the_running_one_ready(
    open_service: OpenService,
) -> None:
    async with open_service("events") as svc:
        await _set_schema_version(svc.session(), "9999_from_the_next_release")
        async with svc.client() as client:
            response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["schema"] == "ahead"


async def test_a_schema_behind_this_release_is_not_ready_until_migrated(
    open_service: OpenService,
) -> None:
    async with open_service("events") as svc:
        heads = svc.app.state.migration_heads
        older = sorted(svc.app.state.migration_revisions - heads)
        assert older, "events has more than one migration"
        await _set_schema_version(svc.session(), older[0])
        async with svc.client() as client:
            response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    assert response.json()["expected"] == sorted(heads)
