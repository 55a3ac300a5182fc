"""Loads demo kits into an empty database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def seed(session: AsyncSession, *, scale: int | None = None) -> str:
    return "no demo kits yet"
