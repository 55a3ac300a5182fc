"""The engine: a client request in, a GraphQL response body out, with parses, validations,
plans and response shapes cached."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import Visitor, visit

from gateway.execution.running import PlanRun
from gateway.execution.shaping import Shaper
from gateway.execution.transport import SubgraphTransport
from gateway.execution.variable_errors import requote, reword
from gateway.planning import (
    INTROSPECTION_FIELDS,
    FieldCollector,
    PlanningError,
    QueryPlan,
    QueryPlanner,
)
from gateway.supergraph import Supergraph

log = structlog.get_logger(__name__)
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


class GraphQLRequestError(Exception):
    """The request cannot run at all (syntax, validation, variables): errors and no data."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(error.get("message")) for error in errors))
        self.errors = errors


def _request_error(message: str) -> GraphQLRequestError:
    return GraphQLRequestError([{"message": message, "extensions": {"code": "BAD_REQUEST"}}])


def select_operation(
    operations: Iterable[OperationDefinitionNode], name: str | None
) -> OperationDefinitionNode:
    """The operation a request names, or its only one; worded as graphql-js words it, so
    clients see what Apollo's gateway would tell them."""
    found = list(operations)
    if name is not None:
        for operation in found:
            if operation.name is not None and operation.name.value == name:
                return operation
        raise _request_error(f'Unknown operation named "{name}".')
    if len(found) == 1:
        return found[0]
    if not found:
        raise _request_error("Must provide an operation.")
    raise _request_error("Must provide operation name if query contains multiple operations.")


class _BoundedCache(Generic[K, V]):
    """Keeps the most recently stored entries; old ones leave first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def put(self, key: K, value: V) -> V:
        if len(self.entries) >= self.size:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = value
        return value


class _ConditionVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_directive(self, node: Any, *_: object) -> None:
        if node.name.value in ("skip", "include"):
            for argument in node.arguments or ():
                value = argument.value
                name = getattr(getattr(value, "name", None), "value", None)
                if value.kind == "variable" and isinstance(name, str) and name not in self.names:
                    self.names.append(name)


@dataclass(frozen=True, slots=True)
class _Document:
    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]
    condition_variables: tuple[str, ...]
    errors: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class _Prepared:
    plan: QueryPlan
    shaper: Shaper
    introspection: DocumentNode | None


def _formatted(errors: list[GraphQLError]) -> tuple[dict[str, Any], ...]:
    return tuple(dict(error.formatted) for error in errors)


class Engine:
    def __init__(self, supergraph: Supergraph, *, cache_size: int = 1000) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.planner = QueryPlanner(supergraph)
        self._documents: _BoundedCache[str, _Document] = _BoundedCache(cache_size)
        self._prepared: _BoundedCache[tuple[Any, ...], _Prepared] = _BoundedCache(cache_size)

    # Parsing and validating, once per document text.

    def _document(self, query: str) -> _Document:
        cached = self._documents.get(query)
        if cached is None:
            cached = self._documents.put(query, self._load(query))
        if cached.errors:
            raise GraphQLRequestError(list(cached.errors))
        return cached

    def _load(self, query: str) -> _Document:
        empty: dict[Any, Any] = {}
        try:
            document = parse(query)
        except GraphQLError as exc:
            return _Document(DocumentNode(definitions=()), empty, empty, (), _formatted([exc]))
        errors = validate(self.schema, document)
        if errors:
            worded = tuple(
                {**error, "message": requote(str(error["message"]))} for error in _formatted(errors)
            )
            return _Document(document, empty, empty, (), worded)
        operations: dict[str | None, OperationDefinitionNode] = {}
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations[definition.name.value if definition.name else None] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
        conditions = _ConditionVariables()
        visit(document, conditions)
        return _Document(document, operations, fragments, tuple(conditions.names), ())

    def _operation(self, document: _Document, name: str | None) -> OperationDefinitionNode:
        operation = select_operation(document.operations.values(), name)
        if operation.operation == OperationType.SUBSCRIPTION:
            raise GraphQLRequestError([{"message": "Subscriptions are not supported."}])
        return operation

    # Planning, once per document, operation and `@skip`/`@include` condition values.

    def _prepare(
        self,
        query: str,
        document: _Document,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> _Prepared:
        condition_values = tuple(bool(variables.get(n)) for n in document.condition_variables)
        name = operation.name.value if operation.name else None
        key = (query, name, condition_values)
        prepared = self._prepared.get(key)
        if prepared is None:
            conditions = dict(zip(document.condition_variables, condition_values, strict=True))
            plan = self.planner.plan(operation, document.fragments, conditions)
            collector = FieldCollector(self.schema, document.fragments, conditions)
            root = self.schema.get_root_type(operation.operation)
            assert isinstance(root, GraphQLObjectType)
            shaper = Shaper(self.schema, collector, root, operation.selection_set)
            introspection = self._introspection_document(document, operation, collector, root)
            prepared = self._prepared.put(key, _Prepared(plan, shaper, introspection))
        return prepared

    def _introspection_document(
        self,
        document: _Document,
        operation: OperationDefinitionNode,
        collector: FieldCollector,
        root: GraphQLObjectType,
    ) -> DocumentNode | None:
        fields: list[FieldNode] = [
            node
            for nodes in collector.collect([operation.selection_set], root.name).values()
            for node in nodes
            if node.name.value in INTROSPECTION_FIELDS
        ]
        if not fields:
            return None
        only_introspection = OperationDefinitionNode(
            operation=OperationType.QUERY,
            variable_definitions=operation.variable_definitions,
            directives=(),
            selection_set=SelectionSetNode(selections=tuple(fields)),
        )
        return DocumentNode(definitions=(only_introspection, *document.fragments.values()))

    def plan(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> QueryPlan:
        document = self._document(query)
        operation = self._operation(document, operation_name)
        try:
            coerced = self._coerce(operation, dict(variables or {}))
        except GraphQLRequestError:
            # Only the `@skip`/`@include` conditions matter for a plan; others may be missing.
            coerced = dict(variables or {})
        return self._prepare(query, document, operation, coerced).plan

    def _coerce(
        self, operation: OperationDefinitionNode, variables: dict[str, Any]
    ) -> Mapping[str, Any]:
        if not operation.variable_definitions:
            return {}
        result = get_variable_values(self.schema, operation.variable_definitions, variables)
        if isinstance(result, list):
            errors = [
                {**error, "message": reword(str(error["message"]), variables)}
                for error in _formatted(result)
            ]
            raise GraphQLRequestError(errors)
        coerced: Mapping[str, Any] = result.coerced
        return coerced

    # Running.

    async def execute(
        self,
        request: GraphQLRequest,
        *,
        transport: SubgraphTransport,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        document = self._document(request.query)
        operation = self._operation(document, request.operation_name)
        variables = request.variables if isinstance(request.variables, dict) else {}
        if request.variables is not None and not isinstance(request.variables, dict):
            raise GraphQLRequestError([{"message": "Variables must be an object."}])
        coerced = self._coerce(operation, variables)
        try:
            prepared = self._prepare(request.query, document, operation, coerced)
        except PlanningError as exc:
            return _planning_failed(str(exc))
        except Exception:
            log.exception("planning failed", operation=request.operation_name)
            return _planning_failed("The operation could not be planned.")
        try:
            return await self._run(prepared, transport, headers or {}, variables)
        except Exception:
            log.exception("executing the plan failed", operation=request.operation_name)
            return {
                "data": None,
                "errors": [
                    {
                        "message": "The operation failed in the gateway.",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                ],
            }

    async def _run(
        self,
        prepared: _Prepared,
        transport: SubgraphTransport,
        headers: Mapping[str, str],
        variables: dict[str, Any],
    ) -> dict[str, Any]:
        run = PlanRun(transport, headers, variables)
        await run.run(prepared.plan.node)
        if prepared.introspection is not None:
            answered = execute_sync(self.schema, prepared.introspection, variable_values=variables)
            if isinstance(answered.data, dict):
                run.data.update(answered.data)
            run.errors.extend(dict(error.formatted) for error in answered.errors or ())
        data, completion_errors = prepared.shaper.shape(run.data)
        response: dict[str, Any] = {"data": data}
        if run.errors:
            response["errors"] = run.errors
        elif completion_errors:
            # As @apollo/gateway does: errors found only while shaping are reported apart.
            response["extensions"] = {"valueCompletion": completion_errors}
        return response


def _planning_failed(message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "QUERY_PLANNING_FAILED"}}],
    }
