"""Field collection over a client operation for one concrete type, as GraphQL execution does
it: fragments expanded where their type condition applies, `@skip`/`@include` evaluated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)


def condition_value(directive: DirectiveNode, variables: Mapping[str, Any]) -> bool:
    for argument in directive.arguments or ():
        if argument.name.value == "if":
            value = argument.value
            if isinstance(value, BooleanValueNode):
                return value.value
            if isinstance(value, VariableNode):
                return bool(variables.get(value.name.value))
    return False


def is_included(directives: Iterable[DirectiveNode] | None, variables: Mapping[str, Any]) -> bool:
    for directive in directives or ():
        name = directive.name.value
        if name == "skip" and condition_value(directive, variables):
            return False
        if name == "include" and not condition_value(directive, variables):
            return False
    return True


class FieldCollector:
    """Collects fields for one operation under fixed condition values."""

    __slots__ = ("fragments", "schema", "variables")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def applies(self, type_condition: str | None, type_name: str) -> bool:
        if type_condition is None or type_condition == type_name:
            return True
        condition = self.schema.type_map.get(type_condition)
        runtime = self.schema.type_map.get(type_name)
        if condition is None or not isinstance(runtime, GraphQLObjectType):
            return False
        return is_abstract_type(condition) and self.schema.is_sub_type(
            condition,
            runtime,
        )

    def collect(
        self, selection_sets: Iterable[SelectionSetNode], type_name: str
    ) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect(selection_set, type_name, fields, visited)
        return fields

    def _collect(
        self,
        selection_set: SelectionSetNode,
        type_name: str,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not is_included(selection.directives, self.variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                if self.applies(condition, type_name):
                    self._collect(selection.selection_set, type_name, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is not None and self.applies(
                    fragment.type_condition.name.value, type_name
                ):
                    self._collect(fragment.selection_set, type_name, fields, visited)
