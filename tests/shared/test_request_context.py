"""Request ids: accepted or made at the edge, echoed back, forwarded on outgoing calls."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.http_clients import create_http_client
from shared.logging import RequestContextMiddleware
from shared.testing import ServiceHarness


async def test_a_request_id_is_echoed_or_generated(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        given = await client.get("/healthz", headers={"X-Request-ID": "portal-42"})
        made = await client.get("/healthz")
        hostile = await client.get("/healthz", headers={"X-Request-ID": "a b;" * 80})
    assert given.headers["x-request-id"] == "portal-42"
    assert len(made.headers["x-request-id"]) == 32
    assert hostile.headers["x-request-id"] != "a b;" * 80


async def test_the_request_id_is_forwarded_on_calls_to_other_services() -> None:
    seen: list[str | None] = []

    def downstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-request-id"))
        return httpx.Response(204)

    outgoing = create_http_client("http://other.test", transport=httpx.MockTransport(downstream))
    app = FastAPI()

    @app.get("/call")
    async def call() -> dict[str, bool]:
        await outgoing.get("/anything")
        return {"ok": True}

    edge = RequestContextMiddleware(app, service="test")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=edge), base_url="http://edge.test"
    ) as client:
        await client.get("/call", headers={"X-Request-ID": "trace-me"})
    await outgoing.aclose()
    assert seen == ["trace-me"]
