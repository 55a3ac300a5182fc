"""HTTP clients for calls to other services: explicit timeouts, pooled, request id forwarded."""

from __future__ import annotations

import httpx

from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.tracing import traced_transport

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


async def _forward_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def create_http_client(
    base_url: str,
    *,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    limits: httpx.Limits = DEFAULT_LIMITS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One client per downstream service, created in the lifespan and closed with it."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=limits,
        # Calls join the caller's trace when tracing is on; otherwise the wrapper only passes on.
        transport=traced_transport(transport, limits=limits),
        event_hooks={"request": [_forward_request_id]},
    )
