"""The exchange service: placements for teacher educators between centres (port 8003)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from exchange.applications.routes import router as applications_router
from exchange.bulk.routes import router as bulk_router
from exchange.domain_events import EVENT_TYPES
from exchange.graphql.loaders import make_loaders
from exchange.graphql.schema import schema
from exchange.ledger import LedgerCredential
from exchange.matching.routes import router as matching_router
from exchange.mobilities.routes import router as mobilities_router
from exchange.offers.routes import router as offers_router
from exchange.settings import ExchangeSettings
from shared.graphql import graphql_router
from shared.integrations import integration_lifespan, integration_routers
from shared.peers import Peers
from shared.service_app import build_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

DESCRIPTION = """\
Staff exchanges between the network's centres: job shadowing, teaching assignments,
co-developing materials and research visits for teacher educators and PhD students. A host
centre offers placements; an educator applies; their home centre approves, the host accepts,
both confirm the agreement; after the exchange both sides report and the home centre
recognises it, which credits the educator's CPD ledger in the events service.

Offers are public. Applications are seen only by the applicant and the managers of the home
and host centres, and each side acts only on its own steps. Errors are RFC 9457
`application/problem+json`; an action the application's state does not allow is a 409 that
names the state and the allowed next ones.
"""


def create_app(settings: ExchangeSettings | None = None) -> FastAPI:
    settings = settings or ExchangeSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.peers = Peers(
            {"directory": settings.directory_url, "events": settings.events_url}
        )
        app.state.ledger_credential = LedgerCredential(settings)
        try:
            async with integration_lifespan(app, settings):
                yield
        finally:
            await app.state.peers.aclose()

    app = build_service_app(
        name="exchange",
        title="pdnet exchange",
        description=DESCRIPTION,
        version="1.0.0",
        settings=settings,
        migrations_dir=MIGRATIONS,
        lifespan=lifespan,
    )
    # Fixed paths before `/v1/offers/{offer_id}`, so they never parse as an id.
    # Bulk first: `/v1/offers/export` must match before `/v1/offers/{offer_id}` does.
    routers = (bulk_router, matching_router, mobilities_router, offers_router, applications_router)
    for router in routers:
        app.include_router(router)
    for router in integration_routers(EVENT_TYPES):
        app.include_router(router)
    # GraphQL documents itself (introspection, GraphiQL); OpenAPI covers the REST API only.
    app.include_router(
        graphql_router(schema, make_loaders), prefix="/graphql", include_in_schema=False
    )
    return app
