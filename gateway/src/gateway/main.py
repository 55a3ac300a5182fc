"""The gateway's app: one GraphQL API over every subgraph, REST routed to the owning service.

`create_app()` reads `GATEWAY_*` settings; tests pass settings and in-process clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from gateway.change_feed import change_feed_router
from gateway.execution.http1 import Http1Client
from gateway.graphql_http import GraphQLEndpoint, ParsedDocuments, graphql_router
from gateway.openapi_merge import merge_openapi
from gateway.operation_limits import Limits
from gateway.persisted_queries import PersistedQueries
from gateway.rate_limits import ClientKeys, RateLimitMiddleware, TokenBuckets
from gateway.registry import LoadedSupergraph, SupergraphRegistry, build_engine
from gateway.rest_router import rest_router
from gateway.rest_routes import ServiceRoutes
from gateway.settings import GatewaySettings
from gateway.sources import Sources, load_sources
from gateway.status_routes import status_router
from shared.auth import TokenVerifier
from shared.explorer import mount_graphiql_assets, mount_openapi_explorer
from shared.http_clients import create_http_client
from shared.logging import RequestContextMiddleware, configure_logging
from shared.metrics import ProcessMetrics, install_metrics
from shared.problems import install_problem_handlers
from shared.settings import BaseServiceSettings
from shared.tracing import install_tracing

TITLE = "pdnet API"
DESCRIPTION = (
    "The European STEM PD Centre Network's open API: every service's REST API under `/v1`, "
    "and one federated GraphQL API at `/graphql`."
)
VERSION = "1.0.0"
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
    "traceparent",
    "tracestate",
]
CORS_EXPOSED = ["ETag", "Location", "Link", "Retry-After", "X-Request-ID", "Content-Disposition"]


@dataclass
class GatewayRuntime:
    """What the gateway's routes work with, built in the lifespan and kept on `app.state`."""

    settings: GatewaySettings
    sources: Sources
    clients: dict[str, httpx.AsyncClient]
    registry: SupergraphRegistry
    routes: ServiceRoutes

    async def refresh(self) -> None:
        """One round of reading SDLs and OpenAPI documents (what the background loops repeat)."""
        await asyncio.gather(self.registry.refresh(), self.routes.refresh())


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, 3.0))


def _clients(
    sources: Sources, settings: GatewaySettings, given: Mapping[str, httpx.AsyncClient]
) -> dict[str, httpx.AsyncClient]:
    """One pooled client per service or subgraph; requests carry absolute URLs."""
    clients = dict(given)
    bases = {s.name: s.base_url for s in sources.services}
    for subgraph in sources.subgraphs:
        if subgraph.name not in clients:
            base = bases.get(subgraph.name, subgraph.url)
            clients[subgraph.name] = create_http_client(
                base,
                timeout=_timeout(settings.subgraph_timeout_s),
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
    return clients


def _make_transport(
    loaded_urls: Mapping[str, str],
    clients: dict[str, httpx.AsyncClient],
    settings: GatewaySettings,
    metrics: ProcessMetrics,
    given: Collection[str] = (),
    http1: Http1Client | None = None,
    ours: Collection[str] = (),
) -> Any:
    from gateway.execution import HttpSubgraphTransport

    for name, url in loaded_urls.items():
        # A supergraph file may name subgraphs the configuration does not.
        if name not in clients:
            clients[name] = create_http_client(url, timeout=_timeout(settings.subgraph_timeout_s))

    def on_fetch(subgraph: str, seconds: float, ok: bool) -> None:
        metrics.observe_subgraph_fetch(subgraph, seconds, outcome="ok" if ok else "error")

    return HttpSubgraphTransport(
        dict(loaded_urls),
        timeout=settings.subgraph_timeout_s,
        clients={name: clients[name] for name in loaded_urls},
        on_fetch=on_fetch,
        # The lean client serves pdnet's own services, whose servers it is known to fit; a
        # national subgraph's server may frame answers in ways only httpx reads, and a client
        # a caller passed in is used as it is.
        direct=[name for name in loaded_urls if name in ours and name not in given],
        http1=http1,
    )


def _verifier(settings: GatewaySettings) -> TokenVerifier | None:
    if not settings.verifies_tokens:
        return None
    # The verifier reads only the issuer, audience and key settings, which the gateway shares.
    return TokenVerifier(cast(BaseServiceSettings, settings))


def _install_openapi(app: FastAPI) -> None:
    """`/openapi.json` is the gateway's own paths plus every service's `/v1` paths."""

    merged: dict[int, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        runtime: GatewayRuntime | None = getattr(app.state, "gateway", None)
        if runtime is None:
            return get_openapi(title=app.title, version=app.version, routes=app.routes)
        # Merged again only when a refresh brought changed documents.
        key = runtime.routes.version
        documents = runtime.routes.documents()
        if key not in merged:
            base = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            merged.clear()
            merged[key] = merge_openapi(documents, base=base)
        return merged[key]

    app.openapi = openapi  # type: ignore[method-assign]


def _lifespan(
    settings: GatewaySettings,
    sources: Sources,
    given: Mapping[str, httpx.AsyncClient],
    endpoint: GraphQLEndpoint,
    *,
    background: bool,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Clients, the registry and the route table for the app's life, with their refresh loops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(fmt=settings.log_format, level=settings.log_level)
        pooled = _clients(sources, settings, given)
        owned = [client for name, client in pooled.items() if name not in given]
        metrics: ProcessMetrics = app.state.metrics
        # Kept-alive subgraph connections, shared by every supergraph the registry loads.
        http1 = Http1Client()

        def with_transport(loaded: LoadedSupergraph) -> LoadedSupergraph:
            urls = getattr(loaded.supergraph, "subgraph_urls", {})
            transport = _make_transport(
                urls,
                pooled,
                settings,
                metrics,
                given=list(given),
                http1=http1,
                ours={service.name for service in sources.services},
            )
            return loaded.with_transport(transport)

        registry = SupergraphRegistry(
            sources.subgraphs,
            pooled,
            timeout_s=settings.subgraph_timeout_s,
            supergraph_file=settings.supergraph_file,
            build=build_engine,
            prepare=with_transport,
        )
        routes = ServiceRoutes(sources.services, pooled, timeout_s=settings.subgraph_timeout_s)
        app.state.gateway = GatewayRuntime(settings, sources, pooled, registry, routes)
        endpoint.registry = registry
        loops = [registry.run, routes.run] if background else []
        tasks = [
            asyncio.create_task(
                loop(
                    interval_s=settings.refresh_interval_s,
                    retry_max_s=settings.startup_retry_max_s,
                )
            )
            for loop in loops
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for client in owned:
                await client.aclose()
            http1.close()

    return lifespan


def _install_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    # Added innermost first: the request id is set before anything else runs, metrics time
    # everything, CORS answers preflights before they count against a client's rate limit.
    buckets = TokenBuckets(
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
        max_clients=settings.rate_limit_clients,
    )
    app.add_middleware(
        RateLimitMiddleware,
        buckets=buckets,
        keys=ClientKeys(_verifier(settings)),
        trust_forwarded_for=settings.trust_forwarded_for,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=CORS_HEADERS,
        expose_headers=CORS_EXPOSED,
        max_age=600,
    )
    install_metrics(app, service="gateway")
    app.add_middleware(RequestContextMiddleware, service="gateway")
    # Outermost: spans continue the caller's traceparent; off unless OTLP is configured.
    install_tracing(app, service="gateway")


def create_app(
    settings: GatewaySettings | None = None,
    *,
    clients: Mapping[str, httpx.AsyncClient] | None = None,
    root: Path | None = None,
    background: bool = True,
) -> FastAPI:
    """`clients` replaces the pooled client of a service or subgraph by name (tests);
    `background=False` leaves refreshing to the caller (`await app.state.gateway.refresh()`)."""
    settings = settings or GatewaySettings()
    sources = load_sources(settings, root)
    endpoint = GraphQLEndpoint(
        limits=Limits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            default_page_size=settings.default_page_size,
        ),
        persisted=PersistedQueries(settings.apq_cache_size),
        documents=ParsedDocuments(),
        max_query_bytes=settings.max_query_bytes,
        expose_plans=settings.plans_exposed,
    )
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=VERSION,
        lifespan=_lifespan(settings, sources, clients or {}, endpoint, background=background),
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.include_router(status_router())
    app.include_router(graphql_router(endpoint))
    mount_graphiql_assets(app)
    _install_openapi(app)
    mount_openapi_explorer(app, title=TITLE)
    # Before the REST routes: the gateway answers `/v1/changes` itself, merging every feed.
    app.include_router(change_feed_router())
    app.include_router(rest_router())
    _install_middleware(app, settings)
    return app
