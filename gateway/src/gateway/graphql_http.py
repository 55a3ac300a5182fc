"""GraphQL over HTTP at `/graphql`: POST and GET, persisted queries, limits, GraphiQL.

Media types follow the GraphQL-over-HTTP spec: with `application/graphql-response+json` a request
that cannot run (syntax, validation, limits) is a 4xx; with `application/json` it is a 200 whose
body carries the errors, as older clients expect.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse

from gateway import fast_json
from gateway.execution import GraphQLRequest, GraphQLRequestError, select_operation
from gateway.operation_limits import Limits, check_limits
from gateway.persisted_queries import PersistedQueries, PersistedQueryError
from gateway.registry import SupergraphRegistry
from shared.explorer import graphiql_html
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.problems import BadRequest, Problem, ServiceUnavailable, problem_type

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
FORWARDED_HEADERS = ("authorization", "traceparent", "tracestate", "accept-language")
EXPOSE_PLAN_HEADER = "apollo-expose-query-plan"


class NotAcceptable(Problem):
    type = problem_type("not-acceptable")
    title = "Not acceptable"
    status = 406


class UnsupportedMediaType(Problem):
    type = problem_type("unsupported-media-type")
    title = "Unsupported media type"
    status = 415


class MethodNotAllowed(Problem):
    type = problem_type("method-not-allowed")
    title = "Method not allowed"
    status = 405


class RequestErrors(Exception):
    """The request cannot run; `errors` are GraphQL errors.

    A malformed request is `status` whatever the media type; an operation that cannot run
    (syntax, validation, limits) is `status` only for `application/graphql-response+json`.
    """

    def __init__(
        self, errors: list[dict[str, Any]], *, status: int = 400, malformed: bool = False
    ) -> None:
        super().__init__(errors[0]["message"] if errors else "request error")
        self.errors = errors
        self.status = status
        self.malformed = malformed

    def status_for(self, media_type: str) -> int:
        if self.malformed or media_type == GRAPHQL_RESPONSE_JSON:
            return self.status
        return 200


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _media_type(accept: str | None) -> str:
    """The response media type for an Accept header (absent means the spec's current default)."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((quality, -index, media.lower()))
    for quality, _, media in sorted(ranked, reverse=True):
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            return GRAPHQL_RESPONSE_JSON
        if media in (JSON, "application/*", "*/*"):
            return JSON
    raise NotAcceptable(
        f"/graphql answers {GRAPHQL_RESPONSE_JSON} or {JSON}; the Accept header allows neither."
    )


def _json_param(value: Any, name: str) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise RequestErrors(
                [_error(f"'{name}' is not valid JSON.", "BAD_REQUEST")], malformed=True
            ) from exc
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestErrors(
            [_error(f"'{name}' must be a JSON object.", "BAD_REQUEST")], malformed=True
        )
    return value


def _params(source: Mapping[str, Any]) -> GraphQLParams:
    query = source.get("query")
    if query is not None and not isinstance(query, str):
        raise RequestErrors([_error("'query' must be a string.", "BAD_REQUEST")], malformed=True)
    operation_name = source.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestErrors(
            [_error("'operationName' must be a string.", "BAD_REQUEST")], malformed=True
        )
    return GraphQLParams(
        query=query or None,
        variables=_json_param(source.get("variables"), "variables"),
        operation_name=operation_name or None,
        extensions=_json_param(source.get("extensions"), "extensions"),
    )


class ParsedDocuments:
    """Parsed operations by query text, so GET checks and limits do not parse a query twice."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def parse(self, query: str) -> DocumentNode:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
            return document
        try:
            document = parse(query, no_location=False)
        except GraphQLSyntaxError as exc:
            error: dict[str, Any] = {
                **exc.formatted,
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
            raise RequestErrors([error]) from exc
        self._documents[query] = document
        if len(self._documents) > self.capacity:
            self._documents.popitem(last=False)
        return document


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    try:
        return select_operation(operations, name)
    except GraphQLRequestError as exc:
        raise RequestErrors(list(exc.errors)) from exc


@dataclass
class GraphQLEndpoint:
    limits: Limits
    persisted: PersistedQueries
    documents: ParsedDocuments
    max_query_bytes: int
    registry: SupergraphRegistry | None = None
    """Set when the app starts."""
    expose_plans: bool = False

    def forwarded_headers(self, request: Request) -> dict[str, str]:
        headers = {
            name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers
        }
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        return headers

    async def answer(self, request: Request, params: GraphQLParams, *, via_get: bool) -> Response:
        media_type = _media_type(request.headers.get("accept"))
        try:
            body = await self._run(request, params, via_get=via_get)
        except RequestErrors as exc:
            return _json_response({"errors": exc.errors}, exc.status_for(media_type), media_type)
        return _json_response(body, 200, media_type)

    async def _run(
        self, request: Request, params: GraphQLParams, *, via_get: bool
    ) -> dict[str, Any]:
        try:
            query, digest = self.persisted.resolve(params.query, params.extensions)
        except PersistedQueryError as exc:
            raise RequestErrors([exc.to_error()], status=exc.status, malformed=True) from exc
        if query is None:
            raise RequestErrors(
                [_error("Send a 'query' (or a persisted query's hash).", "BAD_REQUEST")],
                malformed=True,
            )
        if len(query.encode()) > self.max_query_bytes:
            raise RequestErrors(
                [
                    _error(
                        f"The query is longer than {self.max_query_bytes} bytes.", "QUERY_TOO_LARGE"
                    )
                ],
                status=413,
                malformed=True,
            )
        document = self.documents.parse(query)
        operation = _operation(document, params.operation_name)
        if via_get and operation.operation != OperationType.QUERY:
            raise MethodNotAllowed(
                f"A {operation.operation.value} cannot be sent with GET; use POST.",
                headers={"Allow": "POST"},
            )
        exceeded = check_limits(document, operation, params.variables or {}, self.limits)
        if exceeded:
            raise RequestErrors([limit.to_error() for limit in exceeded])
        loaded = self.registry.current if self.registry is not None else None
        if loaded is None:
            raise ServiceUnavailable("The gateway has not loaded a supergraph yet; retry shortly.")
        try:
            result: dict[str, Any] = await loaded.engine.execute(
                GraphQLRequest(query, params.variables, params.operation_name),
                transport=loaded.transport,
                headers=self.forwarded_headers(request),
            )
        except GraphQLRequestError as exc:
            raise RequestErrors(list(exc.errors)) from exc
        if digest is not None:
            self.persisted.remember(digest, query)
        if self.expose_plans and request.headers.get(EXPOSE_PLAN_HEADER, "").lower() == "true":
            # The same place Apollo Router puts it, so the same tools read it.
            plan = loaded.engine.plan(query, params.operation_name, params.variables)
            extensions = result.setdefault("extensions", {})
            extensions["apolloQueryPlan"] = {"object": plan.to_dict(), "text": plan.describe()}
        return result


def _json_response(body: dict[str, Any], status: int, media_type: str) -> Response:
    content = fast_json.dumps(body)
    return Response(content, status_code=status, media_type=f"{media_type}; charset=utf-8")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return (
        "text/html" in accept
        and not request.query_params.get("query")
        and not (request.query_params.get("extensions"))
    )


def graphql_router(endpoint: GraphQLEndpoint) -> APIRouter:
    router = APIRouter(tags=["graphql"])

    @router.get("/graphql", summary="GraphQL query over GET, or GraphiQL in a browser")
    async def graphql_get(request: Request) -> Response:
        if _wants_html(request):
            root = str(request.scope.get("root_path", "")).rstrip("/")
            page = graphiql_html(
                endpoint=f"{root}/graphql",
                title="pdnet GraphQL",
                assets=f"{root}/graphiql-assets",
            )
            return HTMLResponse(page)
        try:
            params = _params(request.query_params)
        except RequestErrors as exc:
            return _json_response(
                {"errors": exc.errors}, 400, _media_type(request.headers.get("accept"))
            )
        return await endpoint.answer(request, params, via_get=True)

    @router.post("/graphql", summary="GraphQL over POST (application/json)")
    async def graphql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise UnsupportedMediaType(
                "POST /graphql takes 'Content-Type: application/json' bodies."
            )
        media_type = _media_type(request.headers.get("accept"))
        try:
            payload = fast_json.loads(await request.body())
        except ValueError as exc:
            raise BadRequest("The request body is not valid JSON.") from exc
        if not isinstance(payload, dict):
            # A batch (a JSON array) is not part of the spec and is not served.
            raise BadRequest("The request body must be one JSON object with a 'query'.")
        try:
            params = _params(payload)
        except RequestErrors as exc:
            return _json_response({"errors": exc.errors}, 400, media_type)
        return await endpoint.answer(request, params, via_get=False)

    return router
