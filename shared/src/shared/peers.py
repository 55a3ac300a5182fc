"""Clients for the other services a service calls: one pooled httpx client per peer.

Created in the lifespan from settings (a URL per peer). Tests route a peer to another app
in the same process, or to a closed port to see how the service behaves when it is down.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from fastapi import FastAPI

from shared.http_clients import create_http_client


class Peers:
    def __init__(self, urls: Mapping[str, str]) -> None:
        self._clients = {name: create_http_client(url) for name, url in urls.items()}
        self._pending_close: list[httpx.AsyncClient] = []

    def __getitem__(self, name: str) -> httpx.AsyncClient:
        return self._clients[name]

    def _replace(self, name: str, client: httpx.AsyncClient) -> None:
        old = self._clients.get(name)
        self._clients[name] = client
        if old is not None:
            self._pending_close.append(old)

    def route_to_app(self, name: str, app: FastAPI) -> None:
        """Calls to `name` go to `app` in this process (tests)."""
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._replace(name, create_http_client(f"http://{name}.test", transport=transport))

    def route_to_url(self, name: str, url: str) -> None:
        self._replace(name, create_http_client(url))

    async def aclose(self) -> None:
        for client in [*self._clients.values(), *self._pending_close]:
            await client.aclose()
        self._pending_close.clear()
