"""The frame every service's FastAPI app is built in: problems, request ids, health, explorer.

A service calls `build_service_app` from its own `create_app` and adds its routers; everything
that must be identical across services (the contract in DESIGN.md) lives here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.api_models import UNSTORABLE, is_storable
from shared.auth import TokenVerifier
from shared.db import Database, EngineDatabase, create_engine
from shared.explorer import mount_graphiql_assets, mount_openapi_explorer
from shared.logging import RequestContextMiddleware, configure_logging
from shared.metrics import install_metrics, metrics_in_context, metrics_of
from shared.problems import (
    PROBLEM_JSON,
    InvalidInput,
    ServiceUnavailable,
    install_problem_handlers,
)
from shared.settings import BaseServiceSettings
from shared.tracing import install_tracing, instrument_engine, shutdown_tracing

ServiceLifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

_DOCUMENTED_PROBLEMS = (400, 401, 403, 404, 409, 412, 422, 428, 503)


@asynccontextmanager
async def _no_extra_lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


def expected_heads(migrations_dir: Path) -> set[str]:
    return set(_scripts(migrations_dir).get_heads())


def known_revisions(migrations_dir: Path) -> set[str]:
    return {script.revision for script in _scripts(migrations_dir).walk_revisions()}


def _scripts(migrations_dir: Path) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config)


def attach_runtime(app: FastAPI, *, db: Database, verifier: TokenVerifier) -> None:
    """What handlers find on `app.state`; tests call this with a transactional database."""
    app.state.db = db
    app.state.token_verifier = verifier


def build_service_app(
    *,
    name: str,
    title: str,
    description: str,
    version: str,
    settings: BaseServiceSettings,
    migrations_dir: Path,
    lifespan: ServiceLifespan = _no_extra_lifespan,
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def app_lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(fmt=settings.log_format, level=settings.log_level)
        engine = create_engine(settings)
        instrument_engine(engine)
        attach_runtime(app, db=EngineDatabase(engine), verifier=TokenVerifier(settings))
        try:
            # Tasks the service starts here (its background loops) inherit the instruments.
            with metrics_in_context(metrics_of(app)):
                async with lifespan(app):
                    yield
        finally:
            await engine.dispose()
            shutdown_tracing(app)

    app = FastAPI(
        dependencies=[Depends(_reject_unstorable_query)],
        title=title,
        description=description,
        version=version,
        lifespan=app_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=openapi_tags,
    )
    app.state.settings = settings
    app.state.service_name = name
    app.state.migration_heads = expected_heads(migrations_dir)
    app.state.migration_revisions = known_revisions(migrations_dir)
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=name)
    install_metrics(app, service=name)
    # Outermost, so the request's log line is written inside its span and carries its trace id.
    install_tracing(app, service=name)
    app.include_router(_health_router())
    _install_openapi(app)
    mount_openapi_explorer(app, title=title)
    mount_graphiql_assets(app)
    return app


async def _reject_unstorable_query(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if not (is_storable(name) and is_storable(value)):
            raise InvalidInput(
                f"query.{name}: {UNSTORABLE}",
                errors=[{"field": f"query.{name}", "message": UNSTORABLE}],
            )


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="The database is reachable and its schema is at the migrations' head",
        responses={503: {"content": {PROBLEM_JSON: {}}, "description": "Not ready"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        expected: set[str] = request.app.state.migration_heads
        try:
            async with request.app.state.db.reader() as session:
                rows = await session.execute(text("SELECT version_num FROM alembic_version"))
                current = {row[0] for row in rows}
        except Exception as exc:
            raise ServiceUnavailable("The database is unreachable.") from exc
        known: set[str] = getattr(request.app.state, "migration_revisions", expected)
        if current and not current & known:
            # A newer release has migrated already (a rolling upgrade): this release keeps
            # serving until it is replaced, as migrations stay compatible with the one before.
            return JSONResponse(
                {"status": "ready", "migration": sorted(current), "schema": "ahead"}
            )
        if current != expected:
            raise ServiceUnavailable(
                "The database schema is not at the migrations' head; run the migrations.",
                current=sorted(current),
                expected=sorted(expected),
            )
        return JSONResponse({"status": "ready", "migration": sorted(current)})

    return router


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": ["string", "null"]},
                },
            },
        },
    },
    "additionalProperties": True,
}


def _install_openapi(app: FastAPI) -> None:
    """Document problem+json on every operation instead of FastAPI's default 422 shape."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = _PROBLEM_SCHEMA
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in _DOCUMENTED_PROBLEMS:
                    entry = responses.setdefault(str(status), {"description": "Problem"})
                    entry["content"] = problem
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
