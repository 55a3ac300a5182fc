"""The two gateways behind one interface: send an operation, get the response body.

Apollo's gateway is always reached over HTTP. Ours runs as `gateway.main:create_app` under
uvicorn when that module exists, else as `gateway.execution.Engine` in this process over its
`HttpSubgraphTransport` (the engine without the HTTP edge).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from tests.gateway.live_stack import (
    HOST,
    UVICORN_OPTIONS,
    LiveProcess,
    LiveStack,
    answers_graphql,
    free_port,
    subgraph_definitions,
)

REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Request:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    headers: dict[str, str]


class Gateway(Protocol):
    name: str

    async def send(self, request: Request) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


class HttpGateway:
    """A gateway's `/graphql` over HTTP; a body that is not JSON is kept as text."""

    def __init__(self, name: str, base_url: str, *, connections: int = 16) -> None:
        self.name = name
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=REQUEST_TIMEOUT_S, limits=limits
        )

    async def send(self, request: Request) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": request.query}
        if request.variables is not None:
            payload["variables"] = request.variables
        if request.operation_name is not None:
            payload["operationName"] = request.operation_name
        response = await self._client.post(
            "/graphql",
            json=payload,
            headers={"Accept": "application/json", **request.headers},
        )
        try:
            body = response.json()
        except json.JSONDecodeError:
            return {"non_json_response": f"{response.status_code} {response.text[:500]}"}
        if not isinstance(body, dict):
            return {"non_json_response": f"{response.status_code} {response.text[:500]}"}
        return body

    async def aclose(self) -> None:
        await self._client.aclose()


class EngineGateway:
    """Our engine in this process, forwarding the same headers the HTTP edge would."""

    def __init__(self, name: str, supergraph_sdl: str) -> None:
        from gateway.execution import Engine, GraphQLRequest, HttpSubgraphTransport
        from gateway.supergraph import Supergraph

        self.name = name
        supergraph = Supergraph.from_sdl(supergraph_sdl)
        self._engine = Engine(supergraph)
        self._transport = HttpSubgraphTransport(supergraph.subgraph_urls)
        self._request_type = GraphQLRequest

    async def send(self, request: Request) -> dict[str, Any]:
        from gateway.execution import GraphQLRequestError

        graphql_request = self._request_type(
            query=request.query,
            variables=request.variables,
            operation_name=request.operation_name,
        )
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            body: dict[str, Any] = await self._engine.execute(
                graphql_request, transport=self._transport, headers=headers
            )
        except GraphQLRequestError as exc:
            return {"errors": list(exc.errors)}
        return body

    async def aclose(self) -> None:
        await self._transport.aclose()


def has_http_edge() -> bool:
    return importlib.util.find_spec("gateway.main") is not None


def our_gateway_process(stack: LiveStack, *, own_composition: bool) -> LiveProcess:
    """`gateway.main:create_app` on the stack's services, on Apollo's supergraph unless
    `own_composition`, in which case it composes the services' SDLs itself."""
    port = free_port()
    name = "our-gateway-own-composition" if own_composition else "our-gateway"
    env = {
        "GATEWAY_SERVICE_URLS": json.dumps({n: p.base_url for n, p in stack.services.items()}),
        "GATEWAY_JWKS_FILE": str(stack.issuer.jwks_path),
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_LOG_FORMAT": "console",
        "GATEWAY_LOG_LEVEL": "WARNING",
        # The comparison sends hundreds of requests a second from one client.
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "10000000",
        "GATEWAY_RATE_LIMIT_BURST": "10000000",
    }
    if not own_composition:
        env["GATEWAY_SUPERGRAPH_FILE"] = str(stack.supergraph_path)
    command = [
        sys.executable, "-m", "uvicorn", "gateway.main:create_app", "--factory",
        "--host", HOST, "--port", str(port), *UVICORN_OPTIONS,
    ]  # fmt: skip
    return LiveProcess(
        name=name,
        port=port,
        command=command,
        env=env,
        log_path=Path(stack.workdir) / f"{name}.log",
        ready_path="/graphql",
    )


async def start_our_gateway(stack: LiveStack, *, own_composition: bool) -> Gateway:
    """Ours, as a process when the HTTP edge exists, else the engine in this process."""
    if has_http_edge():
        process = our_gateway_process(stack, own_composition=own_composition)
        process.start()
        stack.extra.append(process)
        await process.wait_ready(answers_graphql)
        return HttpGateway(process.name, process.base_url)
    if own_composition:
        from gateway.composition import SubgraphDefinition, compose

        supergraph = compose(
            [
                SubgraphDefinition(name=s["name"], url=s["url"], sdl=s["sdl"])
                for s in subgraph_definitions(stack)
            ]
        )
        return EngineGateway("our-engine-own-composition", supergraph)
    return EngineGateway("our-engine", stack.supergraph_sdl)
