"""Prometheus metrics for any pdnet process, served at `/metrics`.

`install_metrics(app, service=...)` counts requests by route template and status, times them,
reports the database pool, and gives the gateway and background work their own instruments
(`app.state.metrics`). Each app keeps its own registry, so several apps in one process (tests)
never share counters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METRICS_PATH = "/metrics"
UNMATCHED_ROUTE = "<unmatched>"
"""The route label of requests no route matched, so scanners cannot grow the label set."""

# Any other method token a client invents is counted as "other", so labels stay few.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Seconds; from a cached read (a few ms) to a slow report or a bulk export.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ProcessMetrics:
    """The instruments of one process. Everything carries a `service` label."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.requests = Counter(
            "pdnet_http_requests",
            "HTTP requests answered, by route template and status.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "pdnet_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by route template.",
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "pdnet_http_requests_in_flight",
            "Requests being answered right now.",
            ["service"],
            registry=self.registry,
        )
        self.subgraph_fetch_seconds = Histogram(
            "pdnet_subgraph_fetch_duration_seconds",
            "Gateway: time of one fetch from a subgraph, by subgraph and outcome.",
            ["service", "subgraph", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.outbox_lag_seconds = Gauge(
            "pdnet_outbox_lag_seconds",
            "Age of the oldest outbox event still waiting for a delivery; 0 when none waits.",
            ["service"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "pdnet_outbox_pending_events",
            "Deliveries of outbox events still waiting to succeed.",
            ["service"],
            registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "pdnet_webhook_deliveries",
            "Webhook delivery attempts by outcome (delivered, retrying, failed, gone).",
            ["service", "outcome"],
            registry=self.registry,
        )
        self.webhook_delivery_seconds = Histogram(
            "pdnet_webhook_delivery_duration_seconds",
            "Time of one webhook delivery attempt.",
            ["service"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    @contextmanager
    def time_subgraph_fetch(self, subgraph: str) -> Iterator[None]:
        """`with metrics.time_subgraph_fetch("events"): ...` around one fetch."""
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.subgraph_fetch_seconds.labels(self.service, subgraph, outcome).observe(
                time.perf_counter() - started
            )

    def observe_subgraph_fetch(self, subgraph: str, seconds: float, *, outcome: str) -> None:
        self.subgraph_fetch_seconds.labels(self.service, subgraph, outcome).observe(seconds)

    def set_outbox_backlog(self, *, pending: int, oldest_age_s: float) -> None:
        self.outbox_pending.labels(self.service).set(pending)
        self.outbox_lag_seconds.labels(self.service).set(oldest_age_s if pending else 0.0)

    def count_webhook_delivery(self, outcome: str, seconds: float | None = None) -> None:
        self.webhook_deliveries.labels(self.service, outcome).inc()
        if seconds is not None:
            self.webhook_delivery_seconds.labels(self.service).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _DatabasePoolCollector(Collector):
    """Reads the pool of `app.state.db` at scrape time; reports nothing before it exists."""

    def __init__(self, app: FastAPI, service: str) -> None:
        self.app = app
        self.service = service

    def collect(self) -> Iterator[Metric]:
        pool = _pool_of(self.app)
        if pool is None:
            return
        stats = {
            "pdnet_db_pool_size": ("Connections the pool keeps open.", pool.size()),
            "pdnet_db_pool_checked_out": ("Connections lent to requests now.", pool.checkedout()),
            "pdnet_db_pool_idle": ("Open connections waiting in the pool.", pool.checkedin()),
            "pdnet_db_pool_overflow": ("Connections beyond the pool size.", pool.overflow()),
        }
        for name, (documentation, value) in stats.items():
            family = GaugeMetricFamily(name, documentation, labels=["service"])
            family.add_metric([self.service], float(value))
            yield family


def _pool_of(app: FastAPI) -> Any:
    engine = getattr(getattr(app.state, "db", None), "engine", None)
    pool = getattr(engine, "pool", None)
    return pool if pool is not None and hasattr(pool, "checkedout") else None


class MetricsMiddleware:
    """Counts and times every HTTP request by the template of the route that answered it.

    Pure ASGI, so streaming responses are timed to their last byte.
    """

    def __init__(self, app: ASGIApp, *, metrics: ProcessMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == METRICS_PATH:
            await self.app(scope, receive, send)
            return
        metrics = self.metrics
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_flight = metrics.in_flight.labels(metrics.service)
        in_flight.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            in_flight.dec()
            route = route_template(scope)
            method = scope["method"] if scope["method"] in _KNOWN_METHODS else "other"
            if route == UNMATCHED_ROUTE:
                method = "other"
            metrics.requests.labels(metrics.service, method, route, str(status)).inc()
            metrics.request_seconds.labels(metrics.service, method, route).observe(
                time.perf_counter() - started
            )


ROUTE_TEMPLATE_KEY = "pdnet.route_template"
"""Scope key a catch-all route (the gateway's REST proxy) sets to the template it matched."""


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/v1/kits/{kit_id}`), never the raw path.

    FastAPI keeps included routers nested, so a route's own `path` lacks the prefix it was
    included under; the effective route it records carries the whole template.
    """
    named = scope.get(ROUTE_TEMPLATE_KEY)
    if isinstance(named, str) and named:
        return named
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(effective, "path_format", None)
    if isinstance(path, str) and path:
        return path
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def install_metrics(app: FastAPI, *, service: str) -> ProcessMetrics:
    """Add `/metrics` and request metrics to any FastAPI app; the instruments go on `app.state`."""
    existing: ProcessMetrics | None = getattr(app.state, "metrics", None)
    if existing is not None:
        return existing
    metrics = ProcessMetrics(service)
    metrics.registry.register(_DatabasePoolCollector(app, service))
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get(METRICS_PATH, include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return metrics


_process_metrics: ContextVar[ProcessMetrics | None] = ContextVar("pdnet_metrics", default=None)


@contextmanager
def metrics_in_context(metrics: ProcessMetrics | None) -> Iterator[None]:
    """Background loops started inside this block report to `metrics` (`current_metrics()`)."""
    token = _process_metrics.set(metrics)
    try:
        yield
    finally:
        try:
            _process_metrics.reset(token)
        except ValueError:  # left in another context than it was entered in
            _process_metrics.set(None)


def current_metrics() -> ProcessMetrics | None:
    """The instruments of the app whose lifespan started this task, if it installed any."""
    return _process_metrics.get()


def metrics_of(app: FastAPI) -> ProcessMetrics | None:
    """The app's instruments, for code that only holds the app (background loops, the gateway)."""
    metrics: ProcessMetrics | None = getattr(app.state, "metrics", None)
    return metrics
