"""Turns the fetch groups a walk of the operation made into plan nodes: each group's subgraph
operation printed once, fetches layered by what they depend on (mutation fields one by one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import OperationDefinitionNode, print_ast

from gateway.planning.plan import (
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    RepresentationField,
    RepresentationTemplate,
    SequenceNode,
)
from gateway.planning.selections import SelectionTree
from gateway.supergraph import TypeInfo


class PlanningError(Exception):
    """The operation asks for something no subgraph can be reached for."""


@dataclass(eq=False)
class FetchGroup:
    """One fetch being planned: a subgraph, where its answer goes, and what it selects."""

    subgraph: str
    merge_path: tuple[str, ...]
    is_entity: bool
    root_index: int
    selection: SelectionTree = field(default_factory=SelectionTree)
    representations: dict[str, SelectionTree] = field(default_factory=dict)
    depends_on: set[FetchGroup] = field(default_factory=set)
    children: dict[tuple[str, tuple[str, ...]], FetchGroup] = field(default_factory=dict)
    sent_as: dict[str, str] = field(default_factory=dict)
    """Type in the response → `__typename` its representations carry (an interface object's
    name when the subgraph knows the type only through it)."""


class PlanBuilder:
    def __init__(
        self,
        operation: OperationDefinitionNode,
        groups: list[FetchGroup],
        types: dict[str, TypeInfo],
    ) -> None:
        self.operation = operation
        self.groups = groups
        self.types = types

    def _object_types_of(self, type_name: str) -> frozenset[str]:
        """The object types a type condition applies to, inaccessible ones included."""
        info = self.types.get(type_name)
        if info is None or info.kind == "object":
            return frozenset({type_name})
        if info.kind == "union":
            return frozenset(m for members in info.union_members.values() for m in members)
        return frozenset(
            t.name
            for t in self.types.values()
            if t.kind == "object" and any(type_name in i for i in t.implements.values())
        )

    def build(self, sequential: bool) -> PlanNode | None:
        if not self.groups:
            return None
        if not sequential:
            return self._layered(self.groups)
        roots: dict[int, list[FetchGroup]] = {}
        for group in self.groups:
            roots.setdefault(group.root_index, []).append(group)
        steps = [self._layered(groups) for _, groups in sorted(roots.items())]
        return _sequence([step for step in steps if step is not None])

    def _layered(self, groups: list[FetchGroup]) -> PlanNode | None:
        levels: dict[FetchGroup, int] = {}

        def level(group: FetchGroup, seen: frozenset[int] = frozenset()) -> int:
            if group in levels:
                return levels[group]
            if id(group) in seen:
                raise PlanningError("fetches depend on each other in a cycle")
            deps = [d for d in group.depends_on if d is not group]
            value = 1 + max((level(d, seen | {id(group)}) for d in deps), default=-1)
            levels[group] = value
            return value

        by_level: dict[int, list[PlanNode]] = {}
        for group in groups:
            by_level.setdefault(level(group), []).append(self._node(group))
        steps: list[PlanNode] = []
        for _, nodes in sorted(by_level.items()):
            steps.append(nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes)))
        return _sequence(steps)

    def _node(self, group: FetchGroup) -> PlanNode:
        fetch = self._fetch(group)
        return FlattenNode(group.merge_path, fetch) if group.is_entity else fetch

    def _fetch(self, group: FetchGroup) -> FetchNode:
        used: set[str] = set()
        body = group.selection.print(used)
        definitions = [
            d for d in self.operation.variable_definitions or () if d.variable.name.value in used
        ]
        declared = ", ".join(print_ast(d) for d in definitions)
        name = None
        if self.operation.name is not None:
            index = self.groups.index(group)
            name = f"{self.operation.name.value}__{group.subgraph}__{index}"
        if group.is_entity:
            declared = "$representations: [_Any!]!" + (", " + declared if declared else "")
            body = "{_entities(representations: $representations) " + body + "}"
            kind = "query"
        else:
            kind = self.operation.operation.value
        text = kind + (f" {name}" if name else "") + (f"({declared})" if declared else "") + body
        if group.is_entity:
            requested = {
                type_name: _client_keys(
                    group.selection.fragment(group.sent_as.get(type_name, type_name))
                )
                for type_name in group.representations
            }
            representations = {
                type_name: _template(
                    tree, group.sent_as.get(type_name, type_name), self._object_types_of
                )
                for type_name, tree in group.representations.items()
            }
        else:
            requested = {"": _client_keys(group.selection)}
            representations = None
        return FetchNode(
            subgraph=group.subgraph,
            operation=text,
            operation_name=name,
            variable_usages=tuple(d.variable.name.value for d in definitions),
            representations=representations,
            requested=requested,
            writes=kind == "mutation",
        )


def _sequence(steps: list[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for step in steps:
        flat.extend(step.nodes if isinstance(step, SequenceNode) else (step,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def _client_keys(tree: SelectionTree) -> tuple[str, ...]:
    return tuple(key for key in tree.fields if key != "__typename")


def _template(
    tree: SelectionTree, typename: str | None, applies_to: Callable[[str], frozenset[str]]
) -> RepresentationTemplate:
    return RepresentationTemplate(
        typename=typename,
        fields=tuple(
            RepresentationField(
                key,
                _template(selection.selection, None, applies_to)
                if selection.selection is not None
                else None,
                selection.source.response_key if selection.source is not None else key,
            )
            for key, selection in tree.fields.items()
        ),
        fragments=tuple(
            (applies_to(name), _template(sub, None, applies_to))
            for name, sub in tree.fragments.items()
        ),
    )
