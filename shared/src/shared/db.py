"""Database access: one engine per process, one session per request, short sessions for loaders.

The request session commits before the response is sent, so a client never sees a 2xx for a
write that later failed to commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from shared.settings import BaseServiceSettings

# Deterministic constraint names keep alembic autogenerate and downgrades stable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Each service declares its own subclass so its metadata holds only its tables."""

    __abstract__ = True


def service_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(settings: BaseServiceSettings, **overrides: Any) -> AsyncEngine:
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_pre_ping": True,
        # Bounded waits: with the database down or the pool exhausted a request fails fast
        # with a 503 problem instead of hanging.
        "pool_timeout": settings.db_pool_timeout_s,
        "connect_args": {
            "timeout": settings.db_connect_timeout_s,
            "statement_cache_size": settings.db_statement_cache_size,
            "command_timeout": settings.db_command_timeout_s,
            "server_settings": {"application_name": "pdnet", "timezone": "UTC"},
        },
    }
    if settings.db_statement_cache_size == 0:
        # Behind PgBouncer in transaction pooling each statement may reach another server
        # connection: no cached statements, and names that never collide between clients.
        connect_args = options["connect_args"]
        connect_args["prepared_statement_cache_size"] = 0
        connect_args["prepared_statement_name_func"] = _unique_statement_name
    options.update(overrides)
    return create_async_engine(settings.database_url.get_secret_value(), **options)


def _unique_statement_name() -> str:
    return f"__pdnet_{uuid.uuid4().hex}__"


class Database(Protocol):
    """What request handlers and loaders need from the database."""

    def session(self) -> AsyncSession: ...

    def reader(self) -> AsyncSession: ...


class EngineDatabase:
    """Production: sessions straight from the engine's pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        return self._sessions()

    def reader(self) -> AsyncSession:
        return self._sessions()


class ConnectionDatabase:
    """Tests: every session joins one connection's open transaction, which the test rolls back.

    Request sessions work inside savepoints, so their commit and rollback behave as usual.
    Loader sessions only read; they join without savepoints because loaders run concurrently
    and interleaved savepoints on one connection would release each other.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._sessions = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self._readers = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
        )

    def session(self) -> AsyncSession:
        return self._sessions()

    def reader(self) -> AsyncSession:
        return self._readers()


def database_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with database_of(request).session() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]
"""The request's session. Its exit (commit) runs before the response is sent."""


@asynccontextmanager
async def reader_session(db: Database) -> AsyncIterator[AsyncSession]:
    """A short read-only session, e.g. for one DataLoader batch."""
    async with db.reader() as session:
        yield session
