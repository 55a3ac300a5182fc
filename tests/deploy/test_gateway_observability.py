"""The gateway observed: one query is one trace down to the SQL; `/metrics` counts its fetches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.main import create_app
from gateway.settings import GatewaySettings
from shared.dev_issuer import DevIssuer
from shared.http_clients import create_http_client
from shared.stack import load_stack
from shared.testing import OpenService, ServiceHarness
from shared.tracing import install_tracing
from tests.directory.builders import a_centre
from tests.shared.prometheus_text import parse_metrics, sample

QUERY = "{ centres(first: 5) { nodes { id name events(first: 2) { nodes { id } } } } }"


@pytest.fixture
async def traced_stack(
    open_service: OpenService, pdnet_root: Path
) -> AsyncIterator[tuple[dict[str, ServiceHarness], InMemorySpanExporter]]:
    """Every service, committing (so each uses its own instrumented engine), traced to memory."""
    exporter = InMemorySpanExporter()
    names = sorted((spec.name for spec in load_stack(pdnet_root)), key=lambda n: n != "directory")
    opened: dict[str, ServiceHarness] = {}
    async with AsyncExitStack() as exits:
        for name in names:
            peers: dict[str, FastAPI | str] = {n: svc.app for n, svc in opened.items()}
            opened[name] = await exits.enter_async_context(
                open_service(name, isolated=False, peers=peers or None)
            )
            install_tracing(opened[name].app, service=name, exporter=exporter)
        yield opened, exporter


def spans_of(spans: tuple[ReadableSpan, ...], service: str, kind: SpanKind) -> list[ReadableSpan]:
    return [
        span
        for span in spans
        if span.kind == kind and span.resource.attributes["service.name"] == service
    ]


@pytest.fixture
async def traced_gateway(
    traced_stack: tuple[dict[str, ServiceHarness], InMemorySpanExporter],
    dev_issuer: DevIssuer,
    pdnet_root: Path,
) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter]]:
    """A gateway over the traced stack, with a centre to find; spans so far are cleared."""
    stack, exporter = traced_stack
    await a_centre(stack["directory"])
    clients = {
        name: create_http_client(f"http://{name}.test", transport=httpx.ASGITransport(app=svc.app))
        for name, svc in stack.items()
    }
    settings = GatewaySettings(
        service_urls={name: f"http://{name}.test" for name in stack},
        jwks_file=dev_issuer.jwks_path,
        environment="test",
        log_format="console",
        log_level="WARNING",
    )
    gateway = create_app(settings, clients=clients, root=pdnet_root, background=False)
    install_tracing(gateway, service="gateway", exporter=exporter)
    try:
        async with gateway.router.lifespan_context(gateway):
            await gateway.state.gateway.refresh()
            exporter.clear()
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway), base_url="http://gateway.test"
            ) as client:
                yield client, exporter
    finally:
        for outgoing in clients.values():
            await outgoing.aclose()


async def test_a_gateway_query_is_one_trace_through_each_subgraph_down_to_its_sql(
    traced_gateway: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced_gateway
    response = await client.post("/graphql", json={"query": QUERY})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["centres"]["nodes"], "the query reached both subgraphs"

    spans = exporter.get_finished_spans()
    (edge,) = spans_of(spans, "gateway", SpanKind.SERVER)
    assert edge.name == "POST /graphql"
    assert {span.context.trace_id for span in spans} == {edge.context.trace_id}

    fetches = {
        span.attributes["server.address"]: span
        for span in spans_of(spans, "gateway", SpanKind.CLIENT)
        if span.attributes is not None
    }
    assert {"directory.test", "events.test"} <= set(fetches)
    by_id = {span.context.span_id: span for span in spans}
    for service in ("directory", "events"):
        fetch = fetches[f"{service}.test"]
        assert _descends_from(fetch, edge, by_id)
        (served,) = spans_of(spans, service, SpanKind.SERVER)
        assert served.name == "POST /graphql"
        assert served.parent is not None and served.parent.span_id == fetch.context.span_id
        sql = [
            span
            for span in spans_of(spans, service, SpanKind.CLIENT)
            if span.attributes is not None and span.attributes.get("db.system.name") == "postgresql"
        ]
        assert sql, f"no SQL spans in {service}"
        assert all(_descends_from(span, served, by_id) for span in sql)


def _descends_from(
    span: ReadableSpan, ancestor: ReadableSpan, by_id: dict[int, ReadableSpan]
) -> bool:
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


async def test_gateway_metrics_count_queries_and_time_each_subgraph_fetch(
    traced_gateway: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, _ = traced_gateway
    before = parse_metrics((await client.get("/metrics")).text)
    for _ in range(2):
        assert (await client.post("/graphql", json={"query": QUERY})).status_code == 200
    after = parse_metrics((await client.get("/metrics")).text)

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    queries = {"service": "gateway", "method": "POST", "route": "/graphql", "status": "200"}
    assert moved("pdnet_http_requests_total", **queries) == 2
    fetches = "pdnet_subgraph_fetch_duration_seconds_count"
    for subgraph in ("directory", "events"):
        labels = {"service": "gateway", "subgraph": subgraph, "outcome": "ok"}
        assert moved(fetches, **labels) >= 2, subgraph
