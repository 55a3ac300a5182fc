"""`/v1/...`: every method, routed by the services' OpenAPI documents, proxied as a stream."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.rest_proxy import no_route, proxy_request, raw_path, several_services
from gateway.rest_routes import SERVICE_PREFIX
from gateway.sources import ServiceSource
from shared.metrics import ROUTE_TEMPLATE_KEY
from shared.problems import NotFound

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _service(request: Request, name: str) -> ServiceSource:
    source: ServiceSource | None = request.app.state.gateway.sources.service(name)
    if source is None:
        raise NotFound(f"No service is named {name!r}.")
    return source


async def _proxy(request: Request, service: ServiceSource, path: str, template: str) -> Response:
    runtime = request.app.state.gateway
    request.scope[ROUTE_TEMPLATE_KEY] = template
    return await proxy_request(
        request,
        service=service.name,
        base_url=service.base_url,
        path=path,
        client=runtime.clients[service.name],
        timeout_s=runtime.settings.rest_timeout_s,
    )


def rest_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/v1/{path:path}", methods=_METHODS, include_in_schema=False)
    async def by_path(request: Request) -> Response:
        routes = request.app.state.gateway.routes
        match = routes.table.match(request.method, request.url.path)
        if match is None:
            raise no_route(request.url.path, documents_read=bool(routes.documents()))
        if match.service is None:
            query = request.scope.get("query_string", b"").decode("latin-1")
            target = raw_path(request) + (f"?{query}" if query else "")
            raise several_services(target, match.services)
        return await _proxy(
            request, _service(request, match.service), raw_path(request), match.template
        )

    @router.api_route(
        SERVICE_PREFIX + "{name}/v1/{path:path}", methods=_METHODS, include_in_schema=False
    )
    async def by_service(request: Request, name: str) -> Response:
        service = _service(request, name)
        path = raw_path(request).removeprefix(f"{SERVICE_PREFIX}{name}")
        match = request.app.state.gateway.routes.table.match(
            request.method, request.url.path.removeprefix(f"{SERVICE_PREFIX}{name}"), service=name
        )
        template = f"{SERVICE_PREFIX}{name}{match.template if match else '/v1/<undocumented>'}"
        return await _proxy(request, service, path, template)

    return router
