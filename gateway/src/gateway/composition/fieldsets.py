"""Field sets, the selection strings of @key, @requires and @provides, resolved in a subgraph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import GraphQLSyntaxError
from graphql.language import (
    FieldNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from gateway.composition.model import Field, Subgraph, TypeDef, named_type


class FieldSetError(Exception):
    """The field set does not parse or names something the type lacks; the text says which."""


@dataclass(frozen=True, slots=True)
class Target:
    parent: TypeDef
    field: Field
    node: FieldNode
    depth: int
    # Some field above this one in the selection is @external: the subtree is not resolved here.
    external_in_parents: bool = False


def syntax_error_message(error: GraphQLSyntaxError) -> str:
    """graphql-core's wording with the double quotes graphql-js uses around tokens."""
    return re.sub(r"'([^']*)'", r'"\1"', error.message)


@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> SelectionSetNode:
    """Parsed once per distinct text: the same keys are read again and again while composing."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as exc:
        raise FieldSetError(syntax_error_message(exc)) from exc
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def targets(subgraph: Subgraph, type_name: str, text: str) -> list[Target]:
    """Every field the field set selects, outermost first; FieldSetError if one is unknown."""
    parent = subgraph.types[type_name]
    return list(_walk(subgraph, parent, parse_field_set(text), 0, False))


def _walk(
    subgraph: Subgraph,
    parent: TypeDef,
    selection_set: SelectionSetNode,
    depth: int,
    external_in_parents: bool,
) -> Iterator[Target]:
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = parent
            if selection.type_condition is not None:
                name = selection.type_condition.name.value
                found = subgraph.types.get(name)
                if found is None:
                    raise FieldSetError(f'Unknown type "{name}".')
                condition = found
            yield from _walk(
                subgraph, condition, selection.selection_set, depth, external_in_parents
            )
            continue
        if not isinstance(selection, FieldNode):
            raise FieldSetError("Fragment spreads are not allowed in a field set.")
        name = selection.name.value
        if selection.alias is not None:
            raise FieldSetError(
                f'Cannot use alias "{selection.alias.value}" in "{selection.alias.value}: {name}": '
                "aliases are not currently supported in field sets"
            )
        if name == "__typename":
            continue
        found_field = parent.fields.get(name)
        if found_field is None:
            raise FieldSetError(f'Cannot query field "{name}" on type "{parent.name}".')
        yield Target(parent, found_field, selection, depth, external_in_parents)
        if selection.selection_set is not None:
            child = subgraph.types.get(named_type(found_field.type))
            if child is None or child.kind not in ("object", "interface", "union"):
                raise FieldSetError(
                    f'Field "{name}" must not have a selection since type '
                    f'"{found_field.type}" has no subfields.'
                )
            below_external = external_in_parents or found_field.external
            if not below_external and parent.kind == "interface":
                below_external = any(
                    found_field.name in t.fields and t.fields[found_field.name].external
                    for t in subgraph.types.values()
                    if parent.name in t.interfaces
                )
            yield from _walk(subgraph, child, selection.selection_set, depth + 1, below_external)
