"""OpenTelemetry tracing for any pdnet process: off unless configured.

`install_tracing(app, service=...)` gives each request a server span continuing the caller's W3C
`traceparent`, each SQL statement a child span, and each call through the kit's HTTP clients a
client span whose `traceparent` the next service continues. Spans are exported by OTLP when
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set; tests pass an exporter instead.
Each app holds its own tracer provider, so apps in one process never mix their spans.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import UNMATCHED_ROUTE, route_template

_TRACER_NAME = "pdnet"
_OTLP_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_SPANS_KEY = "pdnet_trace_spans"

active_tracer: ContextVar[Tracer | None] = ContextVar("pdnet_active_tracer", default=None)
"""The tracer of the request being answered; SQL and HTTP spans are made only when it is set."""


def otlp_configured() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return any(os.environ.get(name) for name in _OTLP_ENDPOINTS)


def tracer_provider(service: str, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """A provider exporting to `exporter`, or by OTLP when configured, or None (tracing off).

    Sampling follows the standard `OTEL_TRACES_SAMPLER` variables (parent-based by default).
    """
    if exporter is None and not otlp_configured():
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def install_tracing(
    app: FastAPI, *, service: str, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Trace the app's requests; call again with an exporter to redirect its spans (tests)."""
    provider = tracer_provider(service, exporter)
    if not getattr(app.state, "tracing_installed", False):
        app.add_middleware(TracingMiddleware, app_state=app.state)
        app.state.tracing_installed = True
    previous: TracerProvider | None = getattr(app.state, "tracer_provider", None)
    if previous is not None and previous is not provider:
        previous.shutdown()
    app.state.tracer_provider = provider
    return provider


def shutdown_tracing(app: FastAPI) -> None:
    """Export what is still buffered; called when the app stops."""
    provider: TracerProvider | None = getattr(app.state, "tracer_provider", None)
    if provider is not None:
        provider.force_flush()


class TracingMiddleware:
    """A server span per HTTP request, continuing the caller's trace from `traceparent`."""

    def __init__(self, app: ASGIApp, *, app_state: Any) -> None:
        self.app = app
        self.state = app_state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider: TracerProvider | None = getattr(self.state, "tracer_provider", None)
        if scope["type"] != "http" or provider is None:
            await self.app(scope, receive, send)
            return
        tracer = provider.get_tracer(_TRACER_NAME)
        carrier = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        # Only the caller's headers decide the parent, never whatever span happens to be current.
        parent = propagate.extract(carrier, context=otel_context.Context())
        method = scope["method"]
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracer.start_as_current_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
            },
        ) as span:
            tracer_token = active_tracer.set(tracer)
            try:
                await self.app(scope, receive, send_with_status)
            finally:
                active_tracer.reset(tracer_token)
                route = route_template(scope)
                if route != UNMATCHED_ROUTE:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))


class TracingTransport(httpx.AsyncBaseTransport):
    """Wraps an httpx transport: a client span per call, its `traceparent` sent along."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        tracer = active_tracer.get()
        if tracer is None:
            return await self.inner.handle_async_request(request)
        with tracer.start_as_current_span(
            request.method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "server.address": request.url.host,
                "url.full": str(request.url.copy_with(query=None)),
            },
        ) as span:
            headers: dict[str, str] = {}
            propagate.inject(headers)
            for name, value in headers.items():
                request.headers[name] = value
            response = await self.inner.handle_async_request(request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def traced_transport(
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    limits: httpx.Limits | None = None,
) -> TracingTransport:
    """The transport to give an `httpx.AsyncClient` whose calls should join the trace."""
    inner = transport or httpx.AsyncHTTPTransport(limits=limits or httpx.Limits())
    return TracingTransport(inner)


def instrument_engine(engine: AsyncEngine | Engine) -> None:
    """A span per SQL statement run while a traced request is being answered."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    if event.contains(sync_engine, "before_cursor_execute", _before_statement):
        return
    event.listen(sync_engine, "before_cursor_execute", _before_statement)
    event.listen(sync_engine, "after_cursor_execute", _after_statement)
    event.listen(sync_engine, "handle_error", _on_statement_error)


def _before_statement(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    tracer = active_tracer.get()
    if tracer is None:
        return
    operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
    database = conn.engine.url.database or ""
    span = tracer.start_span(
        f"{operation} {database}".strip(),
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": "postgresql",
            "db.namespace": database,
            "db.operation.name": operation,
            # The statement with its placeholders: bound values never reach the trace.
            "db.query.text": statement[:2000],
        },
    )
    conn.info.setdefault(_SPANS_KEY, []).append(span)


def _after_statement(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    span = _pop_span(conn)
    if span is not None:
        span.end()


def _on_statement_error(exception_context: Any) -> None:
    conn = exception_context.connection
    span = _pop_span(conn) if conn is not None else None
    if span is not None:
        error = exception_context.original_exception
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()


def _pop_span(conn: Connection) -> Span | None:
    try:
        spans: list[Span] = conn.info.get(_SPANS_KEY, [])
    except Exception:  # a connection already closed has no info left to read
        return None
    return spans.pop() if spans else None


def current_trace_ids() -> dict[str, str]:
    """The current trace and span ids as hex, for log lines; empty outside a sampled span."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return {}
    return {
        "trace_id": format(span_context.trace_id, "032x"),
        "span_id": format(span_context.span_id, "016x"),
    }
