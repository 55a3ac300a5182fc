"""Traces: a span per request, SQL spans inside it, `traceparent` carried between services."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared.http_clients import create_http_client
from shared.logging import add_trace_ids
from shared.testing import OpenService
from shared.tracing import install_tracing

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def by_kind(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> list[ReadableSpan]:
    return [span for span in spans if span.kind == kind]


async def test_a_request_continues_the_callers_trace_with_its_sql_inside(
    open_service: OpenService,
) -> None:
    exporter = InMemorySpanExporter()
    async with open_service("directory", isolated=False) as svc:
        install_tracing(svc.app, service="directory", exporter=exporter)
        async with svc.client() as client:
            response = await client.get(
                "/v1/networks", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
            )
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (server,) = by_kind(spans, SpanKind.SERVER)
    assert server.name == "GET /v1/networks"
    assert server.attributes is not None and server.attributes["http.response.status_code"] == 200
    assert format(server.context.trace_id, "032x") == CALLER_TRACE
    assert server.parent is not None and format(server.parent.span_id, "016x") == CALLER_SPAN
    sql = [s for s in by_kind(spans, SpanKind.CLIENT) if s.name.startswith("SELECT")]
    assert sql, [s.name for s in spans]
    for span in sql:
        assert span.context.trace_id == server.context.trace_id
        assert span.parent is not None and span.parent.span_id == server.context.span_id
        assert span.attributes is not None and span.attributes["db.system.name"] == "postgresql"
    assert server.resource.attributes["service.name"] == "directory"


async def test_tracing_is_off_unless_an_exporter_is_configured(
    open_service: OpenService,
) -> None:
    async with open_service("directory") as svc, svc.client() as client:
        assert svc.app.state.tracer_provider is None
        response = await client.get("/healthz", headers={"traceparent": "not a trace"})
    assert response.status_code == 200


async def test_calls_through_the_kit_clients_carry_the_trace_to_the_next_service(
    open_service: OpenService,
) -> None:
    caller_spans, callee_spans = InMemorySpanExporter(), InMemorySpanExporter()
    async with open_service("directory", isolated=False) as directory:
        install_tracing(directory.app, service="directory", exporter=callee_spans)
        outgoing = create_http_client(
            "http://directory.test",
            transport=httpx.ASGITransport(app=directory.app),
        )
        caller = FastAPI()

        @caller.get("/relay")
        async def relay() -> dict[str, int]:
            answer = await outgoing.get("/v1/centres")
            return {"status": answer.status_code}

        install_tracing(caller, service="caller", exporter=caller_spans)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=caller), base_url="http://caller.test"
        ) as client:
            response = await client.get("/relay")
        await outgoing.aclose()
    assert response.json() == {"status": 200}
    (caller_server,) = by_kind(caller_spans.get_finished_spans(), SpanKind.SERVER)
    (call,) = by_kind(caller_spans.get_finished_spans(), SpanKind.CLIENT)
    (callee_server,) = by_kind(callee_spans.get_finished_spans(), SpanKind.SERVER)
    assert call.parent is not None and call.parent.span_id == caller_server.context.span_id
    assert callee_server.context.trace_id == caller_server.context.trace_id
    assert callee_server.parent is not None
    assert callee_server.parent.span_id == call.context.span_id
    assert call.attributes is not None and call.attributes["http.response.status_code"] == 200


async def test_log_lines_written_inside_a_traced_request_carry_its_trace_id(
    open_service: OpenService,
) -> None:
    exporter = InMemorySpanExporter()
    seen: list[MutableMapping[str, Any]] = []
    async with open_service("directory") as svc:
        install_tracing(svc.app, service="directory", exporter=exporter)

        @svc.app.get("/log-probe")
        async def probe() -> dict[str, bool]:
            seen.append(add_trace_ids(None, "info", {"event": "probe"}))
            return {"ok": True}

        async with svc.client() as client:
            await client.get("/log-probe")
    (server,) = by_kind(exporter.get_finished_spans(), SpanKind.SERVER)
    assert seen[0]["trace_id"] == format(server.context.trace_id, "032x")
    assert add_trace_ids(None, "info", {"event": "outside"}) == {"event": "outside"}
