"""The gateway's HTTP edge: combined API docs, CORS, rate limits, timeouts, metrics."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx

from gateway.sources import Sources
from shared.testing import ServiceHarness
from tests.gateway.edge.conftest import OpenGateway


async def test_the_combined_openapi_document_lists_every_services_paths_under_their_owner(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    async with open_gateway() as gateway, gateway.client() as client:
        docs = await client.get("/docs")
        document = (await client.get("/openapi.json")).json()
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text and "/docs/assets/swagger-ui-bundle.js" in docs.text
    owns = {}
    for name, svc in stack.items():
        async with svc.client() as direct:
            owns[name] = (await direct.get("/openapi.json")).json()["paths"]
    for name, own in owns.items():
        for template, operations in own.items():
            if not template.startswith("/v1/"):
                continue
            # A path several services have is listed under each one's own prefix.
            shared = sum(template in paths for paths in owns.values()) > 1
            merged = document["paths"][f"/services/{name}{template}" if shared else template]
            for method in operations:
                assert merged[method]["x-pdnet-service"] == name, (method, template)
    for collection in ("/v1/centres", "/v1/events", "/v1/kits"):
        assert collection in document["paths"]
    # Every reference in the merged document resolves inside it.
    refs = _refs(document)
    assert refs
    for ref in refs:
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in document["components"][kind], ref


def _refs(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


async def test_browsers_from_allowed_origins_may_call_and_others_may_not(
    open_gateway: OpenGateway,
) -> None:
    portal = "https://portal.luma.fi"
    async with open_gateway(cors_origins=[portal]) as gateway, gateway.client() as client:
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": portal,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        stranger = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        simple = await client.get("/v1/centres", headers={"Origin": portal})
        foreign = await client.get("/v1/centres", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == portal
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in stranger.headers
    assert simple.headers["access-control-allow-origin"] == portal
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in foreign.headers


async def test_a_client_over_its_rate_is_told_429_with_retry_after_and_others_are_not(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(rate_limit_burst=3, rate_limit_per_minute=6) as gateway:
        anonymous = gateway.client()
        teacher = gateway.client(gateway.token("teacher", subject="teacher-1"))
        forged = gateway.client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmcmVzaCJ9.c2lnbmF0dXJl")
        allowed = [(await anonymous.get("/v1/centres")).status_code for _ in range(3)]
        limited = await anonymous.get("/v1/centres")
        # A token that does not verify buys no fresh bucket: it counts as the same address.
        forged_answer = await forged.get("/v1/centres")
        by_token = await teacher.get("/v1/centres")
        graphql = await anonymous.post("/graphql", json={"query": "{ __typename }"})
    assert allowed == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["title"] == "Too many requests"
    # 6 a minute: one request's worth comes back after 10 s.
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    assert forged_answer.status_code == 429
    assert by_token.status_code == 200
    assert graphql.status_code == 429


@asynccontextmanager
async def _silent_server() -> AsyncIterator[int]:
    """A loopback server that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_service_that_does_not_answer_in_time_is_a_504_problem(
    open_gateway: OpenGateway,
) -> None:
    async with _silent_server() as port, open_gateway(rest_timeout_s=0.3) as gateway:
        gateway.runtime.clients["resources"] = httpx.AsyncClient()
        gateway.runtime.sources = _with_base(gateway.runtime.sources, "resources", port)
        async with gateway.client() as client:
            response = await client.get("/v1/kits")
        await gateway.runtime.clients["resources"].aclose()
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    assert "resources" in response.json()["detail"]


def _with_base(sources: Sources, name: str, port: int) -> Sources:
    services = tuple(
        replace(s, base_url=f"http://127.0.0.1:{port}") if s.name == name else s
        for s in sources.services
    )
    return replace(sources, services=services)


async def test_metrics_count_requests_by_route_template(open_gateway: OpenGateway) -> None:
    async with open_gateway() as gateway, gateway.client() as client:
        await client.get("/v1/centres")
        await client.get("/v1/centres/0b7d4a52-2b8f-4d6e-9d41-5c2a7f0e9a11")
        metrics = (await client.get("/metrics")).text
    counted = {
        (labels["route"], labels["status"])
        for line in metrics.splitlines()
        if line.startswith("pdnet_http_requests_total{")
        for labels in [dict(re.findall(r'(\w+)="([^"]*)"', line))]
    }
    assert ("/v1/centres", "200") in counted
    assert ("/v1/centres/{centre_id}", "404") in counted


async def test_a_gateway_told_to_keep_addresses_private_publishes_no_supergraph_or_url(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(expose_supergraph=False) as gateway, gateway.client() as client:
        sdl = await client.get("/supergraph.graphql")
        status = await client.get("/supergraph")
        ready = await client.get("/readyz")
    assert sdl.status_code == 404 and status.status_code == 404
    assert sdl.headers["content-type"] == "application/problem+json"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    assert {s["name"] for s in ready.json()["subgraphs"]} >= {"directory", "events"}
    assert "http://" not in ready.text
