"""The events service: courses and events, registration, attendance and CPD hours (port 8002)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from events.bulk.routes import router as bulk_router
from events.catalogue.routes import router as catalogue_router
from events.domain_events import EVENT_TYPES
from events.feeds.routes import router as feeds_router
from events.graphql.loaders import make_loaders
from events.graphql.schema import schema
from events.ledger.routes import router as ledger_router
from events.registrations.routes import router as registrations_router
from events.registrations.worker import run_forever
from events.settings import EventsSettings
from shared.background import background_loop
from shared.graphql import graphql_router
from shared.integrations import integration_lifespan, integration_routers
from shared.peers import Peers
from shared.service_app import build_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

DESCRIPTION = """\
Courses, workshops, residential courses and science fairs run by the network's centres:
find them, register (alone or as a school team) without ever being oversold, get offered a
place from the waitlist, and collect CPD hours from attended sessions.

Reads of published events need no token; registering needs a teacher's token; running an
event needs the host centre's staff. Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    settings = settings or EventsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.peers = Peers({"directory": settings.directory_url})
        worker_enabled = settings.run_worker and settings.environment != "test"
        try:
            async with (
                background_loop(
                    lambda: run_forever(app.state.db, interval_s=settings.worker_interval_s),
                    enabled=worker_enabled,
                ),
                integration_lifespan(app, settings),
            ):
                yield
        finally:
            await app.state.peers.aclose()

    app = build_service_app(
        name="events",
        title="pdnet events",
        description=DESCRIPTION,
        version="1.0.0",
        settings=settings,
        migrations_dir=MIGRATIONS,
        lifespan=lifespan,
    )
    # Feeds and bulk first: `/v1/events/{id}.ics` and `/v1/events/export` must match before
    # `/v1/events/{event_id}` does.
    routers = (feeds_router, bulk_router, catalogue_router, registrations_router, ledger_router)
    for router in routers:
        app.include_router(router)
    for router in integration_routers(EVENT_TYPES):
        app.include_router(router)
    # GraphQL documents itself (introspection, GraphiQL); OpenAPI covers the REST API only.
    app.include_router(
        graphql_router(schema, make_loaders), prefix="/graphql", include_in_schema=False
    )
    return app
