"""GraphQL's own schema rules for one subgraph (interfaces implemented correctly, union members
that are object types, no input cycles that cannot be satisfied, ...), checked by graphql-core
on the subgraph with its federation directives set aside."""

from __future__ import annotations

from graphql import GraphQLError, build_schema, validate_schema

from gateway.composition.errors import CompositionIssue
from gateway.composition.model import Field, Subgraph, TypeDef

_KEYWORDS = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


def check_graphql_rules(subgraph: Subgraph) -> list[CompositionIssue]:
    try:
        schema = build_schema(_plain_sdl(subgraph), assume_valid_sdl=False)
        errors: list[GraphQLError] = list(validate_schema(schema))
    except (GraphQLError, TypeError) as exc:
        errors = [GraphQLError(str(exc))]
    return [
        CompositionIssue("INVALID_GRAPHQL", f"[{subgraph.name}] {error.message}", (subgraph.name,))
        for error in errors
    ]


def _plain_sdl(subgraph: Subgraph) -> str:
    return "\n".join(_plain_type(t) for t in subgraph.types.values())


def _plain_type(typedef: TypeDef) -> str:
    header = f"{_KEYWORDS[typedef.kind]} {typedef.name}"
    if typedef.kind == "scalar":
        return header
    if typedef.kind == "union":
        return header + (" = " + " | ".join(typedef.members) if typedef.members else "")
    if typedef.kind == "enum":
        return header + " { " + " ".join(typedef.values) + " }"
    if typedef.interfaces:
        header += " implements " + " & ".join(typedef.interfaces)
    fields = [_plain_field(f) for f in typedef.fields.values()]
    if typedef.name == "Query":
        # Federation gives every subgraph's Query `_service`, so an empty one is fine.
        fields.append("_service: String")
    return header + " { " + " ".join(fields) + " }" if fields else header


def _plain_field(field: Field) -> str:
    args = ", ".join(f"{a.name}: {a.type}" for a in field.args.values())
    return f"{field.name}({args}): {field.type}" if args else f"{field.name}: {field.type}"
