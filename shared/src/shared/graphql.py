"""GraphQL plumbing shared by every subgraph: context, router, limits, offline GraphiQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, QueryDepthLimiter
from strawberry.fastapi import BaseContext, GraphQLRouter
from strawberry.federation import Schema

from shared.auth import Principal, optional_principal
from shared.db import Database
from shared.explorer import graphiql_html
from shared.language_maps import parse_accept_language
from shared.problems import Problem, is_connection_failure

MAX_QUERY_DEPTH = 12


class GraphQLContext(BaseContext):
    """What resolvers see as `info.context`: the caller, the database, per-request loaders."""

    def __init__(
        self, *, db: Database, principal: Principal | None, loaders: Any, languages: list[str]
    ) -> None:
        super().__init__()
        self.db = db
        self.principal = principal
        self.loaders = loaders
        self.languages = languages
        """The caller's Accept-Language preferences, for fields without an explicit `lang`."""


def _should_mask(error: GraphQLError) -> bool:
    """Mask unexpected exceptions only; problems, permission and query errors keep their text."""
    original = error.original_error
    if original is None:
        return False  # raised by GraphQL itself: syntax, validation, permissions
    return not isinstance(original, Problem | GraphQLError)


DATABASE_DOWN_RETRY_S = 5


class _MaskUnexpectedErrors(MaskErrors):
    """Unexpected errors lose their text; a database that is down says so and when to retry,
    as REST's 503 problem does (`extensions.code` and `extensions.retryAfter` in seconds)."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and is_connection_failure(original):
            return GraphQLError(
                "The database is unreachable; retry shortly.",
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "SERVICE_UNAVAILABLE", "retryAfter": DATABASE_DOWN_RETRY_S},
            )
        return super().anonymise_error(error)


def federation_schema(**kwargs: Any) -> Schema:
    return Schema(
        extensions=[
            lambda: _MaskUnexpectedErrors(should_mask_error=_should_mask),
            lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        ],
        **kwargs,
    )


def graphql_router(
    schema: Schema, make_loaders: Callable[[Database, Principal | None], Any]
) -> GraphQLRouter[GraphQLContext, None]:
    async def context_getter(
        request: Request,
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> GraphQLContext:
        db: Database = request.app.state.db
        return GraphQLContext(
            db=db,
            principal=principal,
            loaders=make_loaders(db, principal),
            languages=parse_accept_language(request.headers.get("accept-language")),
        )

    getter: Callable[..., Awaitable[GraphQLContext]] = context_getter
    return OfflineGraphQLRouter(schema, context_getter=getter, graphql_ide="graphiql")


class OfflineGraphQLRouter(GraphQLRouter[GraphQLContext, None]):
    """Serves GraphiQL from the service's own assets, so it works with no internet."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        endpoint = request.scope.get("root_path", "") + request.url.path
        return HTMLResponse(graphiql_html(endpoint=endpoint, title="pdnet GraphQL"))
