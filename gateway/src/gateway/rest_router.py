"""`/v1/...`: every method, routed by the services' OpenAPI documents, proxied as a stream."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.rest_proxy import no_route, proxy_request

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass(frozen=True)
class ProxiedRoute:
    """Stands in for the route in the ASGI scope, so metrics label requests by template."""

    path: str


def rest_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/v1/{path:path}", methods=_METHODS, include_in_schema=False)
    async def proxy(request: Request) -> Response:
        runtime = request.app.state.gateway
        match = runtime.routes.table.match(request.method, request.url.path)
        if match is None:
            raise no_route(request.url.path, documents_read=bool(runtime.routes.documents()))
        request.scope["route"] = ProxiedRoute(match.template)
        service = next(s for s in runtime.sources.services if s.name == match.service)
        return await proxy_request(
            request,
            service=service.name,
            base_url=service.base_url,
            client=runtime.clients[service.name],
            timeout_s=runtime.settings.rest_timeout_s,
        )

    return router
