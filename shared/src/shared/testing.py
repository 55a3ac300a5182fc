"""pytest plugin: real PostgreSQL, real migrations, real apps; each test rolled back.

Loaded with `-p shared.testing`. Embedded PostgreSQL starts once per run; each service's test
database is created fresh and migrated with its own alembic history on first use. A test gets
an app whose every session joins one transaction that is rolled back afterwards, unless it
asks for a committing app (`isolated=False`, for races), whose tables are emptied afterwards.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from shared.auth import TokenVerifier
from shared.db import ConnectionDatabase, Database
from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.migrations import upgrade
from shared.service_app import attach_runtime
from shared.stack import ServiceSpec, find_repo_root, load_stack


@dataclass
class ServiceHarness:
    """A service app wired to the test database, with clients that carry tokens."""

    spec: ServiceSpec
    app: FastAPI
    issuer: DevIssuer
    db: Database
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def session(self) -> AsyncSession:
        """A session in the test's transaction, for builders that set up data."""
        return self.db.session()

    def token(
        self,
        *roles: str,
        sub: str | None = None,
        centres: Iterable[Any] = (),
        networks: Iterable[Any] = (),
        scope: str | None = None,
    ) -> str:
        return self.issuer.mint(
            subject=sub, roles=roles, centres=centres, networks=networks, scope=scope
        )

    def client(self, token: str | None = None, **headers: str) -> httpx.AsyncClient:
        all_headers = dict(headers)
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
            base_url=f"http://{self.spec.name}.test",
            headers=all_headers,
        )
        self._clients.append(client)
        return client

    def as_role(self, *roles: str, **claims: Any) -> httpx.AsyncClient:
        return self.client(self.token(*roles, **claims))


@dataclass
class ServiceDatabases:
    postgres: EmbeddedPostgres
    stack: dict[str, ServiceSpec]
    engines: dict[str, AsyncEngine] = field(default_factory=dict)

    @staticmethod
    def database_name(name: str) -> str:
        # Per process, so two test runs sharing the embedded server never touch each other.
        return f"test_{name}_{os.getpid()}"

    def url(self, name: str) -> str:
        return self.postgres.url(self.database_name(name))

    async def migrated(self, name: str) -> AsyncEngine:
        """A fresh database for the service, at its migrations' head, migrated once per run."""
        if name in self.engines:
            return self.engines[name]
        await self.postgres.recreate_database(self.database_name(name))
        engine = create_async_engine(self.url(name), pool_size=20, max_overflow=20)
        async with engine.begin() as conn:
            await upgrade(conn, self.stack[name].path)
        self.engines[name] = engine
        return engine

    async def dispose(self) -> None:
        for name, engine in self.engines.items():
            await engine.dispose()
            await self.postgres.drop_database(self.database_name(name))


@contextmanager
def _service_env(spec: ServiceSpec, url: str, issuer: DevIssuer) -> Iterator[None]:
    values = {
        f"{spec.env_prefix}DATABASE_URL": url,
        f"{spec.env_prefix}JWKS_FILE": str(issuer.jwks_path),
        f"{spec.env_prefix}ENVIRONMENT": "test",
        f"{spec.env_prefix}LOG_FORMAT": "console",
        f"{spec.env_prefix}LOG_LEVEL": "WARNING",
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        )
        tables = ", ".join(f'"{row[0]}"' for row in rows)
        if tables:
            await conn.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture(scope="session")
def pdnet_root() -> Path:
    return find_repo_root(Path(__file__))


@pytest.fixture(scope="session")
def embedded_postgres(pdnet_root: Path) -> Iterator[EmbeddedPostgres]:
    data_dir = Path(os.environ.get("PDNET_TEST_PGDATA", pdnet_root / ".pdnet" / "test-postgres"))
    postgres = EmbeddedPostgres(data_dir)
    postgres.start()
    yield postgres
    postgres.stop()


@pytest.fixture(scope="session")
def dev_issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    issuer = DevIssuer(tmp_path_factory.mktemp("dev-issuer"))
    issuer.ensure_keys()
    return issuer


@pytest.fixture(scope="session")
async def test_databases(
    embedded_postgres: EmbeddedPostgres, pdnet_root: Path
) -> AsyncIterator[ServiceDatabases]:
    stack = {spec.name: spec for spec in load_stack(pdnet_root)}
    databases = ServiceDatabases(embedded_postgres, stack)
    yield databases
    await databases.dispose()


OpenService = Callable[..., AbstractAsyncContextManager[ServiceHarness]]


@pytest.fixture
def open_service(test_databases: ServiceDatabases, dev_issuer: DevIssuer) -> OpenService:
    """`async with open_service("directory") as svc:` — the real app on the test database."""

    @asynccontextmanager
    async def opener(
        name: str, *, isolated: bool = True, peers: dict[str, FastAPI | str] | None = None
    ) -> AsyncIterator[ServiceHarness]:
        """`peers` routes calls to other services: an app (in this process) or a URL."""
        spec = test_databases.stack[name]
        engine = await test_databases.migrated(name)
        with _service_env(spec, test_databases.url(name), dev_issuer):
            app: FastAPI = spec.load_app_factory()()
            async with app.router.lifespan_context(app):
                for peer, target in (peers or {}).items():
                    if isinstance(target, str):
                        app.state.peers.route_to_url(peer, target)
                    else:
                        app.state.peers.route_to_app(peer, target)
                verifier = TokenVerifier(app.state.settings)
                if not isolated:
                    harness = ServiceHarness(spec, app, dev_issuer, app.state.db)
                    try:
                        yield harness
                    finally:
                        for client in harness._clients:
                            await client.aclose()
                        await _empty_tables(engine)
                    return
                async with engine.connect() as conn:
                    transaction = await conn.begin()
                    db = ConnectionDatabase(conn)
                    attach_runtime(app, db=db, verifier=verifier)
                    harness = ServiceHarness(spec, app, dev_issuer, db)
                    try:
                        yield harness
                    finally:
                        for client in harness._clients:
                            await client.aclose()
                        await transaction.rollback()

    return opener
