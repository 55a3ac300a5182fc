"""The two gateways behind one interface: send an operation, get the response body. Both are
reached over HTTP: Apollo's as a Node process, ours as `gateway.main:create_app` under uvicorn.
"""

from __future__ import annotations

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
    """Ours as a uvicorn process, like Apollo's gateway is a Node process."""
    process = our_gateway_process(stack, own_composition=own_composition)
    process.start()
    stack.extra.append(process)
    await process.wait_ready(answers_graphql)
    return HttpGateway(process.name, process.base_url)
