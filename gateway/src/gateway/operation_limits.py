"""Depth, alias and cost limits, checked on the parsed operation before any subgraph is called.

Cost: every field costs 1, multiplied by the page sizes of the paginated fields it sits in
(`first`/`last`, from literals or variables; `default_page_size` when a connection field is
called without them). A query for 200 centres each with 50 events costs about 200 x 50 per
event field, which is what it costs the subgraphs to answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

_PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int
    default_page_size: int


@dataclass(frozen=True)
class LimitExceeded:
    code: str
    message: str
    limit: int
    actual: int

    def to_error(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "extensions": {"code": self.code, "limit": self.limit, "actual": self.actual},
        }


@dataclass
class _Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


def _page_size(field: FieldNode, variables: Mapping[str, Any], default: int) -> int:
    has_page_argument = False
    for argument in field.arguments or ():
        if argument.name.value not in _PAGE_ARGUMENTS:
            continue
        has_page_argument = True
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return max(given, 0)
    # `first: null` or a missing variable: the subgraph applies its own default.
    return default if has_page_argument or _looks_paginated(field) else 1


def _looks_paginated(field: FieldNode) -> bool:
    # A connection selects `nodes` or `edges`; called without a page size it still returns a page.
    selections = field.selection_set.selections if field.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value in ("nodes", "edges") for s in selections)


class _Walker:
    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.measure = _Measure()

    def walk(
        self, selection_set: SelectionSetNode, depth: int, multiplier: int, seen: frozenset[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, depth, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                self.walk(selection.selection_set, depth, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                # A cycle or an unknown fragment is the validator's to report; stop walking.
                if fragment is not None and name not in seen:
                    self.walk(fragment.selection_set, depth, multiplier, seen | {name})

    def _field(self, field: FieldNode, depth: int, multiplier: int, seen: frozenset[str]) -> None:
        if field.alias is not None:
            self.measure.aliases += 1
        if field.name.value == "__typename":
            return  # answered from the type the gateway already knows
        self.measure.depth = max(self.measure.depth, depth + 1)
        self.measure.cost += multiplier
        if field.selection_set is not None:
            inner = multiplier * _page_size(field, self.variables, self.default_page_size)
            self.walk(field.selection_set, depth + 1, inner, seen)


def check_limits(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    limits: Limits,
) -> list[LimitExceeded]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(fragments, variables, limits.default_page_size)
    walker.walk(operation.selection_set, 0, 1, frozenset())
    measure = walker.measure
    exceeded = []
    if measure.depth > limits.max_depth:
        exceeded.append(
            LimitExceeded(
                "QUERY_TOO_DEEP",
                f"The operation is nested {measure.depth} fields deep; "
                f"the limit is {limits.max_depth}.",
                limits.max_depth,
                measure.depth,
            )
        )
    if measure.aliases > limits.max_aliases:
        exceeded.append(
            LimitExceeded(
                "TOO_MANY_ALIASES",
                f"The operation uses {measure.aliases} aliases; the limit is {limits.max_aliases}.",
                limits.max_aliases,
                measure.aliases,
            )
        )
    if measure.cost > limits.max_cost:
        exceeded.append(
            LimitExceeded(
                "QUERY_TOO_COSTLY",
                f"The operation would cost {measure.cost} (each field 1, times the page sizes "
                f"around it); the limit is {limits.max_cost}. Ask for smaller pages.",
                limits.max_cost,
                measure.cost,
            )
        )
    return exceeded
