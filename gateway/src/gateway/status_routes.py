"""Health, readiness and the supergraph: what operators and other gateways read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from shared.problems import PROBLEM_JSON, ServiceUnavailable


def _runtime(request: Request) -> Any:
    return request.app.state.gateway


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
        runtime = _runtime(request)
        status = runtime.registry.status()
        rest = [state.to_dict() for state in runtime.routes.states.values()]
        if not runtime.registry.ready:
            raise ServiceUnavailable(
                "No supergraph is loaded yet.",
                retry_after_s=2,
                issues=status["issues"],
                subgraphs=status["subgraphs"],
                rest=rest,
            )
        return JSONResponse({**status, "rest": rest})

    @router.get("/supergraph", summary="The served supergraph and each subgraph's last refresh")
    async def supergraph_status(request: Request) -> JSONResponse:
        return JSONResponse(_runtime(request).registry.status())

    @router.get(
        "/supergraph.graphql",
        summary="The served supergraph SDL (Apollo format), for Apollo Router or Hive Gateway",
        response_class=PlainTextResponse,
        responses={503: {"content": {PROBLEM_JSON: {}}, "description": "None loaded yet"}},
    )
    async def supergraph_sdl(request: Request) -> PlainTextResponse:
        loaded = _runtime(request).registry.current
        if loaded is None:
            raise ServiceUnavailable("No supergraph is loaded yet.", retry_after_s=2)
        return PlainTextResponse(loaded.sdl, headers={"ETag": f'"{loaded.sha256[:32]}"'})

    return router
