"""The directory service: networks, centres, quality labels and educators (port 8001)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from directory.api_keys.routes import DirectoryApiKeys
from directory.api_keys.routes import router as api_keys_router
from directory.bulk.routes import router as bulk_router
from directory.centres.routes import router as centres_router
from directory.domain_events import EVENT_TYPES
from directory.educators.routes import router as educators_router
from directory.graphql.loaders import make_loaders
from directory.graphql.schema import schema
from directory.labels.routes import router as labels_router
from directory.networks.routes import router as networks_router
from directory.open_formats.routes import router as open_formats_router
from directory.settings import DirectorySettings
from shared.graphql import graphql_router
from shared.integrations import integration_lifespan, integration_routers
from shared.service_app import build_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

DESCRIPTION = """\
The centre directory of the European STEM PD Centre Network: networks of networks, the
centres that run professional development for STEM teachers, their quality labels, and the
teacher educators attached to them.

Reads of public data need no token. Writes need a bearer token with the right role for the
centre or network. Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: DirectorySettings | None = None) -> FastAPI:
    settings = settings or DirectorySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with integration_lifespan(app, settings, api_keys=DirectoryApiKeys(app)):
            yield

    app = build_service_app(
        name="directory",
        title="pdnet directory",
        description=DESCRIPTION,
        version="1.0.0",
        settings=settings,
        migrations_dir=MIGRATIONS,
        lifespan=lifespan,
    )
    # Bulk and open formats first: `/v1/centres/export` and `/v1/centres/geojson` must match
    # before `/v1/centres/{centre_id}` does.
    routers = (bulk_router, open_formats_router, networks_router, centres_router, labels_router)
    for router in (*routers, educators_router):
        app.include_router(router)
    for router in (api_keys_router, *integration_routers(EVENT_TYPES)):
        app.include_router(router)
    # GraphQL documents itself (introspection, GraphiQL); OpenAPI covers the REST API only.
    app.include_router(
        graphql_router(schema, make_loaders), prefix="/graphql", include_in_schema=False
    )
    return app
