"""A loaded supergraph: the per-subgraph model the planner works from and the API schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from graphql import (
    GraphQLError,
    GraphQLSchema,
    SelectionSetNode,
    parse,
    print_schema,
    validate_schema,
)

from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.links import read_links
from gateway.supergraph.loading import SupergraphError, read_graphs, read_types
from gateway.supergraph.model import TypeInfo


@cache
def parse_field_set(fields: str) -> SelectionSetNode:
    """A `@key`/`@requires`/`@provides` field set as a selection set."""
    document = parse("{" + fields + "}", no_location=True)
    operation = document.definitions[0]
    selection_set: SelectionSetNode = operation.selection_set  # type: ignore[attr-defined]
    return selection_set


@dataclass(eq=False)
class Supergraph:
    sdl: str
    api_schema: GraphQLSchema
    subgraph_urls: dict[str, str]
    types: dict[str, TypeInfo]
    _possible: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def from_sdl(cls, sdl: str) -> Supergraph:
        try:
            document = parse(sdl, no_location=True)
        except GraphQLError as exc:
            raise SupergraphError(f"the supergraph SDL does not parse: {exc.message}") from exc
        specs = read_links(document)
        graph_names, urls = read_graphs(document, specs)
        types = read_types(document, specs, graph_names)
        try:
            api_schema = build_api_schema(document, specs)
        except (GraphQLError, TypeError) as exc:
            raise SupergraphError(f"the API schema cannot be built: {exc}") from exc
        errors = validate_schema(api_schema)
        if errors:
            raise SupergraphError("; ".join(error.message for error in errors))
        return cls(sdl=sdl, api_schema=api_schema, subgraph_urls=urls, types=types)

    def print_api_schema(self) -> str:
        return print_schema(self.api_schema)

    def possible_types_in(self, abstract: str, subgraph: str) -> list[str]:
        """Object types a subgraph may return where it declares the abstract type."""
        key = (abstract, subgraph)
        found = self._possible.get(key)
        if found is None:
            found = self._possible[key] = _possible_types(self, abstract, subgraph)
        return found


def _possible_types(supergraph: Supergraph, abstract: str, subgraph: str) -> list[str]:
    info = supergraph.types.get(abstract)
    if info is None:
        return []
    if info.kind == "union":
        members = info.union_members.get(subgraph, ())
        return [m for m in members if subgraph in supergraph.types[m].subgraphs]
    found = []
    for candidate in supergraph.types.values():
        if candidate.kind != "object" or subgraph not in candidate.subgraphs:
            continue
        interfaces = candidate.implements.get(subgraph)
        if interfaces is not None and abstract in interfaces:
            found.append(candidate.name)
    return found
