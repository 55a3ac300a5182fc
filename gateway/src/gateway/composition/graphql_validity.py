"""GraphQL's own schema rules for one subgraph (interfaces implemented correctly, union members
that are object types, no input cycles that cannot be satisfied, ...), checked by graphql-core
on the subgraph with its federation directives set aside."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    Undefined,
    specified_scalar_types,
    validate_schema,
    value_from_ast,
)
from graphql.language import EnumValueNode, ValueNode, print_ast

from gateway.composition.errors import CompositionIssue
from gateway.composition.model import Argument, Subgraph, TypeDef


def check_graphql_rules(subgraph: Subgraph) -> list[CompositionIssue]:
    try:
        schema, ref = _schema(subgraph)
        messages = [error.message for error in validate_schema(schema)]
    except (GraphQLError, TypeError) as exc:
        messages = [str(exc)]
    else:
        if not messages:
            messages = list(_invalid_defaults(subgraph, ref))
    return [
        CompositionIssue("INVALID_GRAPHQL", f"[{subgraph.name}] {message}", (subgraph.name,))
        for message in messages
    ]


def _invalid_defaults(subgraph: Subgraph, ref: Callable[[str], Any]) -> Iterator[str]:
    for typedef in subgraph.types.values():
        for field in typedef.fields.values():
            default = field.default if typedef.kind == "input" else None
            if default is not None and value_from_ast(default, ref(field.type)) is Undefined:
                yield (
                    f"Invalid default value (got: {_shown(default)}) provided for "
                    f"input field {typedef.name}.{field.name} of type {field.type}."
                )
            for argument in field.args.values():
                if argument.default is None:
                    continue
                if value_from_ast(argument.default, ref(argument.type)) is Undefined:
                    yield (
                        f"Invalid default value (got: {_shown(argument.default)}) provided for "
                        f"argument {typedef.name}.{field.name}({argument.name}:) of type "
                        f"{argument.type}."
                    )


def _shown(value: ValueNode) -> str:
    return f'"{value.value}"' if isinstance(value, EnumValueNode) else print_ast(value)


def _schema(subgraph: Subgraph) -> tuple[GraphQLSchema, Callable[[str], Any]]:
    # Built from the model rather than by printing and parsing SDL again: subgraphs can be big.
    named: dict[str, GraphQLNamedType] = dict(specified_scalar_types)

    def ref(type_ref: str) -> Any:
        if type_ref.endswith("!"):
            return GraphQLNonNull(ref(type_ref[:-1]))
        if type_ref.startswith("["):
            return GraphQLList(ref(type_ref[1:-1]))
        return named[type_ref]

    def arguments(args: dict[str, Argument]) -> dict[str, GraphQLArgument]:
        return {a.name: GraphQLArgument(ref(a.type)) for a in args.values()}

    def output_fields(typedef: TypeDef) -> Any:
        def thunk() -> dict[str, GraphQLField]:
            fields = {
                f.name: GraphQLField(ref(f.type), arguments(f.args))
                for f in typedef.fields.values()
            }
            if typedef.name == "Query":
                # Federation gives every subgraph's Query `_service`, so an empty one is fine.
                fields["_service"] = GraphQLField(GraphQLString)
            return fields

        return thunk

    def input_fields(typedef: TypeDef) -> Any:
        return lambda: {f.name: GraphQLInputField(ref(f.type)) for f in typedef.fields.values()}

    def interfaces(typedef: TypeDef) -> Any:
        return lambda: [named[name] for name in typedef.interfaces]

    def members(typedef: TypeDef) -> Any:
        return lambda: [named[name] for name in typedef.members]

    for typedef in subgraph.types.values():
        name = typedef.name
        if name in specified_scalar_types:
            continue
        if typedef.kind == "object":
            named[name] = GraphQLObjectType(name, output_fields(typedef), interfaces(typedef))
        elif typedef.kind == "interface":
            named[name] = GraphQLInterfaceType(
                name, output_fields(typedef), interfaces=interfaces(typedef)
            )
        elif typedef.kind == "union":
            named[name] = GraphQLUnionType(name, members(typedef))
        elif typedef.kind == "enum":
            named[name] = GraphQLEnumType(name, {value: value for value in typedef.values})
        elif typedef.kind == "input":
            named[name] = GraphQLInputObjectType(name, input_fields(typedef))
        else:
            named[name] = GraphQLScalarType(name)
    query = named.get("Query")
    mutation = named.get("Mutation")
    subscription = named.get("Subscription")
    schema = GraphQLSchema(
        query=query if isinstance(query, GraphQLObjectType) else None,
        mutation=mutation if isinstance(mutation, GraphQLObjectType) else None,
        subscription=subscription if isinstance(subscription, GraphQLObjectType) else None,
        types=list(named.values()),
    )
    return schema, ref
