"""How the engine talks to subgraphs: one request in, one GraphQL response body out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.request import getproxies

import httpx

from gateway import fast_json
from gateway.execution.http1 import Http1Client, Http1Error
from shared.tracing import active_tracer


@dataclass(frozen=True, slots=True)
class SubgraphRequest:
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    replayable: bool = True
    """Safe to send again when a kept-alive connection turns out closed (not a mutation)."""

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query}
        if self.variables:
            body["variables"] = self.variables
        if self.operation_name:
            body["operationName"] = self.operation_name
        return body


class SubgraphFetchError(Exception):
    """The subgraph gave no GraphQL response: timeout, no connection, non-2xx or non-JSON."""

    def __init__(self, subgraph: str, reason: str) -> None:
        super().__init__(f"{subgraph}: {reason}")
        self.subgraph = subgraph
        self.reason = reason


class SubgraphTransport(Protocol):
    async def fetch(
        self, subgraph: str, request: SubgraphRequest, *, headers: Mapping[str, str]
    ) -> dict[str, Any]: ...


FetchObserver = Callable[[str, float, bool], None]
"""Called after every subgraph request with (subgraph, seconds, ok)."""

_JSON_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


class HttpSubgraphTransport:
    """GraphQL over HTTP POST with one pooled client per subgraph.

    Subgraphs named in `direct` with an `http://` URL are called through the lean HTTP/1.1
    client while no trace is being recorded (a traced call goes through httpx, which makes
    the client span); the others always through their httpx client.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        timeout: float = 10.0,
        clients: Mapping[str, httpx.AsyncClient] | None = None,
        on_fetch: FetchObserver | None = None,
        direct: Collection[str] = (),
        http1: Http1Client | None = None,
    ) -> None:
        self.urls = dict(urls)
        self.timeout = timeout
        self.on_fetch = on_fetch
        self._owns_http1 = http1 is None
        self._http1 = http1 or Http1Client()
        self.direct = frozenset(
            name
            for name in direct
            if name in self.urls and Http1Client.supports(self.urls[name]) and not getproxies()
        )
        self._owned: list[httpx.AsyncClient] = []
        self._clients: dict[str, httpx.AsyncClient] = dict(clients or {})
        for name in self.urls:
            if name not in self._clients:
                client = httpx.AsyncClient(
                    timeout=httpx.Timeout(timeout),
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
                )
                self._clients[name] = client
                self._owned.append(client)

    async def aclose(self) -> None:
        if self._owns_http1:
            self._http1.close()
        for client in self._owned:
            await client.aclose()
        self._owned.clear()

    async def fetch(
        self, subgraph: str, request: SubgraphRequest, *, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        client = self._clients.get(subgraph)
        url = self.urls.get(subgraph)
        if client is None or url is None:
            raise SubgraphFetchError(subgraph, "no such subgraph")
        started = time.perf_counter()
        ok = False
        try:
            if subgraph in self.direct and active_tracer.get() is None:
                body = await self._post_direct(subgraph, url, request, headers)
            else:
                body = await self._post(client, subgraph, url, request, headers)
            ok = True
            return body
        finally:
            if self.on_fetch is not None:
                self.on_fetch(subgraph, time.perf_counter() - started, ok)

    async def _post(
        self,
        client: httpx.AsyncClient,
        subgraph: str,
        url: str,
        request: SubgraphRequest,
        headers: Mapping[str, str],
    ) -> dict[str, Any]:
        content = fast_json.dumps(request.body())
        try:
            response = await client.post(
                url, content=content, headers={**headers, **_JSON_HEADERS}, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            raise SubgraphFetchError(subgraph, f"no answer within {self.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise SubgraphFetchError(subgraph, f"request failed: {exc!r}") from exc
        return _graphql_body(subgraph, response.status_code, response.content)

    async def _post_direct(
        self, subgraph: str, url: str, request: SubgraphRequest, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        content = fast_json.dumps(request.body())
        try:
            async with asyncio.timeout(self.timeout):
                status, answer = await self._http1.post(
                    url,
                    content,
                    {**headers, **_JSON_HEADERS},
                    replayable=request.replayable,
                )
        except TimeoutError as exc:
            raise SubgraphFetchError(subgraph, f"no answer within {self.timeout:g}s") from exc
        except Http1Error as exc:
            raise SubgraphFetchError(subgraph, f"request failed: {exc}") from exc
        return _graphql_body(subgraph, status, answer)


def _graphql_body(subgraph: str, status: int, content: bytes) -> dict[str, Any]:
    if not 200 <= status < 300:
        raise SubgraphFetchError(subgraph, f"HTTP {status}")
    try:
        body = fast_json.loads(content)
    except ValueError as exc:
        raise SubgraphFetchError(subgraph, "the response is not JSON") from exc
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        raise SubgraphFetchError(subgraph, "the response is not a GraphQL response")
    return body
