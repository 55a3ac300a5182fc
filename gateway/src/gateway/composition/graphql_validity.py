"""GraphQL's own schema rules (interfaces implemented correctly, union members that are object
types, no input cycles that cannot be satisfied, default values of their type), checked by
graphql-core on each subgraph with its federation directives set aside, then on the merged
schema."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    specified_scalar_types,
    validate_schema,
)
from graphql.language import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)

from gateway.composition.errors import CompositionIssue, quoted_list
from gateway.composition.model import Argument, Subgraph, TypeDef
from gateway.composition.printing import print_value
from gateway.composition.supergraph_model import MergedArgument, MergedSchema, MergedType


def check_graphql_rules(subgraph: Subgraph) -> list[CompositionIssue]:
    try:
        schema, ref = _schema(subgraph)
        messages = [error.message for error in validate_schema(schema)]
    except (GraphQLError, TypeError) as exc:
        messages = [str(exc)]
    else:
        if not messages:
            messages = list(_invalid_defaults(subgraph.types.values(), ref))
    return [
        CompositionIssue("INVALID_GRAPHQL", f"[{subgraph.name}] {message}", (subgraph.name,))
        for message in messages
    ]


def check_merged_graphql_rules(schema: MergedSchema) -> list[CompositionIssue]:
    """The merged schema is a GraphQL schema too: an object whose field, merged across
    subgraphs, no longer fits the interface it implements is refused here."""
    try:
        built, ref = _schema_of(schema.types.values())
        messages = [error.message for error in validate_schema(built)]
    except (GraphQLError, TypeError) as exc:
        messages = [str(exc)]
    else:
        # An input type narrowed by merging may no longer hold a subgraph's default value.
        messages = messages or list(_invalid_defaults(schema.types.values(), ref))
    graph_names = {g.enum_name: g.name for g in schema.graphs}
    issues = []
    for message in messages:
        subgraphs = [g.name for g in schema.graphs]
        mismatch = _INTERFACE_FIELD_TYPE.match(message)
        if mismatch is not None:
            interface_field, expected, field, actual = mismatch.groups()
            message = (
                f"Interface field {interface_field} expects type {expected} but {field} of type "
                f"{actual} is not a proper subtype."
            )
            owner = schema.types.get(field.split(".")[0])
            if owner is not None:
                subgraphs = list(dict.fromkeys(graph_names[j.graph] for j in owner.join_types))
        issues.append(
            CompositionIssue(
                "INVALID_GRAPHQL", f"{message} (in {quoted_list(subgraphs)})", tuple(subgraphs)
            )
        )
    return issues


_INTERFACE_FIELD_TYPE = re.compile(
    r"^Interface field (\S+) expects type (\S+) but (\S+) is type (\S+)\.$"
)


def _invalid_defaults(
    types: Iterable[TypeDef | MergedType], ref: Callable[[str], Any]
) -> Iterator[str]:
    for typedef in types:
        for field in typedef.fields.values():
            default = field.default if typedef.kind == "input" else None
            if default is not None and not _fits(default, ref(field.type)):
                yield (
                    f"Invalid default value (got: {_shown(default)}) provided for "
                    f"input field {typedef.name}.{field.name} of type {field.type}."
                )
            for argument in field.args.values():
                if argument.default is None or _fits(argument.default, ref(argument.type)):
                    continue
                yield (
                    f"Invalid default value (got: {_shown(argument.default)}) provided for "
                    f"argument {typedef.name}.{field.name}({argument.name}:) of type "
                    f"{argument.type}."
                )


_SCALAR_LITERALS: dict[str, tuple[type, ...]] = {
    "Int": (IntValueNode,),
    "Float": (IntValueNode, FloatValueNode),
    "String": (StringValueNode,),
    "Boolean": (BooleanValueNode,),
    "ID": (StringValueNode, IntValueNode),
}


def _fits(value: ValueNode, type_: Any) -> bool:
    """Whether a default value is of its type: the checks Apollo makes, no stricter (an input
    object default may leave out required fields, as graphql-js accepts)."""
    if isinstance(value, NullValueNode):
        return not isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        return _fits(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        items = value.values if isinstance(value, ListValueNode) else (value,)
        return all(_fits(item, type_.of_type) for item in items)
    if isinstance(type_, GraphQLEnumType):
        return isinstance(value, EnumValueNode) and value.value in type_.values
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, ObjectValueNode):
            return False
        fields = type_.fields
        return all(
            f.name.value in fields and _fits(f.value, fields[f.name.value].type)
            for f in value.fields
        )
    accepted = _SCALAR_LITERALS.get(getattr(type_, "name", ""))
    return accepted is None or isinstance(value, accepted)


def _shown(value: ValueNode) -> str:
    return f'"{value.value}"' if isinstance(value, EnumValueNode) else print_value(value)


def _schema(subgraph: Subgraph) -> tuple[GraphQLSchema, Callable[[str], Any]]:
    return _schema_of(subgraph.types.values())


def _schema_of(types: Iterable[TypeDef | MergedType]) -> tuple[GraphQLSchema, Callable[[str], Any]]:
    # Built from the model rather than by printing and parsing SDL again: subgraphs can be big.
    named: dict[str, GraphQLNamedType] = dict(specified_scalar_types)

    def ref(type_ref: str) -> Any:
        if type_ref.endswith("!"):
            return GraphQLNonNull(ref(type_ref[:-1]))
        if type_ref.startswith("["):
            return GraphQLList(ref(type_ref[1:-1]))
        return named[type_ref]

    def arguments(args: Mapping[str, Argument | MergedArgument]) -> dict[str, GraphQLArgument]:
        return {a.name: GraphQLArgument(ref(a.type)) for a in args.values()}

    def output_fields(typedef: TypeDef | MergedType) -> Any:
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

    def input_fields(typedef: TypeDef | MergedType) -> Any:
        return lambda: {f.name: GraphQLInputField(ref(f.type)) for f in typedef.fields.values()}

    def interfaces(typedef: TypeDef | MergedType) -> Any:
        return lambda: [named[name] for name in typedef.interfaces]

    def members(typedef: TypeDef | MergedType) -> Any:
        return lambda: [named[name] for name in typedef.members]

    for typedef in types:
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
