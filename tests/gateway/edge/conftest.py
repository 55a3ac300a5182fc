"""Fixtures: every service of the stack in-process on the test database, and gateways over them.

The gateway reaches each service through an ASGI client, so REST, OpenAPI documents and
subgraph SDLs all come from the real apps; nothing is replayed or faked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.main import GatewayRuntime, create_app
from gateway.settings import GatewaySettings
from shared.dev_issuer import DevIssuer
from shared.stack import load_stack
from shared.testing import OpenService, ServiceHarness


@dataclass
class GatewayHarness:
    app: FastAPI
    issuer: DevIssuer
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def runtime(self) -> GatewayRuntime:
        runtime: GatewayRuntime = self.app.state.gateway
        return runtime

    def client(self, token: str | None = None, **headers: str) -> httpx.AsyncClient:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
            base_url="http://gateway.test",
            headers=headers,
        )
        self._clients.append(client)
        return client

    def token(self, *roles: str, **claims: Any) -> str:
        return self.issuer.mint(roles=roles, **claims)


def asgi_client(app: FastAPI, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url=f"http://{name}.test",
    )


@pytest.fixture
async def stack(
    open_service: OpenService, pdnet_root: Path
) -> AsyncIterator[dict[str, ServiceHarness]]:
    """Every service in `services.toml`, each asking the ones opened before it (the directory
    comes first: the others check centres with it)."""
    names = [spec.name for spec in load_stack(pdnet_root)]
    names.sort(key=lambda name: name != "directory")
    opened: dict[str, ServiceHarness] = {}
    async with AsyncExitStack() as exits:
        for name in names:
            peers: dict[str, FastAPI | str] | None = None
            if name != "directory":
                peers = {other: harness.app for other, harness in opened.items()}
            opened[name] = await exits.enter_async_context(open_service(name, peers=peers))
        yield opened


OpenGateway = Callable[..., AbstractAsyncContextManager[GatewayHarness]]


@pytest.fixture
def open_gateway(
    stack: dict[str, ServiceHarness], dev_issuer: DevIssuer, pdnet_root: Path
) -> OpenGateway:
    """`async with open_gateway(max_depth=5) as gw:` — a gateway over the stack, refreshed once.

    Keyword arguments are settings; `clients` adds or replaces clients by subgraph name;
    `background=True` leaves refreshing to the gateway's own loops, as in production."""

    @asynccontextmanager
    async def opener(
        *,
        clients: dict[str, httpx.AsyncClient] | None = None,
        background: bool = False,
        **overrides: Any,
    ) -> AsyncIterator[GatewayHarness]:
        all_clients = {name: asgi_client(svc.app, name) for name, svc in stack.items()}
        all_clients.update(clients or {})
        values: dict[str, Any] = {
            "service_urls": {name: f"http://{name}.test" for name in stack},
            "jwks_file": dev_issuer.jwks_path,
            "environment": "test",
            "log_format": "console",
            "log_level": "WARNING",
        }
        values.update(overrides)
        settings = GatewaySettings(**values)
        app = create_app(settings, clients=all_clients, root=pdnet_root, background=background)
        harness = GatewayHarness(app, dev_issuer)
        try:
            async with app.router.lifespan_context(app):
                if not background:
                    await harness.runtime.refresh()
                yield harness
        finally:
            for client in [*harness._clients, *all_clients.values()]:
                await client.aclose()

    return opener
