"""Health, readiness and the supergraph: what operators and other gateways read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from shared.problems import PROBLEM_JSON, NotFound, ServiceUnavailable


def _runtime(request: Request) -> Any:
    return request.app.state.gateway


def _without_addresses(node: Any) -> Any:
    """The status with every URL left out, for gateways whose subgraph addresses are private."""
    if isinstance(node, dict):
        return {
            k: _without_addresses(v) for k, v in node.items() if k not in ("url", "openapi_url")
        }
    if isinstance(node, list):
        return [_without_addresses(item) for item in node]
    return node


def _status(request: Request) -> dict[str, Any]:
    runtime = _runtime(request)
    status: dict[str, Any] = {
        **runtime.registry.status(),
        "rest": [state.to_dict() for state in runtime.routes.states.values()],
    }
    if not runtime.settings.expose_supergraph:
        status = _without_addresses(status)
    return status


def _exposed(request: Request) -> None:
    if not _runtime(request).settings.expose_supergraph:
        raise NotFound("This gateway does not publish its supergraph.")


def status_router() -> APIRouter:
    router = APIRouter(tags=["gateway"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="A supergraph is loaded; the state of every subgraph's last refresh",
        responses={503: {"content": {PROBLEM_JSON: {}}, "description": "Not ready"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        status = _status(request)
        if not _runtime(request).registry.ready:
            raise ServiceUnavailable(
                "No supergraph is loaded yet.",
                retry_after_s=2,
                issues=status["issues"],
                subgraphs=status["subgraphs"],
                rest=status["rest"],
            )
        return JSONResponse(status)

    @router.get("/supergraph", summary="The served supergraph and each subgraph's last refresh")
    async def supergraph_status(request: Request) -> JSONResponse:
        _exposed(request)
        return JSONResponse(_status(request))

    @router.get(
        "/supergraph.graphql",
        summary="The served supergraph SDL (Apollo format), for Apollo Router or Hive Gateway",
        response_class=PlainTextResponse,
        responses={503: {"content": {PROBLEM_JSON: {}}, "description": "None loaded yet"}},
    )
    async def supergraph_sdl(request: Request) -> PlainTextResponse:
        _exposed(request)
        loaded = _runtime(request).registry.current
        if loaded is None:
            raise ServiceUnavailable("No supergraph is loaded yet.", retry_after_s=2)
        return PlainTextResponse(loaded.sdl, headers={"ETag": f'"{loaded.sha256[:32]}"'})

    return router
