"""The resources service: kits and materials centres lend, reservations, loans (port 8004)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from resources.availability.routes import router as availability_router
from resources.bulk.routes import router as bulk_router
from resources.catalogue.routes import router as catalogue_router
from resources.domain_events import EVENT_TYPES
from resources.graphql.loaders import make_loaders
from resources.graphql.schema import schema
from resources.loans.routes import router as loans_router
from resources.reservations.routes import router as reservations_router
from resources.settings import ResourcesSettings
from resources.transfers.routes import router as transfers_router
from resources.worker import run_forever
from shared.background import background_loop
from shared.graphql import graphql_router
from shared.integrations import integration_lifespan, integration_routers
from shared.peers import Peers
from shared.service_app import build_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

DESCRIPTION = """\
Experiment kits, challenge boxes, lab equipment and teaching material packs the network's
centres lend to schools, and digital materials they share. Find kits free for your dates near
your school, reserve some of a kit's items without ever being double booked, and borrow them.

Reads of the catalogue need no token; reserving needs a teacher's (or staff) token; managing
a kit needs the owning centre's staff. Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: ResourcesSettings | None = None) -> FastAPI:
    settings = settings or ResourcesSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.peers = Peers(
            {"directory": settings.directory_url, "events": settings.events_url}
        )
        worker_enabled = settings.run_worker and settings.environment != "test"
        try:
            async with (
                background_loop(
                    lambda: run_forever(
                        app.state.db, app.state.peers, interval_s=settings.worker_interval_s
                    ),
                    enabled=worker_enabled,
                ),
                integration_lifespan(app, settings),
            ):
                yield
        finally:
            await app.state.peers.aclose()

    app = build_service_app(
        name="resources",
        title="pdnet resources",
        description=DESCRIPTION,
        version="1.0.0",
        settings=settings,
        migrations_dir=MIGRATIONS,
        lifespan=lifespan,
    )
    # Bulk first: `/v1/kits/export` must match before `/v1/kits/{kit_id}` does.
    for router in (
        bulk_router,
        catalogue_router,
        availability_router,
        reservations_router,
        loans_router,
        transfers_router,
    ):
        app.include_router(router)
    for router in integration_routers(EVENT_TYPES):
        app.include_router(router)
    # GraphQL documents itself (introspection, GraphiQL); OpenAPI covers the REST API only.
    app.include_router(
        graphql_router(schema, make_loaders), prefix="/graphql", include_in_schema=False
    )
    return app
