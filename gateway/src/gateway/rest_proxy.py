"""`/v1/...` passed through to the owning service: request and response streamed, not buffered."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
import structlog
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.problems import NotFound, Problem, ServiceUnavailable, problem_type

log = structlog.get_logger("pdnet.gateway.rest")

# RFC 9110 §7.6.1 plus the ones older proxies still send; each hop sets its own.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class BadGateway(Problem):
    type = problem_type("bad-gateway")
    title = "Bad gateway"
    status = 502


class GatewayTimeout(Problem):
    type = problem_type("gateway-timeout")
    title = "Gateway timeout"
    status = 504


def end_to_end(
    headers: Iterable[tuple[str, str]], *, drop: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Headers without hop-by-hop ones, including any the Connection header names."""
    pairs = list(headers)
    named = {
        token.strip().lower()
        for name, value in pairs
        if name.lower() == "connection"
        for token in value.split(",")
    }
    dropped = HOP_BY_HOP | named | {d.lower() for d in drop}
    return [(name, value) for name, value in pairs if name.lower() not in dropped]


def _forwarded(request: Request) -> list[tuple[str, str]]:
    client = request.client.host if request.client else None
    prior = request.headers.get("x-forwarded-for")
    extra = []
    if client:
        extra.append(("x-forwarded-for", f"{prior}, {client}" if prior else client))
    extra.append(("x-forwarded-proto", request.url.scheme))
    extra.append(("x-forwarded-host", request.headers.get("host", "")))
    return extra


def raw_path(request: Request) -> str:
    """The path as the client sent it, percent-encoding kept."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return raw.decode("latin-1")


async def proxy_request(
    request: Request,
    *,
    service: str,
    base_url: str,
    path: str,
    client: httpx.AsyncClient,
    timeout_s: float,
) -> Response:
    target = base_url + path
    query = request.scope.get("query_string", b"")
    if query:
        target += "?" + query.decode("latin-1")
    headers = end_to_end(
        request.headers.items(),
        drop=("host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"),
    )
    headers += _forwarded(request)
    request_id = current_request_id()
    if request_id:
        headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
        headers.append((REQUEST_ID_HEADER, request_id))
    has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
    upstream_request = client.build_request(
        request.method,
        target,
        headers=headers,
        content=request.stream() if has_body else None,
        timeout=timeout_s,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as exc:
        log.warning("service timed out", service=service, path=request.url.path)
        raise GatewayTimeout(
            f"The {service} service did not answer within {timeout_s:g} s.", service=service
        ) from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
        log.warning("service unreachable", service=service, error=type(exc).__name__)
        raise ServiceUnavailable(
            f"The {service} service is unavailable; retry shortly.", service=service
        ) from exc
    except httpx.HTTPError as exc:
        log.warning("service call failed", service=service, error=type(exc).__name__)
        raise BadGateway(f"The call to the {service} service failed.", service=service) from exc
    response_headers = end_to_end(upstream.headers.multi_items(), drop=("x-request-id",))
    response = StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        background=BackgroundTask(upstream.aclose),
    )
    # Starlette set a content-type default; the service's own headers replace every default.
    response.raw_headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response_headers
    ]
    return response


class AmbiguousPath(Problem):
    type = problem_type("ambiguous-path")
    title = "Several services serve this path"
    status = 300


def several_services(path: str, services: tuple[str, ...]) -> AmbiguousPath:
    alternatives = [f"/services/{service}{path}" for service in services]
    return AmbiguousPath(
        f"Each of {', '.join(services)} serves {path}; name one: {', '.join(alternatives)}.",
        headers={"Link": ", ".join(f'<{a}>; rel="alternate"' for a in alternatives)},
        alternatives=alternatives,
    )


def no_route(path: str, *, documents_read: bool) -> Problem:
    if not documents_read:
        return ServiceUnavailable(
            "The gateway has not yet read the services' API documents; retry shortly."
        )
    return NotFound(f"No service serves {path}.")
